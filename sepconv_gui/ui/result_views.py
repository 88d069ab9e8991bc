"""The central area: the input and each enabled mode's output, side by side, zoom linked."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from ..app.pipeline import FrameResult
from ..engine import MODES
from .display import default_mapping, map_for_display, pick_channels

MODE_TITLES = {"normal": "Normal", "spatial": "Spatial-separable", "depthwise": "Depthwise-separable"}
SIGNED_MAP = pg.colormap.get("CET-D1A")
GRAY_MAP = pg.colormap.get("CET-L1")
BACKGROUND = "#202225"


def mega(count: int) -> str:
    return f"{count / 1e6:.1f} M" if count >= 1e5 else f"{count:,}"


class ImagePanel(QWidget):
    """A titled, aspect-locked view of one image."""

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: 600")
        self.title.setMinimumWidth(10)  # long titles are clipped, never widen the panel
        self.detail = QLabel()
        self.detail.setMinimumWidth(10)
        self.detail.setStyleSheet("color: palette(mid)")
        self.graphics = pg.GraphicsView(background=BACKGROUND)
        self.view = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.graphics.setCentralItem(self.view)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.graphics, 1)
        self.mapping = "clip"
        self.shown: np.ndarray | None = None

    def show_array(self, array: np.ndarray, mapping: str) -> None:
        data, levels = map_for_display(array, mapping)
        if data.ndim == 3 and mapping == "signed":
            # A colour map cannot tint RGB; centre each channel on grey instead.
            data, levels = 0.5 + 0.5 * data / levels[1], (0.0, 1.0)
        if data.ndim == 3:
            self.item.setLookupTable(None)
        else:
            self.item.setColorMap(SIGNED_MAP if mapping == "signed" else GRAY_MAP)
        self.item.setImage(data, levels=levels, autoLevels=False)
        self.shown, self.mapping = data, mapping


class ResultViews(QWidget):
    """Input plus one panel per enabled mode, in a near-square grid; views move together."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.panels: dict[str, ImagePanel] = {}
        self.channel: int | None = None  # None: RGB when there are 3 channels
        self.mapping_override: str | None = None
        self._mapping_generation = -1
        self._build(("input",) + MODES)

    def _build(self, names: tuple[str, ...]) -> None:
        for panel in self.panels.values():
            self.grid.removeWidget(panel)
            panel.deleteLater()
        self.panels = {}
        columns = math.ceil(math.sqrt(len(names)))
        for index, name in enumerate(names):
            panel = ImagePanel("Input" if name == "input" else MODE_TITLES[name])
            row, column = divmod(index, columns)
            self.grid.addWidget(panel, row, column)
            if self.panels:
                first = next(iter(self.panels.values())).view
                panel.view.setXLink(first)
                panel.view.setYLink(first)
            self.panels[name] = panel
        for column in range(columns):
            self.grid.setColumnStretch(column, 1)

    @property
    def views(self) -> list[pg.ViewBox]:
        return [panel.view for panel in self.panels.values()]

    def show_result(self, result: FrameResult) -> None:
        names = ("input",) + tuple(m for m in MODES if m in result.results)
        first_frame = self.panels["input"].shown is None
        if names != tuple(self.panels):
            self._build(names)
            first_frame = True
        # Mappings are chosen on a design's first result and then kept, so live video does
        # not flip between mappings from one frame to the next.
        decide = result.generation != self._mapping_generation
        image = result.image
        self.panels["input"].show_array(image[:, :, 0] if image.shape[2] == 1 else image, "clip")
        height, width, channels = image.shape
        self.panels["input"].detail.setText(f"{width}×{height}, C = {channels}")
        for mode, conv in result.results.items():
            panel = self.panels[mode]
            shown = pick_channels(conv.output, self.channel)
            if self.mapping_override:
                mapping = self.mapping_override
            elif decide or panel.shown is None:
                mapping = default_mapping(shown)
            else:
                mapping = panel.mapping
            panel.show_array(shown, mapping)
            panel.detail.setText(
                f"{conv.algorithm} · {1e3 * conv.total_seconds:.1f} ms · "
                f"{mega(conv.cost.multiplications)} mult · P = {conv.output.shape[2]}"
            )
        self._mapping_generation = result.generation
        if first_frame:
            self.reset_view()

    def reset_view(self) -> None:
        """Fit the images to their views, and keep fitting on resize until the user zooms."""
        for panel in self.panels.values():
            panel.view.enableAutoRange()

    def zoom(self, factor: float) -> None:
        self.views[0].scaleBy((1 / factor, 1 / factor))
