"""Every intermediate array of one mode as a grid of labelled thumbnails, a section per stage.

The widget only shows arrays the pipeline already computed. Thumbnails are shrunk with
INTER_AREA, only the current page of each stage is shrunk and drawn, nothing is drawn while
the widget is hidden, and live video redraws it at most every
:data:`~.visibility.REFRESH_MS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...app.pipeline import FrameResult
from ...engine import MODES
from .comparison import THUMBNAIL_SIDE, stage_levels, stage_mapping, thumbnails, to_rgb8
from .image_panel import GRAY_LUT, SIGNED_LUT
from .result_views import MODE_TITLES
from .stage_detail import StageDetail, open_stage_map
from .visibility import ThrottledDraw

PAGE_SIZE = 16
"""Thumbnails per stage and page: a 64-channel stage shows 4 pages, not 64 widgets."""


RGB_NAMES = ("R", "G", "B")
SPACING = 6
MARGIN = 6


@dataclass
class StageSpec:
    """One section of the grid: a stage array ``(H, W, N)``, its heading and map captions."""

    key: str
    heading: str
    array: np.ndarray
    label: Callable[[int], str]

    @property
    def count(self) -> int:
        return self.array.shape[2]


def stage_specs(result: FrameResult, mode: str) -> list[StageSpec]:
    """The sections for ``mode``: the input channels, then each stage in execution order.

    Captions count from 1: "c2" is input channel 2, "c1·m2" the depthwise map of channel 1
    through kernel 2, "p5" output channel 5. Raises KeyError when ``mode`` did not run.
    """
    image = result.image
    c = image.shape[2]
    conv = result.results[mode]
    rgb = c == 3
    specs = [
        StageSpec(
            "input",
            f"Input channels (C = {c})",
            image,
            lambda k: f"c{k + 1} ({RGB_NAMES[k]})" if rgb else f"c{k + 1}",
        )
    ]
    if mode == "normal":
        out = conv.stages["normal"]
        specs.append(
            StageSpec(
                "normal",
                f"Output channels (P = {out.shape[2]}): each one is a sum over all "
                f"C = {c} input channels, every channel through its own kernel",
                out,
                lambda k: f"p{k + 1}",
            )
        )
    elif mode == "spatial":
        vertical, horizontal = conv.stages["vertical"], conv.stages["horizontal"]
        rank = vertical.shape[2] // c
        if rank == 1:
            specs.append(
                StageSpec(
                    "vertical",
                    f"Vertical pass (C = {c}): the column factor down each channel",
                    vertical,
                    lambda k: f"c{k + 1}",
                )
            )
            after = "the row factor along each vertical map"
        else:
            specs.append(
                StageSpec(
                    "vertical",
                    f"Vertical passes (r·C = {vertical.shape[2]}): pair i's column "
                    "factor down channel c",
                    vertical,
                    lambda k: f"pair {k // c + 1} · c{k % c + 1}",
                )
            )
            after = (
                f"channel c sums the horizontal passes of its r = {rank} pairs "
                "(only the sum is kept)"
            )
        specs.append(
            StageSpec(
                "horizontal",
                f"Horizontal pass = output (C = {c}): {after}",
                horizontal,
                lambda k: f"c{k + 1}",
            )
        )
    else:
        maps, out = conv.stages["depthwise"], conv.stages["pointwise"]
        m = maps.shape[2] // c
        specs.append(
            StageSpec(
                "depthwise",
                f"Depthwise maps (C·M = {c}·{m} = {maps.shape[2]}): map c·m is input "
                "channel c through kernel m",
                maps,
                lambda k: f"c{k // m + 1}·m{k % m + 1}",
            )
        )
        specs.append(
            StageSpec(
                "pointwise",
                f"Pointwise outputs (P = {out.shape[2]}): each a weighted sum of all "
                f"{maps.shape[2]} depthwise maps",
                out,
                lambda k: f"p{k + 1}",
            )
        )
    return specs


def legend(mapping: str, levels: tuple[float, float]) -> str:
    if mapping == "signed":
        return (
            f"blue < 0 < red, zero is white; full colour at ±{levels[1]:.3g}, "
            "the same for every map on this page"
        )
    return (
        f"grey from {levels[0]:.3g} (black) to {levels[1]:.3g} (white), "
        "the same for every map on this page"
    )


class Tile(QWidget):
    """One thumbnail and its caption; reused from frame to frame. A click opens it large."""

    clicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("Click to open this map large, with the weights that made it")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.image = QLabel()
        self.image.setFixedSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignCenter)
        layout.addWidget(self.image)
        layout.addWidget(self.caption)
        self.array: np.ndarray | None = None  # the float thumbnail shown, for tests and tools

    def set_map(self, plane: np.ndarray, rgb: np.ndarray, caption: str) -> None:
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format_RGB888)
        self.image.setPixmap(QPixmap.fromImage(image))  # copies, so rgb may go
        if self.image.width() != width or self.image.height() != height:
            self.image.setFixedSize(width, height)
        self.caption.setText(caption)
        self.array = plane

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class StageSection(QWidget):
    """A heading, a colour legend, page controls and up to :data:`PAGE_SIZE` tiles."""

    map_clicked = Signal(int)  # index of the clicked map in the whole stage, from 0

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 10)
        layout.setSpacing(3)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600")
        self.prev_button = QPushButton("◀ Prev", toolTip="Previous page")
        self.page_label = QLabel()
        self.next_button = QPushButton("Next ▶", toolTip="Next page")
        top.addWidget(self.heading, 1)
        for widget in (self.prev_button, self.page_label, self.next_button):
            top.addWidget(widget)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.tile_area = QWidget()
        self.tile_grid = QGridLayout(self.tile_area)
        self.tile_grid.setContentsMargins(0, 0, 0, 0)
        self.tile_grid.setSpacing(SPACING)
        self.tile_grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(self.tile_area)
        self.tiles: list[Tile] = []
        self.columns = 4
        self.page = 0
        self.spec: StageSpec | None = None
        self.mapping = "clip"
        self.levels = (0.0, 1.0)
        self.prev_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.spec.count / PAGE_SIZE)) if self.spec else 1

    @property
    def visible_tiles(self) -> list[Tile]:
        return [tile for tile in self.tiles if not tile.isHidden()]

    def show_stage(self, spec: StageSpec, mapping: str) -> None:
        if self.spec is None or self.spec.key != spec.key:
            self.page = 0  # another stage took this slot: start at its beginning
        self.spec, self.mapping = spec, mapping
        self.heading.setText(spec.heading)
        self.render_page()

    def turn(self, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self.render_page()

    def render_page(self) -> None:
        """Shrink and draw the maps of the current page, and only those."""
        if self.spec is None:
            return
        self.page = min(self.page, self.pages - 1)
        start = self.page * PAGE_SIZE
        stop = min(self.spec.count, start + PAGE_SIZE)
        small = thumbnails(self.spec.array, start, stop)
        self.levels = stage_levels(small, self.mapping)
        self.legend.setText(legend(self.mapping, self.levels))
        lut = SIGNED_LUT if self.mapping == "signed" else GRAY_LUT
        while len(self.tiles) < stop - start:
            tile = Tile(self.tile_area)
            position = len(self.tiles)
            tile.clicked.connect(
                lambda n=position: self.map_clicked.emit(self.page * PAGE_SIZE + n)
            )
            self.tiles.append(tile)
            self._place(len(self.tiles) - 1)
        for index, tile in enumerate(self.tiles):
            if index < stop - start:
                plane = small[:, :, index]
                tile.set_map(
                    plane, to_rgb8(plane, self.levels, lut), self.spec.label(start + index)
                )
                tile.show()
            else:
                tile.hide()
        paged = self.pages > 1
        for widget in (self.prev_button, self.page_label, self.next_button):
            widget.setVisible(paged)
        self.page_label.setText(f"page {self.page + 1} of {self.pages}")
        self.prev_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page < self.pages - 1)

    def set_columns(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for index in range(len(self.tiles)):
            self._place(index)

    def _place(self, index: int) -> None:
        row, column = divmod(index, self.columns)
        self.tile_grid.removeWidget(self.tiles[index])  # re-adding would leave a stale cell
        self.tile_grid.addWidget(self.tiles[index], row, column)


class StageGrid(QWidget):
    """Pick a mode; see its input, every intermediate stage and its output as thumbnails.

    Call :meth:`show_result` with every displayed result. Whether a stage shows signed
    colours or grey is decided on a design's first result and then kept, so live video does
    not flicker between colour maps.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.mode_combo = QComboBox()
        for mode in MODES:
            self.mode_combo.addItem(MODE_TITLES[mode], mode)
        self.mode_combo.setCurrentIndex(MODES.index("depthwise"))
        self.status = QLabel()
        top.addWidget(QLabel("Stages of"))
        top.addWidget(self.mode_combo)
        top.addWidget(self.status, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self.sections = [StageSection() for _ in range(3)]  # input + at most two stages
        for section in self.sections:
            column.addWidget(section)
            section.hide()
            section.map_clicked.connect(lambda n, s=section: self.open_map(s, n))
        column.addStretch(1)
        self.scroll.setWidget(body)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self.result: FrameResult | None = None
        self._generation: int | None = None
        self._mappings: dict[tuple[str, str], str] = {}
        self._throttle = ThrottledDraw(self, self.refresh)
        self.detail: StageDetail | None = None  # the large view of a clicked map
        self.mode_combo.currentIndexChanged.connect(self._throttle.options_changed)

    @property
    def pending(self) -> bool:
        """A result arrived that is not drawn yet (the grid is hidden or throttled)."""
        return self._throttle.pending

    def catch_up(self) -> None:
        self._throttle.catch_up()

    @property
    def mode(self) -> str:
        return self.mode_combo.currentData()

    def set_mode(self, mode: str) -> None:
        self.mode_combo.setCurrentIndex(MODES.index(mode))

    def section(self, key: str) -> StageSection:
        """The visible section showing stage ``key`` ("input", "depthwise", ...)."""
        for section in self.sections:
            if not section.isHidden() and section.spec is not None and section.spec.key == key:
                return section
        raise KeyError(f"no visible section shows {key!r}")

    def show_result(self, result: FrameResult) -> None:
        """Show ``result`` when the grid is seen (see ThrottledDraw)."""
        self.result = result
        if result.generation != self._generation:
            self._generation, self._mappings = result.generation, {}
        self._throttle.new_input()

    def open_map(self, section: StageSection, index: int) -> StageDetail | None:
        """Open map ``index`` of ``section``'s stage large, with its weights (issue 11, 6)."""
        if self.result is None or section.spec is None:
            return None
        if self.detail is None:
            self.detail = StageDetail(self)
        open_stage_map(self.detail, self.result, self.mode, section.spec, index, section.mapping)
        return self.detail

    def refresh(self) -> None:
        """Draw the current result for the chosen mode now."""
        self._throttle.mark_drawn()
        if self.result is not None:
            self._draw(self.result, self.mode)

    def _draw(self, result: FrameResult, mode: str) -> None:
        if mode not in result.results:
            self.status.setText(f"{MODE_TITLES[mode]} is not enabled in this design")
            for section in self.sections:
                section.hide()
            return
        conv = result.results[mode]
        try:
            specs = stage_specs(result, mode)
        except KeyError:  # a live frame made while no view wanted stages: the next has them
            self.status.setText("Stages arrive with the next frame")
            self._throttle.still_waiting()
            return
        self.status.setText(f"{conv.algorithm} · {1e3 * conv.total_seconds:.1f} ms")
        columns = self._columns()
        for section, spec in zip(self.sections, specs):
            if (mode, spec.key) not in self._mappings:
                self._mappings[(mode, spec.key)] = stage_mapping(spec.array)
            section.set_columns(columns)
            section.show_stage(spec, self._mappings[(mode, spec.key)])
            section.show()
        for section in self.sections[len(specs) :]:
            section.hide()

    def _columns(self) -> int:
        width = self.scroll.viewport().width() - 2 * MARGIN
        return max(1, (width + SPACING) // (THUMBNAIL_SIDE + SPACING))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.pending:
            self._throttle.now()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        columns = self._columns()
        for section in self.sections:
            section.set_columns(columns)
