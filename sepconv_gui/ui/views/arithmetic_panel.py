"""The arithmetic of the hovered pixel in every mode, under the pixel inspector's table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...app.pipeline import FrameResult
from ...app.pixel_math import EngineInputs, PixelArithmetic, engine_inputs, explain_pixel
from .arithmetic_text import pixel_html, pixel_lines

HINT = "Hover over an image: each mode's sum for that pixel appears here, with its multiplications."


class ArithmeticPanel(QWidget):
    """Shows :func:`~sepconv_gui.app.pixel_math.explain_pixel` for one pixel as text.

    The engine inputs are rebuilt only when the design or the channel count changes, so a
    hover over live video costs one pixel's sums. ``output`` picks the output channel
    explained (normal and depthwise p, spatial c).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        heading = QLabel("How each mode makes this pixel")
        heading.setStyleSheet("font-weight: 600")
        self.output_box = QSpinBox()
        self.output_box.setPrefix("output ")
        self.output_box.setRange(1, 1)
        self.output_box.setToolTip(
            "Which output channel to work out: p for normal and depthwise-separable, "
            "c for spatial-separable"
        )
        top.addWidget(heading, 1)
        top.addWidget(self.output_box)
        self.text = QLabel(HINT)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.RichText)
        self.text.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.text)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self.arithmetic: PixelArithmetic | None = None
        self._point: tuple[float, float] | None = None
        self._result: FrameResult | None = None
        self._inputs: tuple[object, int, EngineInputs] | None = None  # (design, C, inputs)
        self.output_box.valueChanged.connect(self._redraw)

    @property
    def output(self) -> int:
        """The output channel explained, counted from 0."""
        return self.output_box.value() - 1

    def set_output(self, channel: int) -> None:
        self.output_box.setValue(channel + 1)

    def lines(self) -> list[str]:
        """What the panel says, as plain lines (for tests and the command line)."""
        return pixel_lines(self.arithmetic) if self.arithmetic is not None else []

    def show_pixel(self, result: FrameResult | None, x: float, y: float) -> None:
        self._result, self._point = result, (x, y)
        self._redraw()

    def clear(self) -> None:
        self._point, self.arithmetic = None, None
        self.text.setText(HINT)

    def _inputs_for(self, result: FrameResult) -> EngineInputs | None:
        design, channels = result.design, result.image.shape[2]
        if design is None:
            return None
        cached = self._inputs
        if cached is None or cached[0] is not design or cached[1] != channels:
            cached = self._inputs = (design, channels, engine_inputs(design, channels))
        return cached[2]

    def _redraw(self) -> None:
        result, point = self._result, self._point
        if result is None or point is None:
            self.clear()
            return
        inputs = self._inputs_for(result)
        if inputs is None:
            self.clear()
            return
        outputs = [conv.output.shape[2] for conv in result.results.values()]
        self.output_box.setMaximum(max(outputs + [1]))
        # The point is in input pixels; the sums are per output pixel, one per stride step.
        (sy, sx), (x, y) = inputs.stride, point
        arithmetic = explain_pixel(result.image, inputs, x / sx, y / sy, self.output)
        self.arithmetic = arithmetic
        if arithmetic is None:
            self.text.setText("Outside the image.")
            return
        # Only the modes that ran: a design may have turned some off.
        arithmetic.modes = {m: a for m, a in arithmetic.modes.items() if m in result.results}
        depthwise = arithmetic.modes.get("depthwise")
        if depthwise is not None and result.results["depthwise"].algorithm.startswith("sep"):
            depthwise.notes.append(
                "the engine ran each rank-1 depthwise kernel as two 1-D passes (kh + kw "
                "mult per map, not kh·kw): the same sum, fewer products"
            )
        self.text.setText(pixel_html(arithmetic))
