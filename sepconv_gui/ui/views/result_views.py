"""The central area: the input and each enabled mode's output, side by side, zoom linked."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from ...app import layer_feed
from ...app.pipeline import FrameResult
from ...engine import MODES

# The colours are shared by every view that shows arrays; they live with the image panel.
from .comparison import cell_of, stride_of
from .display import shared_look
from .image_panel import BACKGROUND, GRAY_MAP, SIGNED_MAP, ImagePanel

__all__ = ["BACKGROUND", "GRAY_MAP", "MODE_TITLES", "SIGNED_MAP", "ResultViews"]

MODE_TITLES = {
    "normal": "Normal",
    "spatial": "Spatial-separable",
    "depthwise": "Depthwise-separable",
}


def mega(count: int) -> str:
    return f"{count / 1e6:.1f} M" if count >= 1e5 else f"{count:,}"


class ResultViews(QWidget):
    """Input plus one panel per enabled mode, in a near-square grid; views move together."""

    views_rebuilt = Signal(list)  # the ViewBoxes, after panels were added or removed

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.panels: dict[str, ImagePanel] = {}
        self._mapping_generation = -1
        self._shared_mapping: str | None = None  # decided on a design's first result
        self.look = None  # the SharedLook of the outputs on screen
        self._fitting = True  # fit images to views until the user zooms or pans
        self._shape: tuple[int, ...] | None = None  # (H, W) of the images shown
        self._build(("input",) + MODES)

    def _build(self, names: tuple[str, ...]) -> None:
        """Lay out one panel per name; panels that stay keep their channel and mapping."""
        old = self.panels
        for name, panel in old.items():
            self.grid.removeWidget(panel)
            if name not in names:
                panel.deleteLater()
        self.panels = {}
        columns = math.ceil(math.sqrt(len(names)))
        for index, name in enumerate(names):
            panel = old.get(name)
            if panel is None:
                panel = ImagePanel("Input" if name == "input" else MODE_TITLES[name])
                panel.view.sigRangeChangedManually.connect(self._user_moved_view)
                if name != "input":
                    panel.set_auto_label(
                        "Shared",
                        "The same mapping and levels in every output view, so equal values "
                        "look equal; pick a mapping here to override it for this view only",
                    )
            row, column = divmod(index, columns)
            self.grid.addWidget(panel, row, column)
            if self.panels:
                first = next(iter(self.panels.values())).view
                panel.view.setXLink(first)
                panel.view.setYLink(first)
            self.panels[name] = panel
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.views_rebuilt.emit(self.views)

    @property
    def views(self) -> list[pg.ViewBox]:
        return [panel.view for panel in self.panels.values()]

    def show_result(self, result: FrameResult) -> None:
        names = ("input",) + tuple(m for m in MODES if m in result.results)
        # A new image size (another source, full resolution on) refits like a first frame.
        first_frame = result.image.shape[:2] != self._shape
        self._shape = result.image.shape[:2]
        if names != tuple(self.panels):
            self._build(names)
            first_frame = True
        # Automatic mappings are chosen on a design's first result and then kept, so live
        # video does not flip between mappings from one frame to the next.
        decide = result.generation != self._mapping_generation
        image = result.image
        self.panels["input"].show_array(
            image[:, :, 0] if image.shape[2] == 1 else image, fixed_mapping="clip"
        )
        height, width, channels = image.shape
        note = layer_feed.input_note(result.design.layer_input) if result.design else ""
        self.panels["input"].detail.setText(
            f"{width}×{height}, C = {channels}" + (f" · {note}" if note else "")
        )
        outputs = [conv.output for conv in result.results.values()]
        if decide or self._shared_mapping is None:
            self._shared_mapping = shared_look(outputs).mapping
        look = shared_look(outputs, self._shared_mapping)
        self.look = look
        stride = stride_of(result)
        for mode, conv in result.results.items():
            panel = self.panels[mode]
            cell = cell_of(conv.output.shape, image.shape, stride)
            panel.show_array(conv.output, choose_mapping=decide, look=look, cell=cell)
            panel.detail.setText(
                f"{conv.algorithm} · {1e3 * conv.total_seconds:.1f} ms · "
                f"{mega(conv.cost.multiplications)} mult · P = {conv.output.shape[2]}"
                + (f" · {conv.output.shape[1]}×{conv.output.shape[0]}" if cell != (1, 1) else "")
            )
        self._mapping_generation = result.generation
        if first_frame:
            self.reset_view()

    def shared_look_for(self, mode: str):
        """The SharedLook the view of ``mode`` shows, or None when it overrides it (export
        writes 8-bit images with it, so they look as on screen)."""
        panel = self.panels.get(mode)
        return self.look if panel is not None and panel.shares_look else None

    def reset_view(self) -> None:
        """Fit the images to their views, and keep fitting on resize until the user zooms."""
        self._fitting = True
        self._fit()

    def _fit(self) -> None:
        # Explicit fits rather than pyqtgraph's auto-range: linked views turn each other's
        # auto-range off, and a fit made before the window had a size must be redone.
        if not self._fitting:
            return
        for panel in self.panels.values():
            if panel.source is not None:
                panel.view.autoRange(items=[panel.item], padding=0.02)
                return  # the others follow through their links

    def _user_moved_view(self) -> None:
        self._fitting = False

    def zoom(self, factor: float) -> None:
        self._fitting = False
        self.views[0].scaleBy((1 / factor, 1 / factor))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitting:
            QTimer.singleShot(0, self._fit)  # once the panels have their new sizes

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._fitting:
            QTimer.singleShot(0, self._fit)
