"""The pointwise weights as a P × (C·M) heat map you can edit cell by cell.

Row p is output channel p; column ``c*M + m`` is channel c's m-th depthwise map. The matrix
shown is the one the engine gets for the current source (a preset's, or the custom one).
Editing a cell (typing, pasting, painting) turns the weights into a custom matrix starting
from what was shown, so "identity, then make output 0 take a little of channel 2" is one edit.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from ...app.design_checks import FrozenArray
from ...app.design_weights import channels_for
from ...app.state import Design, DesignError
from .channel_diagram import ChannelDiagram
from .kernel_grid import KernelGrid, KernelGridArea

MAX_SHOWN = 64  # larger matrices are summarized, not drawn cell by cell


class PointwiseEditor(QGroupBox):
    """Emits ``changed(fields, label)`` for a cell edit; ``failed(message)``."""

    changed = Signal(dict, str)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__("Pointwise weights (P × C·M)", parent)
        layout = QVBoxLayout(self)
        self.caption = QLabel(wordWrap=True)
        layout.addWidget(self.caption)
        self.diagram = ChannelDiagram()
        layout.addWidget(self.diagram)
        self.grid = KernelGrid()
        self.grid.max_cell, self.grid.max_height = 40, 240
        self.grid.setToolTip("Row p: output p. Column c·M + m: channel c's m-th map.")
        self.grid.edited.connect(self._edited)
        self.grid.failed.connect(self.failed)
        self.area = KernelGridArea(self.grid)
        layout.addWidget(self.area)
        self.matrix = np.zeros((1, 1))

    def set_design(self, design: Design, source_channels: int = 3) -> None:
        c = channels_for(design, source_channels)
        p, m = design.out_channels, design.multiplier
        try:
            self.matrix = design.pointwise_weights(c)
        except DesignError as error:
            self.caption.setText(str(error))
            self.area.hide()
            self.diagram.set_weights(None, c, m)
            return
        self.diagram.set_weights(self.matrix, c, m)
        self.caption.setText(
            f"{design.pointwise}: {p} outputs × {c * m} maps (C = {c}, M = {m}). "
            "Edit a cell to make it a custom matrix."
        )
        shown = max(p, c * m) <= MAX_SHOWN
        self.area.setVisible(shown)
        if shown:
            self.grid.set_kernel(self.matrix)
        else:
            self.caption.setText(
                self.caption.text().split(" Edit")[0]
                + f" Too large to edit cell by cell here (over {MAX_SHOWN} a side)."
            )

    def _edited(self, matrix: np.ndarray, label: str) -> None:
        if matrix.shape != self.matrix.shape:
            self.failed.emit(
                f"the pointwise matrix stays {self.matrix.shape[0]}×{self.matrix.shape[1]} "
                "(P × C·M); change P or M to resize it"
            )
            return
        self.changed.emit(
            {"pointwise": "custom", "pointwise_custom": FrozenArray(matrix)},
            f"{label.replace('cell', 'pointwise weight')}",
        )
