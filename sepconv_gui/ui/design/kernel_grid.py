"""The kernel as a heat map you can type into, paste into and paint on.

A ``QTableView`` over :class:`KernelModel`: every cell is coloured by its value (blue below
zero, white at zero, red above, symmetric about zero), so 1×1 to 31×31 kernels all read at a
glance. Numbers are written in the cells while the cells are wide enough to hold them; zoom
(Ctrl+wheel or the editor's buttons) makes them so, and hovering shows any cell's value.

The grid never changes the kernel itself: each user edit is announced with ``edited`` (the
whole new kernel and a short description for the undo history); whoever owns the design
applies it and shows the result with :meth:`KernelGrid.set_kernel`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from .kernel_ops import (
    diverging_rgb_array,
    format_block,
    format_value,
    parse_block,
    place_block,
    short_value,
)

TEXT_MIN_CELL = 22  # px: narrower cells show colour only (the value is in the tooltip)
MAX_CELL = 56
MIN_CELL = 6
MAX_HEIGHT = 380  # px of grid at zoom 1; taller kernels get smaller cells, zoom scrolls


class KernelModel(QAbstractTableModel):
    """Read-only view of a kernel for the table; edits go out through ``cell_edited``."""

    cell_edited = Signal(int, int, float)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kernel = np.zeros((3, 3))
        self.peak = 0.0
        self.text_room = 8  # characters that fit in a cell; 0 shows colours only
        self._cache()

    def _cache(self) -> None:
        # A repaint asks for ~8 roles of every cell: a 31×31 kernel is 8000 calls into Python
        # per paint. Looking answers up in lists made once per kernel keeps a slider drag
        # smooth (formatting and colour maths per call took 60 % of the drag's GUI time).
        colours = diverging_rgb_array(self.kernel, self.peak)
        self._background = [QColor(r, g, b) for r, g, b in colours.tolist()]
        white, black = QColor("white"), QColor("black")
        dark = (colours @ np.array([0.299, 0.587, 0.114]) < 140).tolist()
        self._foreground = [white if d else black for d in dark]
        self._cache_text()

    def _cache_text(self) -> None:
        room, peak = self.text_room, self.peak
        values = self.kernel.ravel().tolist()
        self._display = [short_value(v, peak, room) for v in values] if room else None

    def set_kernel(self, kernel: np.ndarray) -> None:
        kernel = np.asarray(kernel, dtype=np.float64)
        reshaped = kernel.shape != self.kernel.shape
        if reshaped:
            self.beginResetModel()
        elif np.array_equal(kernel, self.kernel):
            return  # nothing new to paint
        self.kernel = kernel.copy()
        self.peak = float(np.abs(kernel).max())
        self._cache()
        if reshaped:
            self.endResetModel()
        else:
            self.dataChanged.emit(self.index(0, 0), self.index(*np.subtract(kernel.shape, 1)))

    def set_text_room(self, chars: int) -> None:
        if chars != self.text_room:
            self.text_room = chars
            self._cache_text()
            self.dataChanged.emit(self.index(0, 0), self.index(*np.subtract(self.kernel.shape, 1)))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else self.kernel.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.kernel.shape[1]

    FLAGS = Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable

    def flags(self, index):
        return self.FLAGS

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        i, j = index.row(), index.column()
        cell = i * self.kernel.shape[1] + j
        if role == Qt.BackgroundRole:
            return self._background[cell]
        if role == Qt.DisplayRole:
            return self._display[cell] if self._display else None
        if role == Qt.ForegroundRole:
            return self._foreground[cell]
        if role == Qt.TextAlignmentRole:
            return Qt.AlignCenter
        value = float(self.kernel[i, j])
        if role == Qt.EditRole:
            shown = format_value(value, self.peak)
            return f"{value:.10g}" if shown != "0" else "0"  # edit the full value
        if role == Qt.ToolTipRole:
            kh, kw = self.kernel.shape
            shown = format_value(value, self.peak)
            exact = f"{value:.10g}" if shown != "0" else "0"
            return (
                f"row {i + 1}, column {j + 1} (offset {i - kh // 2:+d}, {j - kw // 2:+d} "
                f"from the anchor): {exact}"
            )
        return None

    def setData(self, index, value, role=Qt.EditRole) -> bool:
        if role != Qt.EditRole or not index.isValid():
            return False
        try:
            number = float(str(value).strip().replace(",", "."))
            if not np.isfinite(number):
                raise ValueError
        except ValueError:
            self.failed.emit(
                f"kernel cell ({index.row() + 1}, {index.column() + 1}): "
                f"{value!r} is not a finite number"
            )
            return False
        self.cell_edited.emit(index.row(), index.column(), number)
        return True


class CellPainter(QStyledItemDelegate):
    """Paints a cell straight from the model's lists: one Python call per cell instead of the
    eight role look-ups the stock delegate makes (the difference between a smooth and a
    stuttering drag on a 31×31 kernel). Editing still uses the stock line edit."""

    def paint(self, painter, option, index) -> None:
        model = index.model()
        cell = index.row() * model.kernel.shape[1] + index.column()
        rect = option.rect
        painter.fillRect(rect, model._background[cell])
        if option.state & QStyle.State_Selected:
            painter.fillRect(rect, QColor(0, 0, 0, 60))
        if model._display is not None and model._display[cell] is not None:
            painter.setPen(model._foreground[cell])
            painter.drawText(rect, Qt.AlignCenter, model._display[cell])


class KernelGrid(QTableView):
    """The heat map. ``paint_value`` set to a number turns mouse drags into painting."""

    edited = Signal(object, str)  # new kernel (ndarray), what was done
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kernel_model = KernelModel(self)
        self.setModel(self.kernel_model)
        self.setItemDelegate(CellPainter(self))
        self.kernel_model.cell_edited.connect(self._cell_edited)
        self.kernel_model.failed.connect(self.failed)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
            header.setMinimumSectionSize(1)
            header.setSectionResizeMode(QHeaderView.Fixed)
        self.setEditTriggers(
            QAbstractItemView.DoubleClicked
            | QAbstractItemView.EditKeyPressed
            | QAbstractItemView.AnyKeyPressed
        )
        self.setToolTip("")
        self.setFocusPolicy(Qt.StrongFocus)
        self.zoom = 1.0
        self.paint_value: float | None = None
        self._stroke: np.ndarray | None = None
        self.cell = MAX_CELL
        self.max_cell, self.max_height = MAX_CELL, MAX_HEIGHT  # a preview sets smaller ones
        self.available_width = 300

    @property
    def kernel(self) -> np.ndarray:
        return self.kernel_model.kernel

    def set_kernel(self, kernel: np.ndarray) -> None:
        self.kernel_model.set_kernel(kernel)
        self._fit_cells()

    # --- sizing ---------------------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        self.zoom = min(8.0, max(1.0, zoom))
        self._fit_cells()

    def _fit_cells(self) -> None:
        kh, kw = self.kernel.shape
        frame = 2 * self.frameWidth()
        width = max(60, self.available_width - frame)
        fit = max(MIN_CELL, min(self.max_cell, width // kw, self.max_height // kh))
        cell = max(MIN_CELL, round(fit * self.zoom))
        self.cell = cell
        self.horizontalHeader().setDefaultSectionSize(cell)
        self.verticalHeader().setDefaultSectionSize(cell)
        digit = max(1, self.fontMetrics().horizontalAdvance("0"))
        self.kernel_model.set_text_room((cell - 4) // digit if cell >= TEXT_MIN_CELL else 0)
        # At zoom 1 the whole kernel shows in square cells; zoomed in, it scrolls.
        wide, tall = cell * kw > width, cell * kh > self.max_height
        bar = self.horizontalScrollBar().sizeHint().height() if wide else 0
        side = self.verticalScrollBar().sizeHint().width() if tall else 0
        self.setFixedSize(
            min(kw * cell + side, width) + frame, min(kh * cell, self.max_height) + bar + frame
        )

    def set_available_width(self, width: int) -> None:
        if width != self.available_width:
            self.available_width = width
            self._fit_cells()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.ControlModifier:
            self.set_zoom(self.zoom * (1.25 if event.angleDelta().y() > 0 else 0.8))
            event.accept()
            return
        if self.cell * max(self.kernel.shape) <= self.max_height:
            event.ignore()  # nothing to scroll here: let the dock scroll
            return
        super().wheelEvent(event)

    # --- typing ---------------------------------------------------------------------------
    def _cell_edited(self, row: int, column: int, value: float) -> None:
        kernel = self.kernel.copy()
        kernel[row, column] = value
        self.edited.emit(kernel, f"Set cell ({row + 1}, {column + 1})")

    # --- clipboard ------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.Paste):
            self.paste(QGuiApplication.clipboard().text())
        elif event.matches(QKeySequence.Copy):
            QGuiApplication.clipboard().setText(self.copy_text())
        elif event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and self.state() != self.EditingState:
            self._set_selected(0.0, "Clear cells")
        else:
            super().keyPressEvent(event)

    def _selected_cells(self) -> list[tuple[int, int]]:
        return sorted({(i.row(), i.column()) for i in self.selectedIndexes()})

    def _set_selected(self, value: float, what: str) -> None:
        cells = self._selected_cells()
        if cells:
            kernel = self.kernel.copy()
            rows, columns = zip(*cells, strict=True)
            kernel[list(rows), list(columns)] = value
            self.edited.emit(kernel, what)

    def copy_text(self) -> str:
        """The selected block (its bounding box), or the whole kernel with no selection."""
        cells = self._selected_cells()
        if not cells:
            return format_block(self.kernel)
        rows, columns = zip(*cells, strict=True)
        return format_block(self.kernel[min(rows) : max(rows) + 1, min(columns) : max(columns) + 1])

    def paste(self, text: str) -> None:
        """A block from the clipboard: replaces the whole kernel when everything (or nothing)
        is selected, else lands with its top-left at the current cell, growing the kernel."""
        try:
            block = parse_block(text)
        except ValueError as error:
            self.failed.emit(f"Cannot paste: {error}")
            return
        cells = self._selected_cells()
        whole = not cells or len(cells) == self.kernel.size
        if whole:
            kernel = block
        else:
            row, column = cells[0]
            current = self.currentIndex()
            if current.isValid() and (current.row(), current.column()) in cells:
                row, column = min(cells)
            kernel = place_block(self.kernel, block, row, column)
        self.edited.emit(kernel, f"Paste {block.shape[0]}×{block.shape[1]} block")

    # --- painting -------------------------------------------------------------------------
    def _paint_at(self, pos) -> None:
        index = self.indexAt(pos)
        if index.isValid() and self._stroke is not None:
            if self._stroke[index.row(), index.column()] != self.paint_value:
                self._stroke[index.row(), index.column()] = self.paint_value
                self.kernel_model.set_kernel(self._stroke)

    def mousePressEvent(self, event) -> None:
        if self.paint_value is not None and event.button() == Qt.LeftButton:
            self._before = self.kernel.copy()
            self._stroke = self.kernel.copy()
            self._paint_at(event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._stroke is not None:
            self._paint_at(event.position().toPoint())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._stroke is not None:
            stroke, self._stroke = self._stroke, None
            changed = int(np.count_nonzero(stroke != self._before))
            # One stroke is one edit (one undo step), however many cells it crossed.
            if changed:
                self.edited.emit(stroke, f"Paint {changed} cell{'s' * (changed != 1)}")
            event.accept()
            return
        super().mouseReleaseEvent(event)


class KernelGridArea(QWidget):
    """Holds the grid centred in whatever width the dock gives, sizing its square cells."""

    def __init__(self, grid: KernelGrid, parent=None) -> None:
        super().__init__(parent)
        self.grid = grid
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(grid)
        row.addStretch(1)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.grid.set_available_width(event.size().width())
