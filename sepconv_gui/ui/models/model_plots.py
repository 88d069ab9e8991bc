"""The Model dock's two charts: the singular values of the picked filter, and a normal layer's
depthwise-separable fit error against its multiplications over M."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

import pyqtgraph as pg

BAR = "#4c72b0"
CHOSEN = "#d9534f"


class SingularValuesPlot(pg.PlotWidget):
    """Bars of one filter's singular values, titled with its rank-1 energy share."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.setLabel("bottom", "singular value #")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=BAR)
        self.addItem(self.bars)
        self.values = np.zeros(0)

    def show_values(self, values: np.ndarray | None, title: str = "") -> None:
        self.values = np.zeros(0) if values is None else np.asarray(values, dtype=float)
        x = np.arange(1, len(self.values) + 1)
        self.bars.setOpts(x=x, height=self.values, width=0.6)
        energy = np.sum(self.values**2)
        share = f" · rank 1 keeps {self.values[0] ** 2 / energy:.1%}" if energy > 0 else ""
        self.setTitle(f"{title}{share}" if len(self.values) else "No filter picked", size="9pt")
        self.getAxis("bottom").setTicks([[(int(v), str(int(v))) for v in x]])
        if len(self.values):
            self.setXRange(0.4, len(self.values) + 0.6, padding=0)
            self.setYRange(0, max(float(self.values.max()), 1e-12) * 1.05, padding=0)


class TradeoffPlot(pg.PlotWidget):
    """Fit error (y) against multiplications as a share of the layer's (x), one point per M."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.setLabel("bottom", "multiplications / layer's")
        self.setLabel("left", "relative error")
        self.getAxis("left").enableAutoSIPrefix(False)
        self.curve = pg.PlotDataItem([], [], pen=pg.mkPen(BAR, width=2), symbol="o", symbolSize=6)
        self.chosen = pg.ScatterPlotItem(size=11, brush=CHOSEN, pen=None)
        self.same_cost = pg.InfiniteLine(1.0, angle=90, pen=pg.mkPen("#888", style=Qt.DashLine))
        self.addItem(self.curve)
        self.addItem(self.chosen)
        self.addItem(self.same_cost)
        self.labels: list[pg.TextItem] = []
        self.points = []

    def show_points(self, points, multiplier: int, title: str = "") -> None:
        """``points``: TradeoffPoints (multiplier, relative_error, multiplication_ratio)."""
        self.points = list(points)
        for label in self.labels:
            self.removeItem(label)
        self.labels = []
        x = [p.multiplication_ratio for p in self.points]
        y = [p.relative_error for p in self.points]
        self.curve.setData(x, y)
        chosen = [p for p in self.points if p.multiplier == multiplier]
        self.chosen.setData(
            [p.multiplication_ratio for p in chosen], [p.relative_error for p in chosen]
        )
        # Up to 9 points every M is named; past that only M = 1, 2, 4, 8, ... and the last.
        named = {p.multiplier for p in self.points}
        if len(named) > 9:
            named = {m for m in named if m & (m - 1) == 0} | {max(named)}
        for p in self.points:
            if p.multiplier not in named:
                continue
            label = pg.TextItem(f"M={p.multiplier}", color="#555", anchor=(0, 1))
            label.setPos(p.multiplication_ratio, p.relative_error)
            self.addItem(label)
            self.labels.append(label)
        if self.points:
            self.setTitle(f"{title}: best depthwise-separable fit over M", size="9pt")
        else:
            self.setTitle("Fit over M: for normal layers (k > 1)", size="9pt")
        self.enableAutoRange()
        if self.points:  # room above the highest point for its label
            self.setYRange(0, max(y) * 1.15 or 1.0, padding=0)
