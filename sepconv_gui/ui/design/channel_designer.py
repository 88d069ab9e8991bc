"""The channel side of the design: modes, M, P, pointwise weights and run options."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from ...app.design_checks import FrozenArray
from ...app.design_file import MAX_STEP
from ...app.state import MAX_CHANNELS, MAX_OUT_CHANNELS, POINTWISE_KINDS, Design
from ...engine import ALGORITHMS, BORDER_MODES, MODES
from ..views.result_views import MODE_TITLES
from .cost_card import CostCard
from .normal_bank import NormalBankPanel
from .pointwise_editor import PointwiseEditor
from .wheel_guard import guard_wheel

BORDER_TITLES = {
    "reflect101": "Reflect 101 (OpenCV default)",
    "reflect": "Reflect",
    "replicate": "Replicate",
    "constant": "Zeros",
    "wrap": "Wrap around",
}


class ChannelDesigner(QWidget):
    """Emits ``changed`` with the design fields the user just edited."""

    changed = Signal(dict)
    labelled_change = Signal(dict, str)  # edits that name themselves for the undo history
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        modes_row = QHBoxLayout()
        self.mode_boxes: dict[str, QCheckBox] = {}
        for mode in MODES:
            box = QCheckBox(MODE_TITLES[mode].split("-")[0])
            box.setToolTip(f"Run {MODE_TITLES[mode].lower()} convolution")
            box.toggled.connect(self._modes_edited)
            modes_row.addWidget(box)
            self.mode_boxes[mode] = box
        form.addRow("Modes", modes_row)

        self.grayscale = QCheckBox("Convert input to gray (C = 1)")
        self.grayscale.toggled.connect(lambda on: self.changed.emit({"grayscale": on}))
        form.addRow("Input", self.grayscale)
        self.channels = QSpinBox(minimum=0, maximum=MAX_CHANNELS)
        self.channels.setSpecialValueText("from the source")
        self.channels.setToolTip(
            "Input channels C: the source's own (1 or 3), or up to 256 synthesized from it "
            "(colour, gradients, blurs and shifted copies, always in the same order)"
        )
        self.channels.setKeyboardTracking(False)
        self.channels.valueChanged.connect(lambda v: self.changed.emit({"channels": v}))
        form.addRow("Input channels C", self.channels)

        self.multiplier = QSpinBox(minimum=1, maximum=16)
        self.multiplier.setToolTip(
            "Depth multiplier M: kernels per input channel. "
            "Kernel m is the base kernel turned m quarter turns."
        )
        self.multiplier.valueChanged.connect(lambda v: self.changed.emit({"multiplier": v}))
        form.addRow("Depth multiplier M", self.multiplier)

        self.out_channels = QSpinBox(minimum=1, maximum=MAX_OUT_CHANNELS)
        self.out_channels.setToolTip("Output channels P of the normal and pointwise steps")
        self.out_channels.valueChanged.connect(lambda v: self.changed.emit({"out_channels": v}))
        form.addRow("Output channels P", self.out_channels)

        self.pointwise = QComboBox()
        self.pointwise.addItems(POINTWISE_KINDS)
        self.pointwise.setToolTip(
            "The 1x1xC*M pointwise weights mixing depthwise maps into P outputs"
        )
        self.pointwise.currentTextChanged.connect(self._pointwise_picked)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.seed.setPrefix("seed ")
        self.seed.valueChanged.connect(lambda v: self.changed.emit({"pointwise_seed": v}))
        row = QHBoxLayout()
        row.addWidget(self.pointwise, 1)
        row.addWidget(self.seed)
        form.addRow("Pointwise weights", row)

        self.rank = QSpinBox(minimum=0, maximum=31)
        self.rank.setSpecialValueText("exact (full rank)")
        self.rank.setToolTip(
            "Pairs of 1-D passes r in the spatial-separable mode; 1 forces a "
            "rank-1 approximation of a non-separable kernel"
        )
        self.rank.valueChanged.connect(lambda v: self.changed.emit({"spatial_rank": v}))
        form.addRow("Spatial rank r", self.rank)

        self.border = QComboBox()
        for mode in BORDER_MODES:
            self.border.addItem(BORDER_TITLES[mode], mode)
        self.border.currentIndexChanged.connect(
            lambda _: self.changed.emit({"border": self.border.currentData()})
        )
        form.addRow("Border", self.border)

        self.flip = QCheckBox("True convolution (rotate kernel 180°)")
        self.flip.setToolTip("Off: correlation, as OpenCV filter2D and deep-learning layers")
        self.flip.toggled.connect(lambda on: self.changed.emit({"flip": on}))
        form.addRow("", self.flip)

        self.algorithm = QComboBox()
        self.algorithm.addItems(ALGORITHMS)
        self.algorithm.setToolTip("How normal convolution is computed; auto picks by a cost model")
        self.algorithm.currentTextChanged.connect(
            lambda name: self.changed.emit({"algorithm": name})
        )
        form.addRow("Normal algorithm", self.algorithm)

        # The sampling grid of every mode, as a network layer's stride and dilation.
        self.stride = QSpinBox(minimum=1, maximum=MAX_STEP)
        self.stride.setPrefix("stride ")
        self.stride.setToolTip(
            "Stride s: every mode computes every s-th row and column only "
            "(output ceil(H/s) x ceil(W/s)), as a network layer with that stride"
        )
        self.stride.valueChanged.connect(lambda v: self.changed.emit({"stride": (v, v)}))
        self.dilation = QSpinBox(minimum=1, maximum=MAX_STEP)
        self.dilation.setPrefix("dilation ")
        self.dilation.setToolTip(
            "Dilation d: the kernel's taps are d pixels apart (a 3x3 kernel at d = 2 spans "
            "5x5 with the same 9 multiplications)"
        )
        self.dilation.valueChanged.connect(lambda v: self.changed.emit({"dilation": (v, v)}))
        grid_row = QHBoxLayout()
        grid_row.addWidget(self.stride)
        grid_row.addWidget(self.dilation)
        form.addRow("Sampling grid", grid_row)
        self.cost_card = CostCard()
        form.addRow(self.cost_card)
        self.pointwise_editor = PointwiseEditor()
        self.pointwise_editor.changed.connect(self.labelled_change)
        self.pointwise_editor.failed.connect(self.failed)
        form.addRow(self.pointwise_editor)
        self.normal_bank = NormalBankPanel()
        self.normal_bank.changed.connect(self.labelled_change)
        self.normal_bank.failed.connect(self.failed)
        form.addRow(self.normal_bank)
        self.source_channels = 3  # the source's own channel count, once a frame says
        self._design: Design | None = None
        guard_wheel(self)

    def _pointwise_picked(self, kind: str) -> None:
        if kind == "custom":
            # Custom starts from the matrix on show, ready to edit, not from nothing.
            matrix = FrozenArray(self.pointwise_editor.matrix)
            self.changed.emit({"pointwise": "custom", "pointwise_custom": matrix})
        else:
            self.changed.emit({"pointwise": kind})

    def _modes_edited(self) -> None:
        modes = tuple(m for m in MODES if self.mode_boxes[m].isChecked())
        self.changed.emit({"modes": modes})

    def set_source_channels(self, channels: int) -> None:
        """The source has ``channels`` channels (1 or 3): matrices follow its real C."""
        if channels != self.source_channels:
            self.source_channels = channels
            if self._design is not None:
                self.set_design(self._design)

    def set_design(self, design: Design) -> None:
        """Show ``design`` without echoing it back as an edit."""
        self._design = design
        widgets = [
            *self.mode_boxes.values(),
            self.grayscale,
            self.channels,
            self.multiplier,
            self.out_channels,
            self.pointwise,
            self.seed,
            self.rank,
            self.border,
            self.flip,
            self.algorithm,
            self.stride,
            self.dilation,
        ]
        blockers = [QSignalBlocker(w) for w in widgets]
        for mode, box in self.mode_boxes.items():
            box.setChecked(mode in design.modes)
        self.grayscale.setChecked(design.grayscale)
        self.channels.setValue(design.channels)
        self.multiplier.setValue(design.multiplier)
        self.out_channels.setValue(design.out_channels)
        self.pointwise.setCurrentText(design.pointwise)
        self.seed.setValue(design.pointwise_seed)
        self.seed.setEnabled(design.pointwise == "random")
        self.rank.setValue(design.spatial_rank)
        self.border.setCurrentIndex(self.border.findData(design.border))
        self.flip.setChecked(design.flip)
        self.algorithm.setCurrentText(design.algorithm)
        for box, (vertical, horizontal) in (
            (self.stride, design.stride),
            (self.dilation, design.dilation),
        ):
            box.setValue(vertical)
            box.setSuffix("" if vertical == horizontal else f" × {horizontal}")  # rows × columns
        del blockers
        self.pointwise_editor.set_design(design, self.source_channels)
        self.cost_card.set_design(design, self.source_channels)
        self.normal_bank.set_design(design, self.source_channels)
