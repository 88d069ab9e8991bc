"""The central area: the input and each enabled mode's output, side by side, zoom linked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ..app.pipeline import FrameResult
from ..engine import MODES
from .display import default_mapping, map_for_display, pick_channels

MODE_TITLES = {"normal": "Normal", "spatial": "Spatial-separable", "depthwise": "Depthwise-separable"}
SIGNED_MAP = pg.colormap.get("CET-D1A")
GRAY_MAP = pg.colormap.get("CET-L1")


def mega(count: int) -> str:
    return f"{count / 1e6:.1f} M" if count >= 1e5 else f"{count:,}"


class ImagePanel:
    """A titled, aspect-locked view of one image."""

    def __init__(self, layout: pg.GraphicsLayout, column: int, title: str) -> None:
        self.title = layout.addLabel(title, row=0, col=column)
        self.view = layout.addViewBox(row=1, col=column, lockAspect=True, invertY=True,
                                      enableMenu=False)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        self.mapping = "clip"
        self.shown: np.ndarray | None = None

    def show(self, array: np.ndarray, mapping: str) -> None:
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

    def set_title(self, text: str) -> None:
        self.title.setText(text)


class ResultViews(pg.GraphicsLayoutWidget):
    """Input plus one panel per mode; all views pan and zoom together."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("#202225")
        self.panels: dict[str, ImagePanel] = {}
        self.channel: int | None = None  # None: RGB when there are 3 channels
        self.mapping_override: str | None = None
        self._mapping_generation = -1
        self._modes: tuple[str, ...] = ()
        self._build(("input",) + MODES)

    def _build(self, names: tuple[str, ...]) -> None:
        self.ci.clear()
        self.panels = {}
        for column, name in enumerate(names):
            panel = ImagePanel(self.ci, column, "Input" if name == "input" else MODE_TITLES[name])
            if self.panels:
                first = next(iter(self.panels.values())).view
                panel.view.setXLink(first)
                panel.view.setYLink(first)
            self.panels[name] = panel
        self._modes = names

    @property
    def views(self) -> list[pg.ViewBox]:
        return [panel.view for panel in self.panels.values()]

    def show_result(self, result: FrameResult) -> None:
        names = ("input",) + tuple(m for m in MODES if m in result.results)
        first_frame = self.panels["input"].shown is None
        if names != self._modes:
            self._build(names)
            first_frame = True
        # Mappings are chosen on a design's first result and then kept, so live video does
        # not flip between mappings from one frame to the next.
        decide = result.generation != self._mapping_generation
        image = result.image
        self.panels["input"].show(image[:, :, 0] if image.shape[2] == 1 else image, "clip")
        for mode, conv in result.results.items():
            panel = self.panels[mode]
            shown = pick_channels(conv.output, self.channel)
            if self.mapping_override:
                mapping = self.mapping_override
            elif decide or panel.shown is None:
                mapping = default_mapping(shown)
            else:
                mapping = panel.mapping
            panel.show(shown, mapping)
            ms = 1e3 * conv.total_seconds
            panel.set_title(
                f"{MODE_TITLES[mode]} · {conv.algorithm} · {ms:.1f} ms · "
                f"{mega(conv.cost.multiplications)} mult"
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
