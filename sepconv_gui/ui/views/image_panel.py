"""One titled, aspect-locked image view with its own channel picker, mapping and colour bar."""

from __future__ import annotations

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .byte_image import ByteImage
from .elided_label import ElidedLabel
from .display import (
    MAPPINGS,
    SharedLook,
    apply_mapping,
    default_mapping,
    mapping_levels,
    pick_channels,
    tick_labels,
)

SIGNED_MAP = pg.colormap.get("CET-D1A")
GRAY_MAP = pg.colormap.get("CET-L1")
BACKGROUND = "#202225"
# The same colour maps as (256, 3) uint8 tables, for pixels made outside pyqtgraph
# (stage thumbnails, exported PNGs).
SIGNED_LUT = SIGNED_MAP.getLookupTable(nPts=256, alpha=False).astype(np.uint8)
GRAY_LUT = GRAY_MAP.getLookupTable(nPts=256, alpha=False).astype(np.uint8)
AUTO = "auto"
BAR_AXIS_WIDTH = 52
RGB = -1  # channel-picker entry for "all three channels as colour"


def display_factor(view: pg.ViewBox, device_ratio: float) -> int:
    """How many image pixels share one device pixel of ``view`` (1 when zoomed in or when
    the view has no size yet): the image is drawn that many times smaller, and looks the
    same, since a screen cannot show more pixels than it has."""
    if view.width() < 2 or view.height() < 2:
        return 1
    px, py = view.viewPixelSize()
    per_device_pixel = min(px, py) / max(device_ratio, 1.0)
    if not np.isfinite(per_device_pixel):
        return 1
    return max(1, int(per_device_pixel))


def to_uint8(data: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """``data`` scaled so ``levels`` span 0..255, rounded and saturated (NaN gives 0):
    pyqtgraph then only looks colours up in a 256-entry table instead of rescaling floats
    on every paint. One OpenCV pass, outside the GIL."""
    low, high = levels
    scale = 255.0 / (high - low) if high > low else 0.0
    data = np.ascontiguousarray(data, dtype=np.float32)
    return cv2.addWeighted(data, scale, data, 0.0, -low * scale, dtype=cv2.CV_8U)


def shrink(plane: np.ndarray, factor: int) -> np.ndarray:
    """``plane`` ((H, W) or (H, W, 3)) averaged over ``factor``-pixel squares."""
    if factor <= 1:
        return plane
    height, width = plane.shape[:2]
    size = (max(1, width // factor), max(1, height // factor))
    return cv2.resize(np.ascontiguousarray(plane), size, interpolation=cv2.INTER_AREA)


class ImagePanel(QWidget):
    """Shows one array (an input or a mode's output) the way the user asked.

    The panel keeps the full array it was last given, so changing the channel or the mapping
    redraws at once, without waiting for the next frame.
    """

    view_options_changed = Signal()

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        # Long titles end in "…" in a narrow panel (1280×720), never widen it.
        self.title = ElidedLabel(title)
        self.title.setStyleSheet("font-weight: 600")
        self.channel_box = QComboBox()
        self.channel_box.setToolTip("Which channel to show")
        self.channel_box.hide()
        self.mapping_box = QComboBox()
        self.mapping_box.setToolTip("How values become grey levels or colours")
        self.mapping_box.addItem("Auto", AUTO)
        for key, label in MAPPINGS.items():
            self.mapping_box.addItem(label, key)
        for box in (self.channel_box, self.mapping_box):
            # Short boxes leave the title room; the open list still shows whole names.
            box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(4 if box is self.channel_box else 7)
            box.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        header = QHBoxLayout()
        header.setSpacing(4)
        header.addWidget(self.title, 1)
        header.addWidget(self.channel_box)
        header.addWidget(self.mapping_box)
        # In the text colour: the mid grey it had was hard to read on a projector.
        self.detail = ElidedLabel()
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(BACKGROUND)
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
        self.view = self.graphics.addViewBox(
            row=0, col=0, lockAspect=True, invertY=True, enableMenu=False
        )
        self.item = ByteImage()
        self.view.addItem(self.item)
        self.color_bar = pg.ColorBarItem(
            width=10, colorMap=GRAY_MAP, interactive=False, colorMapMenu=False, rounding=1e-9
        )
        self.graphics.addItem(self.color_bar, row=0, col=1)
        # Redrawn as a pixmap blit, not tick text, each time the image beside it changes.
        self.color_bar.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # pyqtgraph writes 1e16 as seventeen digits and drops labels wider than the axis;
        # short labels ("-2.5e16" at most) fit a bar a little wider than its default 45 px.
        self.color_bar.axis.setWidth(BAR_AXIS_WIDTH)
        self.color_bar.axis.tickStrings = lambda values, scale, spacing: tick_labels(
            [v * scale for v in values], spacing * scale
        )
        layout.addLayout(header)
        layout.addWidget(self.detail)
        layout.addWidget(self.graphics, 1)
        self.channel_box.currentIndexChanged.connect(self._options_changed)
        self.mapping_box.currentIndexChanged.connect(self._options_changed)
        self.source: np.ndarray | None = None
        self._auto_mapping = "clip"
        self._auto_stale = False  # re-decide the automatic mapping from ``source`` when read
        self.mapping = "clip"
        self._shown: tuple | None = None  # (plane, mapping) the image item shows
        self._factor = 1  # image pixels per drawn pixel (see display_factor)
        self.levels: tuple[float, float] = (0.0, 1.0)
        self._bar_levels: tuple[float, float] | None = None  # what the colour bar shows
        self._look: str | None = None  # "rgb", "signed" or "gray": the lookup table in use
        self._fixed_mapping: str | None = None
        self._offered: list[int] | None = None  # what the channel picker lists
        self.look: SharedLook | None = None  # the outputs' common look, when "Auto" shares it
        self._cell = (1, 1)  # input pixels per shown pixel (rows, columns): see show_array
        # Zooming in needs more pixels than a fitted view drew: draw again when it does.
        self.view.sigRangeChanged.connect(self._range_changed)

    @property
    def auto_mapping(self) -> str:
        """The mapping "Auto" picks for the array and channel shown. Decided when first
        needed: a view that shows the shared look never reads it, and deciding costs a pass
        over the whole plane (a design change on a large still waited for four of them)."""
        if self._auto_stale and self.source is not None:
            self._auto_stale = False
            self._auto_mapping = default_mapping(pick_channels(self.source, self.channel))
        return self._auto_mapping

    @auto_mapping.setter
    def auto_mapping(self, mapping: str) -> None:
        self._auto_stale = False
        self._auto_mapping = mapping

    def set_auto_label(self, text: str, tip: str) -> None:
        """Rename the "Auto" entry (output views call it "Shared": all outputs alike)."""
        self.mapping_box.setItemText(self.mapping_box.findData(AUTO), text)
        self.mapping_box.setItemData(self.mapping_box.findData(AUTO), tip, Qt.ToolTipRole)

    @property
    def shares_look(self) -> bool:
        """True while this view shows the outputs' shared look (no per-view override)."""
        return self.look is not None and self.chosen_mapping == AUTO

    @property
    def shown(self) -> np.ndarray | None:
        """The values the view shows at full resolution (the item draws a reduced copy)."""
        if self._shown is None:
            return None
        plane, mapping, signed_rgb = self._shown
        if signed_rgb:
            return np.clip(0.5 + 0.5 * plane / signed_rgb, 0.0, 1.0)
        return apply_mapping(plane, mapping)

    @property
    def color_bar_shown(self) -> bool:
        return self.color_bar.opacity() > 0

    # --- what the user chose ----------------------------------------------------------------
    @property
    def chosen_mapping(self) -> str:
        return self.mapping_box.currentData()

    def set_mapping(self, mapping: str) -> None:
        index = self.mapping_box.findData(mapping)
        if index < 0:
            raise ValueError(f"unknown display mapping {mapping!r}")
        self.mapping_box.setCurrentIndex(index)

    @property
    def channel(self) -> int | None:
        """The channel shown, or None for RGB (and for a single-channel array)."""
        data = self.channel_box.currentData()
        return None if data is None or data == RGB else int(data)

    def set_channel(self, channel: int | None) -> None:
        index = self.channel_box.findData(RGB if channel is None else channel)
        if index >= 0:
            self.channel_box.setCurrentIndex(index)

    def _offer_channels(self, count: int) -> None:
        """Fill the channel picker for an array of ``count`` channels, keeping the choice.

        Under a shared look that is not RGB (some output has another channel count) colour is
        not offered: every view then shows one channel through the same colour map.
        """
        colour = count == 3 and (self.look is None or self.look.rgb)
        wanted = [RGB] if colour else []
        wanted += list(range(count)) if count > 1 else []
        if wanted == self._offered:  # the usual case, every frame: no walk over the items
            return
        self._offered = wanted
        keep = self.channel_box.currentData()
        self.channel_box.blockSignals(True)
        self.channel_box.clear()
        for value in wanted:
            self.channel_box.addItem("RGB" if value == RGB else f"ch {value + 1}", value)
        index = self.channel_box.findData(keep)
        self.channel_box.setCurrentIndex(max(index, 0))
        self.channel_box.blockSignals(False)
        self.channel_box.setVisible(bool(wanted))

    def _options_changed(self) -> None:
        if (
            self.source is not None
            and self._fixed_mapping is None
            and self.sender() is self.channel_box
        ):
            # Another channel may be another kind of map (a blur next to an edge map).
            self._auto_stale = True
        self._render()
        self.view_options_changed.emit()

    # --- what the panel is given -----------------------------------------------------------
    def show_array(
        self,
        array: np.ndarray,
        *,
        choose_mapping: bool = True,
        fixed_mapping: str | None = None,
        look: SharedLook | None = None,
        cell: tuple[int, int] = (1, 1),
    ) -> None:
        """Show ``array`` ((H, W) or (H, W, C)), each pixel drawn over ``cell`` (rows,
        columns) units of the view: a strided output covers the input pixels it stands for.

        ``choose_mapping`` re-decides the automatic mapping from this array (done on a design's
        first result only, so live video does not flip between mappings); ``fixed_mapping``
        is the automatic mapping for arrays whose meaning is known (the input is clipped).
        ``look`` is the mapping and levels shared by all outputs, used while the mapping box
        says "Shared" (the default); picking a mapping in the box overrides it for this view.
        """
        self.source = array
        self.look = look
        self._cell = cell
        self._offer_channels(1 if array.ndim == 2 else array.shape[2])
        self._fixed_mapping = fixed_mapping
        if fixed_mapping is not None:
            self.auto_mapping = fixed_mapping
        elif choose_mapping or self._shown is None:
            self._auto_stale = True
        self._render()

    def _range_changed(self, *_args) -> None:
        if self.source is not None and self._wanted_factor() != self._factor:
            self._render()

    def _wanted_factor(self) -> int:
        if not self.graphics.isVisible():
            return 1
        return display_factor(self.view, self.graphics.devicePixelRatioF())

    def _render(self) -> None:
        if self.source is None:
            return
        plane = pick_channels(self.source, self.channel)
        if self.shares_look:
            mapping, levels = self.look.mapping, self.look.levels
        else:
            mapping = self.auto_mapping if self.chosen_mapping == AUTO else self.chosen_mapping
            levels = mapping_levels(plane, mapping)
        # The mapping is applied to the reduced copy only: the levels came from all pixels.
        self._factor = self._wanted_factor()
        data = shrink(plane, self._factor)
        if mapping != "clip":  # clipping to the levels is what the conversion to bytes does
            data = apply_mapping(data, mapping)
        colour = data.ndim == 3
        signed_rgb = 0.0
        if colour and mapping == "signed":
            # A colour map cannot tint RGB; centre each channel on grey instead.
            signed_rgb = levels[1]
            data, levels = np.clip(0.5 + 0.5 * data / levels[1], 0.0, 1.0), (0.0, 1.0)
        look = "rgb" if colour else ("signed" if mapping == "signed" else "gray")
        if look != self._look:
            self._look = look
            if colour:
                self.item.set_colours(None)
            else:
                signed = look == "signed"
                self.item.set_colours(SIGNED_LUT if signed else GRAY_LUT)
                self.color_bar.setColorMap(SIGNED_MAP if signed else GRAY_MAP)
            # Transparent rather than hidden: every panel keeps the same view size, which the
            # linked, aspect-locked views need to show the same region.
            self.color_bar.setOpacity(0.0 if colour else 1.0)
        if not colour and levels != self._bar_levels:
            self._bar_levels = levels
            self.color_bar.setLevels(levels)
        self.item.setImage(to_uint8(data, levels), autoLevels=False)
        height, width = plane.shape[:2]
        # In input pixels whatever was drawn: zoom, links and the inspector agree.
        cell_h, cell_w = self._cell
        self.item.setRect(QRectF(0, 0, width * cell_w, height * cell_h))
        self._shown = (plane, mapping, signed_rgb)
        self.mapping, self.levels = mapping, levels
