"""Which depthwise kernel the editor shows: one for every channel, one per channel, or one
per map, and the channel (and map) being edited. Names and turns come from
:mod:`...app.design_kernels`; this widget only shows them and says what the user picked."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel

from ...app import design_kernels

KINDS = (("shared", "One kernel for every channel"), ("per_channel", "Per-channel kernels"))
MAPS = (("turned", "Turned copies"), ("per_map", "Edit each map"))
BASE_LABEL = "Base kernel (spatial mode)"


class KernelTargetPicker(QGroupBox):
    """Emits ``kind_requested(depthwise_kind)`` and ``target_changed((channel, map))``."""

    kind_requested = Signal(str)
    target_changed = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__("Depthwise kernels", parent)
        form = self.form = QFormLayout(self)
        self.kind = QComboBox()
        for name, text in KINDS:
            self.kind.addItem(text, name)
        self.kind.setToolTip(
            "One kernel for every input channel, or a kernel of its own for each channel "
            "(e.g. R: Sobel x, G: Sobel y, B: Gaussian)"
        )
        self.maps = QComboBox()
        for name, text in MAPS:
            self.maps.addItem(text, name)
        self.maps.setToolTip(
            "The M maps of each channel: its kernel turned a quarter turn per map, or a "
            "kernel of its own for each map"
        )
        self.kind.currentIndexChanged.connect(lambda: self._kind_picked(self.kind))
        self.maps.currentIndexChanged.connect(lambda: self._kind_picked(self.maps))
        form.addRow("Kernels", self.kind)
        form.addRow("M maps", self.maps)
        row = QHBoxLayout()
        self.channel = QComboBox()
        self.channel.setToolTip("The kernel shown and edited below")
        self.map = QComboBox()
        self.map.setToolTip("Which of the channel's M maps")
        row.addWidget(self.channel, 2)
        row.addWidget(self.map, 1)
        self.channel.currentIndexChanged.connect(self._target_picked)
        self.map.currentIndexChanged.connect(self._target_picked)
        form.addRow("Edit", row)
        self._edit_row = row
        self.turns = QLabel(wordWrap=True)
        form.addRow(self.turns)
        self._kind = "shared"

    def show_state(self, design, labels: list[str], target, shape: tuple[int, int]) -> None:
        """Show the design's kind, its channels ``labels`` and the ``target`` being edited."""
        kind, m = design.depthwise_kind, design.multiplier
        self._kind = kind
        blockers = [QSignalBlocker(w) for w in (self.kind, self.maps, self.channel, self.map)]
        self.kind.setCurrentIndex(0 if kind == "shared" else 1)
        self.maps.setCurrentIndex(1 if kind == "per_map" else 0)
        self.channel.clear()
        self.channel.addItem(BASE_LABEL, None)
        if kind != "shared":
            for c, name in enumerate(labels):
                self.channel.addItem(name, c)
        channel, map_index = target
        self.channel.setCurrentIndex(0 if channel is None else channel + 1)
        self.map.clear()
        for index in range(m):
            self.map.addItem(f"map {index + 1} of {m}", index)
        self.map.setCurrentIndex(map_index or 0)
        del blockers
        self.channel.setVisible(kind != "shared")
        self.map.setVisible(kind == "per_map" and channel is not None)
        # Rows with nothing to choose are hidden, so the default (one kernel, M = 1) takes
        # one line and the kernel grid below stays in view on a 720-pixel screen.
        self.form.setRowVisible(self.maps, m > 1 or kind == "per_map")
        self.form.setRowVisible(self._edit_row, kind != "shared")
        self.turns.setText(self._describe(kind, m, target, shape))

    @staticmethod
    def _describe(kind: str, m: int, target, shape) -> str:
        channel, _ = target
        if kind == "per_map":
            if channel is None:
                return (
                    "The spatial-separable mode runs this kernel on every channel; the "
                    "depthwise maps are edited one by one (pick a channel and a map)."
                )
            return "This map's kernel is used as drawn; the other maps keep theirs."
        turns = "; ".join(
            f"map {i + 1}: {design_kernels.turn_label(i, shape)}" for i in range(min(m, 4))
        )
        whose = "Every channel's" if kind == "shared" else "Each channel's"
        if kind == "per_channel" and channel is None:
            whose = "The spatial-separable mode runs this kernel on every channel. " + whose
        if m == 1:
            return f"{whose} one map is its kernel as drawn (M = 1)."
        more = ", then again" if m > 4 else ""
        return f"{whose} M = {m} maps are turned copies: {turns}{more}."

    def _kind_picked(self, combo: QComboBox) -> None:
        per_map = self.maps.currentData() == "per_map"
        if combo is self.kind:
            kind = self.kind.currentData()
            kind = "per_map" if per_map and kind == "per_channel" else kind
        else:  # turned copies keep the kernels' kind: per channel unless shared
            kind = "per_map" if per_map else self.kind.currentData()
        if kind != self._kind:
            self.kind_requested.emit(kind)

    def _target_picked(self) -> None:
        channel = self.channel.currentData()
        if channel is None:
            self.target_changed.emit(design_kernels.BASE)
        elif self._kind == "per_map":
            self.target_changed.emit((channel, self.map.currentData() or 0))
        else:
            self.target_changed.emit((channel, None))
