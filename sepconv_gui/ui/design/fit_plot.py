"""The depthwise-separable fit of a normal bank: relative error against multiplications.

One point per depth multiplier M. Points a design can use (M ≤ 16) are blue and clickable;
the one in use is red; the normal bank's own count is the dashed line the fits are set against.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal

import pyqtgraph as pg

USABLE = "#2166ac"
UNUSABLE = "#aaaaaa"
CHOSEN = "#d9534f"


class FitPlot(pg.PlotWidget):
    """Emits ``picked(M)`` when a point is clicked."""

    picked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.setMinimumHeight(170)
        self.setMaximumHeight(240)
        self.setLabel("bottom", "multiplications / output pixel")
        self.setLabel("left", "relative error")
        for axis in ("left", "bottom"):
            self.getAxis(axis).enableAutoSIPrefix(False)
        self.line = pg.PlotDataItem([], [], pen=pg.mkPen("#888", width=1))
        self.scatter = pg.ScatterPlotItem(size=9, pen=None, hoverable=True)
        self.scatter.sigClicked.connect(self._clicked)
        self.normal = pg.InfiniteLine(angle=90, pen=pg.mkPen("#555", style=Qt.DashLine))
        self.normal.setVisible(False)
        self.normal_label = pg.TextItem("normal", color="#555", anchor=(1, 0))
        for item in (self.line, self.normal, self.normal_label, self.scatter):
            self.addItem(item)
        self.points = []
        self.chosen = 0
        self.setTitle("Fit depthwise-separable to see the trade-off", size="9pt")

    def sizeHint(self) -> QSize:
        return QSize(300, 200)  # as wide as the dock makes it, never widening the dock

    def show_points(self, points, chosen: int = 0) -> None:
        """``points``: design_fit.FitPoint, one per M; ``chosen``: the M in use (0: none)."""
        self.points, self.chosen = list(points), chosen
        x = [p.multiplications for p in self.points]
        y = [p.relative_error for p in self.points]
        self.line.setData(x, y)
        brushes = [
            CHOSEN if p.multiplier == chosen else USABLE if p.applicable else UNUSABLE
            for p in self.points
        ]
        sizes = [13 if p.multiplier == chosen else 9 for p in self.points]
        self.scatter.setData(
            x=x,
            y=y,
            brush=brushes,
            size=sizes,
            data=[p.multiplier for p in self.points],
            tip=lambda x, y, data: f"M = {data}: error {y:.4f}, {x:,.0f} mult/px",
        )
        if self.points:
            normal = self.points[0].normal_multiplications
            self.normal.setValue(normal)
            self.normal.setVisible(True)
            self.normal_label.setPos(normal, max(y) if max(y) > 0 else 1.0)
            self.setTitle("Click a point to use that fit (blue: M ≤ 16)", size="9pt")
        self.enableAutoRange()

    def clear_points(self, title: str) -> None:
        self.points, self.chosen = [], 0
        self.line.setData([], [])
        self.scatter.setData([], [])
        self.normal.setVisible(False)
        self.setTitle(title, size="9pt")

    def _clicked(self, _item, spots, _event=None) -> None:
        if len(spots):
            self.picked.emit(int(spots[0].data()))
