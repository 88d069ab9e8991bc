"""Small log-log roofline plots, one per mode: FLOPs per byte against GFLOP/s, the machine's
two roofs, and one point per stage."""

from __future__ import annotations

import math

import pyqtgraph as pg

from ...app.roofline import Analysis
from ..views.result_views import MODE_TITLES

STAGE_COLORS = {
    "normal": "#e15759",
    "vertical": "#4e79a7",
    "horizontal": "#76b7b2",
    "both passes": "#4e79a7",
    "depthwise": "#59a14f",
    "pointwise": "#b07aa1",
}
ROOF_PEN = pg.mkPen("#bbbbbb", width=2)
X_RANGE = (0.05, 200.0)  # FLOPs per byte shown: below 3x3 filters to beyond big GEMMs


def roof_points(peaks, low: float = X_RANGE[0], high: float = X_RANGE[1]):
    """The roof as a polyline: the memory slope up to the ridge, then flat."""
    ridge = min(max(peaks.ridge, low), high)
    xs = [low, ridge, high]
    return xs, [peaks.roof(x) for x in xs]


class RooflinePlots(pg.GraphicsLayoutWidget):
    """One plot per mode, fed with an :class:`~sepconv_gui.app.roofline.Analysis`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.plots: dict[str, pg.PlotItem] = {}
        self.points: dict[str, pg.ScatterPlotItem] = {}
        self.roofs: dict[str, pg.PlotDataItem] = {}
        self._labels: dict[str, list[pg.TextItem]] = {}
        for column, mode in enumerate(("normal", "spatial", "depthwise")):
            plot = self.addPlot(row=0, col=column, title=MODE_TITLES[mode].split("-")[0])
            plot.setLogMode(x=True, y=True)
            plot.setMinimumWidth(120)
            plot.setLabel("bottom", "FLOP/byte")
            plot.setLabel("left", "GFLOP/s")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            for side in ("left", "bottom"):
                plot.getAxis(side).enableAutoSIPrefix(False)
            self.roofs[mode] = plot.plot(pen=ROOF_PEN)
            self.points[mode] = pg.ScatterPlotItem(size=10, pen=pg.mkPen("w", width=1))
            plot.addItem(self.points[mode])
            self.plots[mode] = plot
            self._labels[mode] = []

    def show_analysis(self, analysis: Analysis | None) -> None:
        peaks = analysis.peaks if analysis is not None else None
        for mode, plot in self.plots.items():
            for label in self._labels[mode]:
                plot.removeItem(label)
            self._labels[mode] = []
            stages = analysis.for_mode(mode) if analysis is not None else []
            spots = [
                {"pos": (f.intensity, f.gflops), "brush": pg.mkBrush(STAGE_COLORS[f.stage])}
                for f, _ in stages
                if f.gflops > 0 and math.isfinite(f.gflops) and math.isfinite(f.intensity)
            ]
            # A log-mode scatter takes log10 coordinates (pyqtgraph maps curves, not spots).
            for spot in spots:
                x, y = spot["pos"]
                spot["pos"] = (math.log10(x), math.log10(y))
            self.points[mode].setData(spots)
            highest = max((f.gflops for f, _ in stages if f.gflops > 0), default=1.0)
            if peaks is not None:
                xs, ys = roof_points(peaks)
                self.roofs[mode].setData(xs, ys)
                highest = max(highest, peaks.gflops)
            else:
                self.roofs[mode].setData([], [])
            for f, verdict in stages:
                if not (f.gflops > 0 and math.isfinite(f.intensity)):
                    continue
                # Right of the point, or left of it near the plot's right edge.
                right = math.log10(f.intensity) < math.log10(X_RANGE[1]) - 1.0
                label = pg.TextItem(
                    f.stage, color=STAGE_COLORS[f.stage], anchor=(0, 1) if right else (1, 1)
                )
                label.setPos(math.log10(f.intensity), math.log10(f.gflops))
                label.setToolTip(f"{f.stage}: {verdict.label}")
                plot.addItem(label)
                self._labels[mode].append(label)
            lowest = min((f.gflops for f, _ in stages if f.gflops > 0), default=highest / 100)
            plot.setXRange(math.log10(X_RANGE[0]), math.log10(X_RANGE[1]), padding=0)
            plot.setYRange(
                math.floor(math.log10(min(lowest, highest / 100))),
                math.ceil(math.log10(highest * 1.5)),
                padding=0,
            )

    def point_positions(self, mode: str) -> list[tuple[float, float]]:
        """Where the stage points are, in data units (FLOP/byte, GFLOP/s): tests read this."""
        return [(10 ** p.x(), 10 ** p.y()) for p in (s.pos() for s in self.points[mode].points())]
