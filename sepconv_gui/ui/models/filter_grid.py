"""A layer's filters as a paged grid of heat-maps: one row per output, one column per input
channel, every tile on the same diverging scale (white = 0) so tiles and pages compare.
Clicking a tile picks that filter."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import pyqtgraph as pg

ROWS_PER_PAGE = 8  # outputs
COLUMNS_PER_PAGE = 16  # input channels, or filters per row of a depthwise layer
DIVERGING = pg.colormap.get("CET-D1A")


def page_tiles(shape, row_page: int, column_page: int) -> tuple[list[tuple[int, int]], int]:
    """The (output, channel) filters on a page, in reading order, and the tiles per row.

    A layer with one input channel per filter (depthwise) wraps its outputs into rows of
    :data:`COLUMNS_PER_PAGE`; any other has one row per output and one column per channel.
    """
    p, c = shape[:2]
    if c == 1:
        per_page = ROWS_PER_PAGE * COLUMNS_PER_PAGE
        first = row_page * per_page
        return [(n, 0) for n in range(first, min(p, first + per_page))], COLUMNS_PER_PAGE
    r0, c0 = row_page * ROWS_PER_PAGE, column_page * COLUMNS_PER_PAGE
    columns = range(c0, min(c, c0 + COLUMNS_PER_PAGE))
    rows = range(r0, min(p, r0 + ROWS_PER_PAGE))
    return [(r, k) for r in rows for k in columns], len(columns)


def mosaic(weights: np.ndarray, tiles: list[tuple[int, int]], per_row: int) -> np.ndarray:
    """The tiles ``weights[p, c]`` laid out ``per_row`` to a row, one NaN pixel between them.

    Returned as (x, y) for pyqtgraph's column-major ImageItem.
    """
    kh, kw = weights.shape[2:]
    rows = max(1, -(-len(tiles) // per_row))
    out = np.full((rows * (kh + 1) - 1, per_row * (kw + 1) - 1), np.nan, np.float32)
    for n, (p, c) in enumerate(tiles):
        i, j = divmod(n, per_row)
        out[i * (kh + 1) : i * (kh + 1) + kh, j * (kw + 1) : j * (kw + 1) + kw] = weights[p, c]
    return out.T


class FilterGrid(QWidget):
    """Shows one page of a layer's filters; ``picked(output, channel)`` on a click."""

    picked = Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.weights: np.ndarray | None = None
        self.row_page = 0
        self.column_page = 0
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.hideAxis("bottom")
        self.plot.hideAxis("left")
        self.plot.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setColorMap(DIVERGING)
        self.plot.addItem(self.image)
        self.marker = pg.QtWidgets.QGraphicsRectItem()
        self.marker.setPen(pg.mkPen("#f0ad4e", width=2))
        self.plot.addItem(self.marker)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.page_label = QLabel()
        self.buttons = {}
        controls = QHBoxLayout()
        for key, text, tip in (
            ("up", "▲", "Previous outputs"),
            ("down", "▼", "Next outputs"),
            ("left", "◀", "Previous input channels"),
            ("right", "▶", "Next input channels"),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setFixedWidth(28)
            button.clicked.connect(lambda _=False, k=key: self.turn(k))
            controls.addWidget(button)
            self.buttons[key] = button
        controls.addWidget(self.page_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        self._show()

    def set_weights(self, weights: np.ndarray | None, picked: tuple[int, int] | None) -> None:
        self.weights = weights
        self.row_page = self.column_page = 0
        if weights is not None and picked is not None:
            per_page = ROWS_PER_PAGE * (COLUMNS_PER_PAGE if weights.shape[1] == 1 else 1)
            self.row_page = picked[0] // per_page
            self.column_page = picked[1] // COLUMNS_PER_PAGE
        self._picked = picked
        self._show()

    def pages(self) -> tuple[int, int]:
        """How many pages of outputs and of input channels the layer has."""
        if self.weights is None:
            return 0, 0
        p, c = self.weights.shape[:2]
        if c == 1:
            return -(-p // (ROWS_PER_PAGE * COLUMNS_PER_PAGE)), 1
        return -(-p // ROWS_PER_PAGE), -(-c // COLUMNS_PER_PAGE)

    def tiles(self) -> tuple[list[tuple[int, int]], int]:
        return page_tiles(self.weights.shape, self.row_page, self.column_page)

    def turn(self, direction: str) -> None:
        rows, columns = self.pages()
        if direction in ("up", "down"):
            step = -1 if direction == "up" else 1
            self.row_page = min(max(self.row_page + step, 0), max(rows - 1, 0))
        else:
            step = -1 if direction == "left" else 1
            self.column_page = min(max(self.column_page + step, 0), max(columns - 1, 0))
        self._show()

    def _show(self) -> None:
        rows_total, columns_total = self.pages()
        for key, enabled in (
            ("up", self.row_page > 0),
            ("down", self.row_page < rows_total - 1),
            ("left", self.column_page > 0),
            ("right", self.column_page < columns_total - 1),
        ):
            self.buttons[key].setEnabled(enabled)
        if self.weights is None:
            self.image.clear()
            self.marker.hide()
            self.page_label.setText("No layer selected")
            return
        tiles, per_row = self.tiles()
        limit = float(np.max(np.abs(self.weights))) or 1.0
        self.image.setImage(mosaic(self.weights, tiles, per_row), levels=(-limit, limit))
        p, c = self.weights.shape[:2]
        outputs = sorted({t[0] for t in tiles})
        channels = sorted({t[1] for t in tiles})
        self.page_label.setText(
            f"outputs {outputs[0] + 1}–{outputs[-1] + 1} of {p} · "
            f"input channels {channels[0] + 1}–{channels[-1] + 1} of {c} · scale ±{limit:.3g}"
        )
        self._place_marker()
        self.plot.autoRange(padding=0.02)

    def _place_marker(self) -> None:
        picked = getattr(self, "_picked", None)
        tiles, per_row = self.tiles() if self.weights is not None else ([], 1)
        if picked not in tiles:
            self.marker.hide()
            return
        kh, kw = self.weights.shape[2:]
        i, j = divmod(tiles.index(picked), per_row)
        self.marker.setRect(j * (kw + 1) - 0.5, i * (kh + 1) - 0.5, kw + 1, kh + 1)
        self.marker.show()

    def tile_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(output, channel) of the tile under image coordinates (x, y), if any."""
        if self.weights is None or x < 0 or y < 0:
            return None
        kh, kw = self.weights.shape[2:]
        i, j = int(y) // (kh + 1), int(x) // (kw + 1)
        if int(y) % (kh + 1) == kh or int(x) % (kw + 1) == kw:
            return None  # the gap between tiles
        tiles, per_row = self.tiles()
        n = i * per_row + j
        return tiles[n] if j < per_row and n < len(tiles) else None

    def pick(self, output: int, channel: int) -> None:
        self._picked = (output, channel)
        self._place_marker()
        self.picked.emit(output, channel)

    def _clicked(self, event) -> None:
        point = self.plot.getViewBox().mapSceneToView(event.scenePos())
        tile = self.tile_at(point.x(), point.y())
        if tile is not None:
            self.pick(*tile)
