"""A readout of one pixel through every stage of every mode, for the pixel under the mouse."""

from __future__ import annotations

import math
import weakref

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...app.pipeline import FrameResult
from .arithmetic_panel import ArithmeticPanel
from .comparison import PixelRow, pixel_report, stride_of
from .visibility import ThrottledDraw

UPDATE_MS = 33
"""The readout follows the mouse and live video at most this often (about 30 Hz)."""

VALUES_SHOWN = 8
"""Channels listed per row; longer lists end in "… (+n more)"."""


class PixelInspector(QWidget):
    """Input, intermediate and output values at one pixel, one row per array.

    :meth:`watch` makes a pyqtgraph view box report the pixel under the mouse;
    :meth:`show_result` keeps the newest result and re-reads the same pixel, so the readout
    follows live video while the mouse rests. Both are throttled to :data:`UPDATE_MS`, and
    nothing is read while the widget is hidden. :meth:`show_pixel` reads a pixel at once.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel("Hover over an image to read one pixel in every stage.")
        self.title.setStyleSheet("font-weight: 600")
        self.title.setWordWrap(True)  # a narrow dock must not be widened by its caption
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(("Array", "N", "Values at this pixel"))
        self.table.horizontalHeaderItem(1).setToolTip("How many channels the array has")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.NoSelection)
        self.table.setFocusPolicy(Qt.NoFocus)  # a readout, not a form: no current-cell frame
        self.table.setWordWrap(True)  # long value lists wrap at their commas
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        header = self.table.horizontalHeader()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        # Below the values, each mode's sum for the same pixel (issue 11, item 6).
        self.arithmetic = ArithmeticPanel()
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.arithmetic)
        self.splitter.setStretchFactor(1, 2)
        self._split = False
        layout.addWidget(self.title)
        layout.addWidget(self.splitter, 1)
        self.result: FrameResult | None = None
        self.point: tuple[int, int] | None = None  # the pixel shown, (x, y)
        self.rows: list[PixelRow] = []
        self.updates = 0  # readouts drawn, so tests can see the throttle work
        self._wanted: tuple[float, float] | None = None  # the newest (x, y) asked for
        # The app's one rate limiter; a readout is cheap, so no slow-draw back-off.
        self._throttle = ThrottledDraw(self, self._readout, interval_ms=UPDATE_MS, busy_factor=0)
        self._watched: weakref.WeakSet = weakref.WeakSet()

    def show_pixel(self, result: FrameResult | None, x: float, y: float) -> None:
        """Show column ``x``, row ``y`` (image pixels; fractions are floored) now."""
        self.result, self._wanted = result, (x, y)
        self._throttle.mark_drawn()
        self.updates += 1
        self.rows = pixel_report(result, x, y, VALUES_SHOWN) if result is not None else []
        if not self.rows:
            self.point = None
            self.title.setText("Outside the image.")
            self.table.setRowCount(0)
            self.arithmetic.clear()
            return
        self.point = (math.floor(x), math.floor(y))
        title = f"Pixel x = {self.point[0]}, y = {self.point[1]}"
        sy, sx = stride_of(result)
        if (sy, sx) != (1, 1):
            title += f" (output x = {self.point[0] // sx}, y = {self.point[1] // sy})"
        self.title.setText(title)
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            cells = (row.name, str(row.values.size), row.text)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(index, column, item)
        self.arithmetic.show_pixel(result, x, y)

    def show_result(self, result: FrameResult) -> None:
        """Keep ``result`` and re-read the pixel last asked for (throttled)."""
        self.result = result
        self._request()

    def watch(self, view: pg.ViewBox) -> None:
        """Report the pixel under the mouse whenever it moves over ``view``.

        ``view`` must already sit in a scene and show the image with pixel (0, 0) at the
        origin and one unit per pixel, as every image view of the app does. Watching a view
        again does nothing, so it is safe to call for every view after every rebuild.
        """
        if view in self._watched:
            return
        self._watched.add(view)
        ref = weakref.ref(view)

        def moved(position: QPointF) -> None:
            box = ref()
            if box is not None and box.sceneBoundingRect().contains(position):
                point = box.mapSceneToView(position)
                self.request_pixel(point.x(), point.y())

        view.scene().sigMouseMoved.connect(moved)

    def request_pixel(self, x: float, y: float) -> None:
        """Show column ``x``, row ``y`` of the current result, at most every UPDATE_MS."""
        self._wanted = (x, y)
        self._request()

    def _request(self) -> None:
        if self._wanted is not None:  # no pixel asked for yet: nothing to read, no slot used
            self._throttle.new_input()

    def _readout(self) -> None:
        if self._wanted is not None:
            self.show_pixel(self.result, *self._wanted)

    def catch_up(self) -> None:
        """Draw a waiting readout if the inspector can be seen (shown, dock raised)."""
        self._throttle.catch_up()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._split:  # the table gets its rows, the arithmetic everything else
            self._split = True
            rows = self.table.horizontalHeader().height() + 6 * self.fontMetrics().height() + 16
            self.splitter.setSizes([rows, max(1, self.splitter.height() - rows)])
        self.catch_up()
