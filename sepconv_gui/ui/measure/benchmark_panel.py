"""The benchmark sweep panel: pick a variable and a range, run, watch the curves, export.

The sweep runs in a :class:`~..app.sweep_worker.SweepWorker`; this widget reads its
controls, starts and cancels the worker, hands results to
:class:`~.benchmark_plots.SweepPlots` and writes files through :mod:`~..app.sweep_report`.

Embedding::

    panel = BenchmarkPanel()
    dock.setWidget(panel)
    ...
    def closeEvent(self, event):
        panel.shutdown()  # cancels and joins a running sweep
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ...app.sweep import SweepPoint, SweepResult, SweepSpec
from ...app.sweep_worker import SweepWorker
from .benchmark_controls import ERROR_STYLE, VARIABLE_TITLES, SweepControls, _row
from .benchmark_export import EXPORTS, SweepExports
from .benchmark_plots import SweepPlots

__all__ = ["EXPORTS", "VARIABLE_TITLES", "BenchmarkPanel"]


def _time_left(seconds: float) -> str:
    if seconds < 1:
        return "under a second left"
    return f"about {seconds:.0f} s left" if seconds < 90 else f"about {seconds / 60:.0f} min left"


class BenchmarkPanel(SweepControls, SweepExports, QWidget):
    """Sweep controls on the left, time and speed-up plots on the right.

    Call :meth:`shutdown` before the window closes: it cancels and joins a running sweep.

    Signals
    -------
    running_changed(bool)
        True once :attr:`worker` exists, just before its thread starts (a window may pause
        other work); False when the sweep's end has been shown.
    point_added(SweepPoint)
        A measured point has reached the panel (GUI thread).
    sweep_finished(str)
        "complete", "cancelled" or "failed"; :attr:`result` then holds every kept point.
    """

    running_changed = Signal(bool)
    point_added = Signal(object)
    sweep_finished = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker: SweepWorker | None = None
        self.result: SweepResult | None = None
        self._folder = Path.home()
        self._build_controls()
        # Settings scroll in a short dock; Run, Cancel, progress and status stay in view.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(self.settings_box)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumHeight(80)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(scroll, 1)
        self.check.setContentsMargins(2, 0, 2, 0)
        for widget in (
            self.check,
            _row(self.run_button, self.cancel_button),
            self.progress,
            self.status,
        ):
            column.addWidget(widget)
        self.plots = SweepPlots()
        # Export sits under the controls: on the plots' option row it made the panel 1100+
        # pixels wide, wider than the bottom dock area of a laptop window.
        self.export_buttons = {kind: QPushButton(kind) for kind in EXPORTS}
        for kind, button in self.export_buttons.items():
            button.setToolTip(f"Save {EXPORTS[kind]} as {kind}")
            button.clicked.connect(lambda _=False, k=kind: self.export(k))
            button.setEnabled(False)  # nothing to export before the first sweep
        column.addWidget(_row(QLabel("Export:"), *self.export_buttons.values()))
        left.setFixedWidth(
            max(
                self.settings_box.sizeHint().width()
                + scroll.verticalScrollBar().sizeHint().width()
                + 4,
                left.sizeHint().width(),
            )
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(left)
        layout.addWidget(self.plots, 1)
        self.set_spec(SweepSpec())

    # --- running ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True from :meth:`start` until the end of the sweep has been shown."""
        return self.worker is not None

    def start(self) -> bool:
        """Start the sweep the controls describe; False (and a message) if they describe none."""
        if self.running:
            return False
        try:
            spec = self.spec()
        except ValueError as error:
            self._say(f"Cannot run: {error}", error=True)
            return False
        self.result = SweepResult(spec, {})
        self.plots.show_result(self.result)
        self.worker = worker = SweepWorker(spec)
        # Bound methods of this widget: every signal is queued onto the GUI thread.
        worker.started.connect(self._on_started)
        worker.progress.connect(self._on_progress)
        worker.point.connect(self._on_point)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.progress.setRange(0, len(spec.values))
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m points")
        self._say("Starting…")
        self._set_running(True)
        worker.start()
        return True

    def cancel(self) -> None:
        """Stop after the current timed run; the points measured so far are kept."""
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self._say("Cancelling after the current run…")

    def shutdown(self, wait_ms: int = -1) -> bool:
        """Cancel a running sweep and join its thread (for at most ``wait_ms`` if given);
        True once no sweep runs. Safe to call more than once."""
        worker = self.worker
        if worker is None:
            return True
        worker.cancel()
        if not worker.wait(wait_ms):
            return False
        # Signals still queued from it are ignored (see _current); its result is not lost.
        self._finish(worker, "Stopped")
        return True

    def _current(self) -> bool:
        return self.worker is not None and self.sender() is self.worker

    def _set_running(self, running: bool) -> None:
        self.settings_box.setEnabled(not running)
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        has_points = bool(self.result and self.result.points)
        for button in self.export_buttons.values():
            button.setEnabled(not running and has_points)
        self.running_changed.emit(running)

    def _on_started(self, _total: int, machine: dict) -> None:
        if self._current():
            self.result.machine = machine

    def _on_progress(self, done: int, total: int, eta: float) -> None:
        if not self._current():
            return
        self.progress.setValue(done)
        if done < total and not self.worker.cancelled:
            if eta >= 0:
                self.progress.setFormat(f"%v / %m points · {_time_left(eta)}")
            spec = self.worker.spec
            name = "W" if spec.variable == "size" else spec.variable
            self._say(f"Measuring {name} = {spec.values[done]} (point {done + 1} of {total})…")

    def _on_point(self, point: SweepPoint) -> None:
        if self._current():
            self.result.points.append(point)
            self.plots.show_result(self.result)
            self.point_added.emit(point)

    def _on_finished(self, _result: SweepResult) -> None:
        if self._current():
            self.worker.wait()  # the sweep has returned: this only reaps the thread
            self._finish(self.worker)

    def _on_failed(self, error: str) -> None:
        if self._current():
            self.worker.wait()
            self._finish(self.worker, detail=error)

    def _finish(self, worker: SweepWorker, prefix: str = "", detail: str = "") -> None:
        self.worker = None
        result = worker.result or self.result
        if result.status == "running":
            result.status = "cancelled"
        self.result = result
        kept, total = len(result.points), len(result.spec.values)
        messages = {
            "complete": f"Done: {kept} point{'s' * (kept != 1)} measured",
            "cancelled": f"Cancelled: kept {kept} of {total} points",
            "failed": f"Failed, kept {kept} of {total} points",
        }
        message = messages[result.status]
        if prefix:
            message = f"{prefix}. {message}"
        if detail:
            message = f"{message}: {detail}"
        picked = Counter(p.modes["normal"].algorithm for p in result.points if "normal" in p.modes)
        if result.spec.algorithm == "auto" and picked:
            message += ". Normal conv (auto) ran " + ", ".join(
                f"{name} at {count} point{'s' * (count > 1)}" for name, count in picked.items()
            )
        self.progress.setFormat("%v / %m points")
        self._set_running(False)
        self.plots.show_result(result)
        self._say(message, error=result.status == "failed")
        self.sweep_finished.emit(result.status)

    def _say(self, message: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(message)
