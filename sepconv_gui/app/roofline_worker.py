"""The roofline's measurements, taken off the GUI thread: machine peaks and per-call costs.

One :class:`RooflineService` per window. It loads this machine's peaks from the cache at once
(no measuring), measures them in a thread of its own when asked (about a second of both
cores, so never by surprise while the opening still is being timed), and measures each
design's per-call cost (every stage on a tiny input, a few milliseconds) when a result of a
new design arrives. Widgets read :attr:`peaks` and :meth:`overheads_for` and redraw on
``changed``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ..bench.peaks import Peaks, cached_peaks, measure_peaks
from .pipeline import FrameResult
from .roofline import call_overheads
from .state import Design
from .threads import keep_until_finished

log = logging.getLogger(__name__)

#: A first measurement waits this long after it was asked for (see ensure_peaks).
FIRST_MEASURE_MS = 2500


class _Worker(QObject):
    """Lives in the service's thread; slots run there, one request at a time."""

    peaks_done = Signal(object)
    overheads_done = Signal(object, object)  # key, {"mode.stage": seconds}
    failed = Signal(str)

    @Slot(bool)
    def measure(self, force: bool) -> None:
        try:
            self.peaks_done.emit(measure_peaks(force=force))
        except Exception as error:  # noqa: BLE001 - reported, the app goes on without peaks
            log.exception("measuring the machine's peaks failed")
            self.failed.emit(f"Could not measure this machine's peaks: {error}")

    @Slot(object)
    def overheads(self, request: tuple) -> None:
        design, channels, algorithms = request
        try:
            self.overheads_done.emit(request, call_overheads(design, channels, algorithms))
        except Exception as error:  # noqa: BLE001 - a design the tiny input cannot run
            log.info("per-call cost not measured: %s", error)
            self.overheads_done.emit(request, {})


class RooflineService(QObject):
    """Peaks and per-call costs for the roofline views, measured in the background."""

    changed = Signal()
    measuring = Signal(bool)
    failed = Signal(str)
    _ask_peaks = Signal(bool)
    _ask_overheads = Signal(object)

    def __init__(self, parent=None, *, load_cache: bool = True) -> None:
        super().__init__(parent)
        self.peaks: Peaks | None = None
        if load_cache:
            try:
                self.peaks = cached_peaks()
            except Exception:  # noqa: BLE001 - a broken cache only means measuring later
                self.peaks = None
        self._overheads: tuple | None = None  # (request, result)
        self._asked: tuple | None = None
        self._busy = False
        self._soon = QTimer(self, singleShot=True, interval=FIRST_MEASURE_MS)
        self._soon.timeout.connect(lambda: self.peaks is None and self.measure_peaks())
        self._thread = QThread()
        self._thread.setObjectName("roofline measurements")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._ask_peaks.connect(self._worker.measure)
        self._ask_overheads.connect(self._worker.overheads)
        self._worker.peaks_done.connect(self._peaks_done)
        self._worker.overheads_done.connect(self._overheads_done)
        self._worker.failed.connect(self._failed)
        self._thread.start()
        keep_until_finished(self._thread)

    @property
    def busy(self) -> bool:
        return self._busy

    def measure_peaks(self, force: bool = False) -> None:
        """Measure (or, unless ``force``, load) the peaks in the background."""
        if self._busy:
            return
        self._busy = True
        self.measuring.emit(True)
        self._ask_peaks.emit(force)

    def ensure_peaks(self) -> None:
        """Measure the peaks soon unless they are known or being measured.

        Not at once: the window times its opening still about a second after it is shown,
        and a measurement on both cores at the same time would slow both down."""
        if self.peaks is None and not self._busy and not self._soon.isActive():
            self._soon.start()

    def note_result(self, result: FrameResult, design: Design | None) -> None:
        """Ask for the per-call costs of ``result``'s design if they are not known yet."""
        if design is None or not result.results:
            return
        request = (
            design,
            int(result.image.shape[2]),
            {mode: conv.algorithm for mode, conv in result.results.items()},
        )
        if request == self._asked:
            return
        self._asked = request
        self._ask_overheads.emit(request)

    def overheads_for(self, result: FrameResult | None, design: Design | None) -> dict:
        """The per-call costs measured for this result's design, or {} when not (yet)."""
        if result is None or design is None or self._overheads is None:
            return {}
        request, found = self._overheads
        algorithms = {mode: conv.algorithm for mode, conv in result.results.items()}
        if request == (design, int(result.image.shape[2]), algorithms):
            return found
        return {}

    def _peaks_done(self, peaks: Peaks) -> None:
        self.peaks, self._busy = peaks, False
        self.measuring.emit(False)
        self.changed.emit()

    def _overheads_done(self, request: tuple, found: dict) -> None:
        self._overheads = (request, found)
        self.changed.emit()

    def _failed(self, message: str) -> None:
        self._busy = False
        self.measuring.emit(False)
        self.failed.emit(message)

    def shutdown(self, wait_ms: int = 1000) -> bool:
        """Stop the thread after the request it is running; True once it has ended."""
        self._soon.stop()
        self._thread.quit()
        return self._thread.wait(wait_ms)
