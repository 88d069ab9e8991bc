"""Every intermediate array of one mode as a grid of labelled thumbnails, a section per stage.

The widget only shows arrays the pipeline already computed. Thumbnails are shrunk with
INTER_AREA, only the current page of the chosen mode is drawn, and nothing is drawn while
the widget is hidden, so it keeps up with live video.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..app.pipeline import FrameResult
from ..engine import MODES
from .comparison import THUMBNAIL_SIDE, stage_levels, stage_mapping, thumbnails, to_rgb8
from .result_views import GRAY_MAP, MODE_TITLES, SIGNED_MAP

PAGE_SIZE = 24
"""Thumbnails per stage and page: a 64-channel stage pages instead of building 64 widgets."""

SIGNED_LUT = SIGNED_MAP.getLookupTable(nPts=256, alpha=False).astype(np.uint8)
GRAY_LUT = GRAY_MAP.getLookupTable(nPts=256, alpha=False).astype(np.uint8)
RGB_NAMES = ("R", "G", "B")


@dataclass
class StageSpec:
    """One section of the grid: a stage array ``(H, W, N)``, its heading and map labels."""

    key: str
    heading: str
    array: np.ndarray
    label: Callable[[int], str]

    @property
    def count(self) -> int:
        return self.array.shape[2]


def stage_specs(result: FrameResult, mode: str) -> list[StageSpec]:
    """The sections for ``mode``: the input channels, then each stage in execution order.

    Raises KeyError when ``mode`` did not run for this result.
    """
    image = result.image
    c = image.shape[2]
    conv = result.results[mode]
    specs = [StageSpec("input", f"Input channels (C = {c})", image,
                       (lambda k: f"in {k} ({RGB_NAMES[k]})") if c == 3 else (lambda k: f"in {k}"))]
    if mode == "normal":
        out = conv.stages["normal"]
        specs.append(StageSpec(
            "normal", f"Output channels (P = {out.shape[2]}): each one sums all C = {c} inputs, "
            "every input through its own kernel", out, lambda k: f"out {k}"))
    elif mode == "spatial":
        vertical, horizontal = conv.stages["vertical"], conv.stages["horizontal"]
        rank = vertical.shape[2] // c
        if rank == 1:
            specs.append(StageSpec("vertical", f"Vertical pass (C = {c}): the column factor "
                                   "down each channel", vertical, lambda k: f"vert {k}"))
            after = "the row factor along each vertical map"
        else:
            specs.append(StageSpec(
                "vertical", f"Vertical passes (r·C = {vertical.shape[2]}): map i·C+c is column "
                "factor i on channel c", vertical, lambda k: f"vert {k // c}·{k % c}"))
            after = f"channel c sums its {rank} row-filtered vertical maps"
        specs.append(StageSpec("horizontal", f"Horizontal pass = output (C = {c}): {after}",
                               horizontal, lambda k: f"out {k}"))
    else:
        maps, out = conv.stages["depthwise"], conv.stages["pointwise"]
        m = maps.shape[2] // c
        specs.append(StageSpec(
            "depthwise", f"Depthwise maps (C·M = {maps.shape[2]}): map c·M+m filters channel c",
            maps, lambda k: f"dw {k // m}·{k % m}"))
        specs.append(StageSpec(
            "pointwise", f"Pointwise outputs (P = {out.shape[2]}): each mixes all "
            f"{maps.shape[2]} maps", out, lambda k: f"out {k}"))
    return specs


def legend(mapping: str, levels: tuple[float, float]) -> str:
    if mapping == "signed":
        return f"signed colours, ±{levels[1]:.3g}: blue < 0 < red, zero is pale"
    return f"grey, {levels[0]:.3g} (black) … {levels[1]:.3g} (white), shared by the stage"


class Tile(QWidget):
    """One thumbnail and its caption; reused from frame to frame."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.image = QLabel()
        self.image.setFixedSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        self.image.setAlignment(Qt.AlignCenter)
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignCenter)
        layout.addWidget(self.image)
        layout.addWidget(self.caption)
        self.array: np.ndarray | None = None  # the float thumbnail shown, for tests and tools

    def set_map(self, plane: np.ndarray, rgb: np.ndarray, caption: str) -> None:
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format_RGB888)
        self.image.setPixmap(QPixmap.fromImage(image))  # copies, so rgb may go
        self.caption.setText(caption)
        self.array = plane


class StageSection(QWidget):
    """A heading, a colour legend, page controls and up to :data:`PAGE_SIZE` tiles."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 8)
        layout.setSpacing(3)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600")
        self.prev_button = QToolButton(text="◀", toolTip="Previous page", autoRaise=True)
        self.page_label = QLabel()
        self.next_button = QToolButton(text="▶", toolTip="Next page", autoRaise=True)
        top.addWidget(self.heading, 1)
        for widget in (self.prev_button, self.page_label, self.next_button):
            top.addWidget(widget)
        self.legend = QLabel()
        self.legend.setStyleSheet("color: palette(mid)")
        self.tile_area = QWidget()
        self.tile_grid = QGridLayout(self.tile_area)
        self.tile_grid.setContentsMargins(0, 0, 0, 0)
        self.tile_grid.setSpacing(6)
        self.tile_grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(self.tile_area)
        self.tiles: list[Tile] = []
        self.columns = 4
        self.page = 0
        self.spec: StageSpec | None = None
        self._look: tuple[str, tuple[float, float]] = ("clip", (0.0, 1.0))
        self.prev_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.spec.count / PAGE_SIZE)) if self.spec else 1

    @property
    def visible_tiles(self) -> list[Tile]:
        return [tile for tile in self.tiles if not tile.isHidden()]

    def show_stage(self, spec: StageSpec, mapping: str, levels: tuple[float, float]) -> None:
        if self.spec is None or self.spec.key != spec.key:
            self.page = 0  # another stage took this slot: start at its beginning
        self.spec, self._look = spec, (mapping, levels)
        self.heading.setText(spec.heading)
        self.legend.setText(legend(mapping, levels))
        self.render_page()

    def turn(self, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self.render_page()

    def render_page(self) -> None:
        spec = self.spec
        self.page = min(self.page, self.pages - 1)
        start = self.page * PAGE_SIZE
        stop = min(spec.count, start + PAGE_SIZE)
        mapping, levels = self._look
        lut = SIGNED_LUT if mapping == "signed" else GRAY_LUT
        small = thumbnails(spec.array, start, stop)
        while len(self.tiles) < stop - start:
            tile = Tile(self.tile_area)
            self.tiles.append(tile)
            self._place(len(self.tiles) - 1)
        for index, tile in enumerate(self.tiles):
            if index < stop - start:
                plane = small[:, :, index]
                tile.set_map(plane, to_rgb8(plane, levels, lut), spec.label(start + index))
                tile.show()
            else:
                tile.hide()
        paged = self.pages > 1
        for widget in (self.prev_button, self.page_label, self.next_button):
            widget.setVisible(paged)
        self.page_label.setText(f"page {self.page + 1}/{self.pages}")
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
        self.tile_grid.addWidget(self.tiles[index], row, column)


class StageGrid(QWidget):
    """Pick a mode; see its input, every intermediate stage and its output as thumbnails.

    Call :meth:`show_result` with every displayed result. Thumbnail levels are shared within
    a stage, and whether a stage is shown signed or grey is decided on a design's first
    result and then kept, so live video does not flicker between colour maps.
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
        self.status.setStyleSheet("color: palette(mid)")
        top.addWidget(QLabel("Stages of"))
        top.addWidget(self.mode_combo)
        top.addWidget(self.status, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        body = QWidget()
        column = QVBoxLayout(body)
        self.sections = [StageSection() for _ in range(3)]  # input + at most two stages
        for section in self.sections:
            column.addWidget(section)
        column.addStretch(1)
        self.scroll.setWidget(body)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self.result: FrameResult | None = None
        self._pending = False
        self._generation: int | None = None
        self._mappings: dict[tuple[str, str], str] = {}
        self.mode_combo.currentIndexChanged.connect(lambda _: self.refresh())

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
        self.result = result
        if result.generation != self._generation:
            self._generation, self._mappings = result.generation, {}
        if self.isVisible():
            self.refresh()
        else:
            self._pending = True  # a hidden dock costs nothing; catch up when shown

    def refresh(self) -> None:
        self._pending = False
        result, mode = self.result, self.mode
        if result is None:
            return
        if mode not in result.results:
            self.status.setText(f"{MODE_TITLES[mode]} is not enabled in this design")
            for section in self.sections:
                section.hide()
            return
        conv = result.results[mode]
        self.status.setText(f"{conv.algorithm} · {1e3 * conv.total_seconds:.1f} ms")
        specs = stage_specs(result, mode)
        columns = self._columns()
        for section, spec in zip(self.sections, specs):
            mapping = self._mappings.setdefault((mode, spec.key), stage_mapping(spec.array))
            section.set_columns(columns)
            section.show_stage(spec, mapping, stage_levels(spec.array, mapping))
            section.show()
        for section in self.sections[len(specs):]:
            section.hide()

    def _columns(self) -> int:
        width = self.scroll.viewport().width() - 24
        return max(1, width // (THUMBNAIL_SIDE + 6))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending:
            self.refresh()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        columns = self._columns()
        for section in self.sections:
            section.set_columns(columns)
