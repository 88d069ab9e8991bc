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
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...app.state import MAX_CHANNELS, MAX_KERNEL_SIDE
from ...app.sweep import (
    DEFAULT_RANGES,
    MAX_REPEATS,
    MAX_SIDE,
    SweepPoint,
    SweepResult,
    SweepSpec,
    as_range,
    value_range,
)
from ...app.sweep_report import to_csv, to_json, write_new
from ...app.sweep_worker import SweepWorker
from ...engine import ALGORITHMS, MODES
from .benchmark_plots import SweepPlots
from ..views.result_views import MODE_TITLES

VARIABLE_TITLES = {
    "k": "Kernel size k",
    "P": "Output channels P",
    "C": "Input channels C",
    "size": "Image width W",
}
EXPORTS = {
    "CSV": "the table",
    "JSON": "the report (machine and points)",
    "PNG": "both plots",
    "SVG": "both plots",
}
ERROR_STYLE = "color: #e06c66"


def _spin(low: int, high: int, tip: str) -> QSpinBox:
    box = QSpinBox(minimum=low, maximum=high)
    box.setToolTip(tip)
    box.setAccelerated(True)
    return box


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget, 0 if isinstance(widget, QLabel) else 1)  # labels stay tight
    return holder


def _time_left(seconds: float) -> str:
    if seconds < 1:
        return "under a second left"
    return f"about {seconds:.0f} s left" if seconds < 90 else f"about {seconds / 60:.0f} min left"


class BenchmarkPanel(QWidget):
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

    # --- controls -----------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.settings_box = QWidget()
        form = QFormLayout(self.settings_box)
        form.setContentsMargins(2, 2, 6, 2)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.variable = QComboBox()
        for name, title in VARIABLE_TITLES.items():
            self.variable.addItem(title, name)
        self.variable.setToolTip("The size that changes from point to point")
        form.addRow("Vary", self.variable)
        self.first = _spin(1, MAX_SIDE, "First value")
        self.last = _spin(1, MAX_SIDE, "Last value (included when the steps reach it)")
        self.step = _spin(1, MAX_SIDE, "Step between values")
        self.step_kind = QComboBox()
        self.step_kind.addItem("+", False)
        self.step_kind.addItem("×", True)
        self.step_kind.setToolTip("Add the step (even spacing) or multiply by it (log axes)")
        form.addRow("From", _row(self.first, QLabel("to"), self.last))
        form.addRow("Step", _row(self.step_kind, self.step))
        self.k = _spin(1, MAX_KERNEL_SIDE, "Kernel size k (k × k) when k is not swept")
        self.outputs = _spin(1, MAX_CHANNELS, "Output channels P when P is not swept")
        self.channels = _spin(1, MAX_CHANNELS, "Input channels C when C is not swept")
        self.width_box = _spin(
            1,
            MAX_SIDE,
            "Image width; when the image size is swept, W × H only sets the aspect ratio",
        )
        self.height_box = _spin(1, MAX_SIDE, "Image height")
        self.fixed = {"k": self.k, "P": self.outputs, "C": self.channels}
        form.addRow(
            "Sizes",
            _row(QLabel("k"), self.k, QLabel("P"), self.outputs, QLabel("C"), self.channels),
        )
        form.addRow("Image", _row(self.width_box, QLabel("×"), self.height_box))
        self.mode_boxes: dict[str, QCheckBox] = {}
        for mode in MODES:
            self.mode_boxes[mode] = box = QCheckBox(MODE_TITLES[mode].split("-")[0])
            box.setToolTip(f"Time {MODE_TITLES[mode].lower()} convolution")
        form.addRow("Modes", _row(*self.mode_boxes.values()))
        self.algorithm = QComboBox()
        self.algorithm.addItems(ALGORITHMS)
        self.algorithm.setToolTip(
            "How normal convolution is computed; auto lets a cost model "
            "pick per point (the CSV records what ran)"
        )
        self.repeats = _spin(
            1,
            MAX_REPEATS,
            "Timed runs per mode and point, after one warm-up run; the median is kept",
        )
        form.addRow("Normal conv", self.algorithm)
        form.addRow("Repeats", self.repeats)
        self.check = QLabel()
        self.check.setWordWrap(True)

        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m points")
        self.status = QLabel("Ready")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.variable.currentIndexChanged.connect(self._variable_changed)
        for box in (
            self.first,
            self.last,
            self.step,
            self.k,
            self.outputs,
            self.channels,
            self.width_box,
            self.height_box,
            self.repeats,
        ):
            box.valueChanged.connect(self._validate)
        for combo in (self.step_kind, self.algorithm):
            combo.currentIndexChanged.connect(self._validate)
        for box in self.mode_boxes.values():
            box.toggled.connect(self._validate)

    def _variable_changed(self) -> None:
        variable = self.variable.currentData()
        first, last, step, geometric = DEFAULT_RANGES[variable]
        self.step_kind.setCurrentIndex(int(geometric))
        for box, value in ((self.first, first), (self.last, last), (self.step, step)):
            box.setValue(value)
        for name, box in self.fixed.items():
            box.setEnabled(name != variable)
        self._validate()

    def spec(self) -> SweepSpec:
        """The sweep the controls describe; ValueError (with a readable message) if none."""
        values = value_range(
            self.first.value(), self.last.value(), self.step.value(), self.step_kind.currentData()
        )
        return SweepSpec(
            variable=self.variable.currentData(),
            values=tuple(values),
            k=self.k.value(),
            outputs=self.outputs.value(),
            channels=self.channels.value(),
            width=self.width_box.value(),
            height=self.height_box.value(),
            modes=tuple(m for m in MODES if self.mode_boxes[m].isChecked()),
            algorithm=self.algorithm.currentText(),
            repeats=self.repeats.value(),
        )

    def set_spec(self, spec: SweepSpec) -> None:
        """Show ``spec`` in the controls; ValueError if its values are not a + or × range."""
        first, last, step, geometric = as_range(spec.values)
        self.variable.setCurrentIndex(self.variable.findData(spec.variable))
        self._variable_changed()
        self.step_kind.setCurrentIndex(int(geometric))
        for box, value in (
            (self.first, first),
            (self.last, last),
            (self.step, step),
            (self.k, spec.k),
            (self.outputs, spec.outputs),
            (self.channels, spec.channels),
            (self.width_box, spec.width),
            (self.height_box, spec.height),
            (self.repeats, spec.repeats),
        ):
            box.setValue(value)
        for mode, box in self.mode_boxes.items():
            box.setChecked(mode in spec.modes)
        self.algorithm.setCurrentText(spec.algorithm)
        self._validate()

    def _validate(self) -> bool:
        """Show what the controls would sweep, or why they cannot; True if they can."""
        try:
            spec = self.spec()
        except ValueError as error:
            self.check.setStyleSheet(ERROR_STYLE)
            self.check.setText(str(error))
            return False
        values = spec.values
        shown = ", ".join(map(str, values[:8])) + (", …" if len(values) > 8 else "")
        self.check.setStyleSheet("")
        self.check.setText(f"{len(values)} point{'s' * (len(values) > 1)}: {shown}")
        return True

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

    # --- export -------------------------------------------------------------------------------
    def export(self, kind: str) -> bool:
        """Ask for a file name, ask before replacing a file, and save ``kind`` there."""
        kind = kind.upper()
        if kind not in EXPORTS or self.result is None or not self.result.points:
            return self.save(kind, "")  # says what is wrong
        suffix = kind.lower()
        suggested = self._folder / f"sweep-{self.result.spec.variable}.{suffix}"
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Save {EXPORTS[kind]} as {kind}",
            str(suggested),
            f"{kind} (*.{suffix})",
            options=QFileDialog.DontConfirmOverwrite,
        )  # asked below, after the suffix is added
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != f".{suffix}":
            path = path.with_name(f"{path.name}.{suffix}")
        self._folder = path.parent
        overwrite = path.exists()
        if overwrite and not self.confirm_overwrite(path):
            return False
        return self.save(kind, path, overwrite=overwrite)

    def confirm_overwrite(self, path: Path) -> bool:
        """Ask whether to replace ``path``."""
        answer = QMessageBox.question(
            self,
            "Replace file?",
            f"{path.name} already exists in {path.parent}.\nReplace it?",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No,
        )
        return answer == QMessageBox.Yes

    def save(self, kind: str, path: str | Path, *, overwrite: bool = False) -> bool:
        """Write the CSV table, the JSON report, or a PNG or SVG of both plots to ``path``.

        An existing file is kept unless ``overwrite``. Returns True once written; otherwise
        False, with the reason in the status line.
        """
        path = Path(path)
        kind = kind.upper()
        if kind not in EXPORTS:
            self._say(f"Cannot export {kind!r}: use CSV, JSON, PNG or SVG", error=True)
            return False
        if self.result is None or not self.result.points:
            self._say("Nothing to export yet: run a sweep first", error=True)
            return False
        try:
            data = {
                "CSV": lambda: to_csv(self.result).encode("utf-8"),
                "JSON": lambda: to_json(self.result).encode("utf-8"),
                "PNG": self.plots.png_bytes,
                "SVG": self.plots.svg_bytes,
            }[kind]()
            write_new(path, data, overwrite=overwrite)
        except FileExistsError:
            self._say(f"{path.name} already exists: not replaced", error=True)
            return False
        except (OSError, ValueError, RuntimeError) as error:
            self._say(f"Could not save {path.name}: {error}", error=True)
            return False
        self._say(f"Saved {path}")
        return True
