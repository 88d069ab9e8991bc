"""One preset parameter as a live control: a slider to drag and a spin box to type into."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QSlider, QWidget

from ...engine import ParamSpec

MAX_SLIDER_STEPS = 2000  # past this (a seed) a slider is no use: the spin box alone


class ParamControl(QWidget):
    """``changed(value)`` on every step; ``drag_started`` / ``drag_finished`` around a slider
    drag, so the steps of one drag can become one undo step."""

    changed = Signal(float)
    drag_started = Signal()
    drag_finished = Signal()

    def __init__(self, spec: ParamSpec, value: float, parent=None) -> None:
        super().__init__(parent)
        self.spec = spec
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.spin = QDoubleSpinBox(
            minimum=spec.minimum,
            maximum=spec.maximum,
            singleStep=spec.step,
            decimals=0 if spec.integer else 3,
        )
        if spec.unit:
            self.spin.setSuffix(f" {spec.unit}")
        self.spin.setKeyboardTracking(False)
        steps = round((spec.maximum - spec.minimum) / spec.step)
        self.slider = None
        if steps <= MAX_SLIDER_STEPS:
            self.slider = QSlider(Qt.Horizontal, minimum=0, maximum=steps)
            self.slider.setObjectName(f"{spec.name}Slider")
            row.addWidget(self.slider, 3)
            self.slider.valueChanged.connect(self._slid)
            self.slider.sliderPressed.connect(self.drag_started)
            self.slider.sliderReleased.connect(self.drag_finished)
        row.addWidget(self.spin, 2)
        self.set_value(value)
        self.spin.valueChanged.connect(self._typed)

    def value(self) -> float | int:
        value = self.spin.value()
        return int(round(value)) if self.spec.integer else value

    def set_value(self, value: float) -> None:
        with QSignalBlocker(self.spin):
            self.spin.setValue(float(value))
        if self.slider is not None:
            with QSignalBlocker(self.slider):
                self.slider.setValue(round((value - self.spec.minimum) / self.spec.step))

    def _slid(self, position: int) -> None:
        # Snap to the step grid from the minimum, rounded so 0.1 steps do not show 0.30000004.
        value = round(self.spec.minimum + position * self.spec.step, 10)
        with QSignalBlocker(self.spin):
            self.spin.setValue(value)
        self.changed.emit(self.spin.value())

    def _typed(self, value: float) -> None:
        if self.slider is not None:
            with QSignalBlocker(self.slider):
                self.slider.setValue(round((value - self.spec.minimum) / self.spec.step))
        self.changed.emit(value)
