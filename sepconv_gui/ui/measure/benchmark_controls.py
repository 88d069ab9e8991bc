"""The benchmark panel's sweep settings: what to vary, over which range, with which sizes.

A mixin of :class:`~.benchmark_panel.BenchmarkPanel` (the widgets are its attributes, as
tests and the window expect); it builds the form, turns it into a
:class:`~...app.sweep.SweepSpec` and back, and says what a setting would sweep or why not.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ...app.state import MAX_CHANNELS, MAX_KERNEL_SIDE
from ...app.sweep import DEFAULT_RANGES, MAX_REPEATS, MAX_SIDE, SweepSpec, as_range, value_range
from ...engine import ALGORITHMS, MODES
from ..views.result_views import MODE_TITLES

VARIABLE_TITLES = {
    "k": "Kernel size k",
    "P": "Output channels P",
    "C": "Input channels C",
    "size": "Image width W",
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


class SweepControls:
    """The settings form; mixed into BenchmarkPanel, which provides start/cancel."""

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
