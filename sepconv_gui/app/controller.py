"""The controller: owns the design and the current source, and runs the live pipeline.

Widgets talk to the controller; the controller turns their requests into jobs for the worker
threads and hands results back through queued signals, on the GUI thread. It drops stale
results: each design change bumps ``generation``, and a result made for an older design is
never shown.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..io.images import ImageLoadError, fit_for_live, load_image
from ..io.sources import Frame, FrameSource
from .pipeline import FrameResult, run_design
from .state import Design
from .workers import STILL_REPEATS, CaptureThread, Inbox, ProcessingThread


class Controller(QObject):
    """Design, source and pipeline of one window.

    With ``synchronous=True`` still images are processed in the caller's thread at once: a
    switch for tests and scripts that want a result without waiting for a signal.
    """

    result_ready = Signal(object)  # FrameResult for the current design
    design_changed = Signal(object)  # Design
    error = Signal(str)  # something the user should read; the app carries on
    source_changed = Signal(str)  # name of the new input
    source_failed = Signal(str)  # the live source stopped; offer to reconnect
    source_ended = Signal()
    paused_changed = Signal(bool)

    def __init__(
        self,
        design: Design | None = None,
        *,
        synchronous: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._design = design or Design()
        self._generation = 0
        self._synchronous = synchronous
        self._inbox = Inbox(self._design)
        self._processing = ProcessingThread(self._inbox)
        self._processing.result_ready.connect(self._on_result)
        self._processing.failed.connect(self._on_processing_failed)
        self._processing.start()
        self._capture: CaptureThread | None = None
        self._last_source: FrameSource | None = None
        self._still: np.ndarray | None = None
        self._still_original: np.ndarray | None = None
        self._full_resolution = False
        self.source_name = ""
        self.last_result: FrameResult | None = None
        self.last_error = ""
        self._paused = False
        self._result_times: deque[float] = deque(maxlen=60)

    # --- design ---------------------------------------------------------------------------
    @property
    def design(self) -> Design:
        return self._design

    @property
    def generation(self) -> int:
        return self._generation

    def set_design(self, design: Design) -> None:
        if design == self._design:
            return
        self._design = design
        self._generation += 1
        self._inbox.set_design(design, self._generation)
        self.design_changed.emit(design)
        if self._synchronous and self._still is not None:
            self._run_now(self._still)

    # --- inputs ---------------------------------------------------------------------------
    def open_image(self, path: str | Path) -> bool:
        """Load an image file as the input; on failure keep the current one and say why."""
        try:
            image = load_image(path)
        except ImageLoadError as error:
            self._report(str(error))
            return False
        self.show_image(image, Path(path).name)
        return True

    @property
    def full_resolution(self) -> bool:
        return self._full_resolution

    def set_full_resolution(self, on: bool) -> None:
        """Process still images at full size (on) or at the live working size (off)."""
        self._full_resolution = on
        if self._still_original is not None and self._capture is None:
            self.show_image(self._still_original, self.source_name)

    def show_image(self, image: np.ndarray, name: str) -> None:
        """Make ``image`` the input. Unless full resolution is on, an image larger than the
        live working size (io.images.LIVE_MAX_PIXELS) is processed downscaled."""
        self.stop_source()
        self._still_original = image
        self._still = image if self._full_resolution else fit_for_live(image)
        self.source_name = name
        self.source_changed.emit(name)
        if self._synchronous:
            self._run_now(self._still)
        else:
            self._inbox.put_frame(Frame(self._still, 0, time.time()), still=True)

    def remeasure(self) -> bool:
        """Run the current still image again, for fresh timings; False if there is none.

        The first still is timed while the window is still being built and painted, on the
        same cores; a second run once the window is idle gives the numbers worth reading.
        """
        if self._still is None or self._capture is not None:
            return False
        if self._synchronous:
            self._run_now(self._still)
        else:
            self._inbox.put_frame(Frame(self._still, 0, time.time()), still=True)
        return True

    def start_source(self, source: FrameSource) -> None:
        """Stream from a live or video source; the previous source is stopped first."""
        self.stop_source()
        self._still = self._still_original = None
        self._last_source = source
        self.source_name = source.name
        capture = CaptureThread(source, self._inbox)
        capture.failed.connect(self._on_source_failed)
        capture.ended.connect(self.source_ended)
        self._capture = capture
        self._set_paused(False)
        capture.start()
        self.source_changed.emit(source.name)

    def restart_source(self) -> bool:
        """Reconnect the last live source after a failure."""
        if self._last_source is None:
            return False
        self.start_source(self._last_source)
        return True

    def stop_source(self) -> None:
        if self._capture is not None:
            self._capture.stop()
            self._capture.wait()
            self._capture = None

    @property
    def is_streaming(self) -> bool:
        return self._capture is not None and self._capture.isRunning()

    # --- pause / step -----------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return self._paused

    def _set_paused(self, paused: bool) -> None:
        if paused != self._paused:
            self._paused = paused
            self.paused_changed.emit(paused)

    def toggle_pause(self) -> None:
        if self._capture is not None:
            self._capture.set_paused(not self._paused)
            self._set_paused(not self._paused)

    def step(self) -> None:
        if self._capture is not None:
            self._capture.step()
            self._set_paused(True)

    # --- results ----------------------------------------------------------------------------
    @property
    def fps(self) -> float:
        """Results shown per second over the last ~60 results."""
        times = self._result_times
        if len(times) < 2 or times[-1] == times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def _run_now(self, image: np.ndarray) -> None:
        try:
            result = run_design(
                image, self._design, generation=self._generation, repeats=STILL_REPEATS
            )
        except ValueError as error:
            self._report(str(error))
            return
        self._on_result(result)

    def _on_result(self, result: FrameResult) -> None:
        if result.generation != self._generation:
            return  # made for a design the user has already changed
        self._result_times.append(time.perf_counter())
        self.last_result = result
        self.result_ready.emit(result)

    def _on_processing_failed(self, message: str, generation: int) -> None:
        if generation == self._generation:
            self._report(message)

    def _on_source_failed(self, message: str) -> None:
        self.stop_source()  # the thread is already on its way out; join it
        self._set_paused(False)
        self.last_error = message
        self.source_failed.emit(message)

    def _report(self, message: str) -> None:
        self.last_error = message
        self.error.emit(message)

    # --- shutdown ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop and join every thread; safe to call more than once."""
        self.stop_source()
        self._inbox.close()
        self._processing.requestInterruption()
        self._processing.wait()
