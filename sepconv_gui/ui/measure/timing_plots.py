"""Live timing plots: what each mode costs per frame, per stage, and against the theory."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...app.pipeline import FrameResult
from ...app.state import Design
from ...app.timing_history import STAGES, TimingHistory, explain_gap
from ..views.result_views import MODE_TITLES
from ..views.visibility import ThrottledDraw
from . import explain

COLORS = {"normal": "#e15759", "spatial": "#4e79a7", "depthwise": "#59a14f"}
STAGE_COLORS = {
    "vertical": "#4e79a7",
    "horizontal": "#a0cbe8",
    "depthwise": "#59a14f",
    "pointwise": "#8cd17d",
}
FEW_POINTS = 12  # below this many frames (a still image), points get markers and a fixed span
# Wide pens are drawn several times slower by the raster engine, on the GUI thread.
LINE_WIDTH = 1


X_STEP = 50  # the x window moves in jumps of this many frames


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^n at or above ``value``."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= value * (1 - 1e-9)))


def legend_html() -> str:
    """The plots' legend as one line of coloured swatches, outside the data."""

    def swatch(color: str, name: str) -> str:
        return f'<span style="color:{color}">■</span>&nbsp;{name}'

    modes = " ".join(swatch(COLORS[m], MODE_TITLES[m]) for m in COLORS)
    stages = " ".join(swatch(color, stage) for stage, color in STAGE_COLORS.items())
    return (
        f"{modes} &nbsp;·&nbsp; stages: {stages} &nbsp;·&nbsp; speed-up over normal: "
        "solid measured, dashed by count"
    )


def _finite(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, np.nan)


class TimingPlots(QWidget):
    """Curves are created once and fed with ``setData`` from a ring buffer, rate-limited."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.history = TimingHistory(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumHeight(180)
        self.legend = QLabel(legend_html())
        self.legend.setTextFormat(Qt.RichText)
        layout.addWidget(self.legend)
        layout.addWidget(self.graphics, 1)
        footer = QHBoxLayout()
        self.summary = QLabel(wordWrap=True)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget the measured frames and start the plots afresh")
        self.clear_button.clicked.connect(self.clear)
        footer.addWidget(self.summary, 1)
        footer.addWidget(self.clear_button)
        layout.addLayout(footer)
        self._build_plots()
        self._ranges: dict[int, tuple] = {}
        self._design: Design | None = None
        #: The window's RooflineService (peaks and per-call costs); None: no verdicts.
        self.roofline = None
        # The shared rate limiter: draws only when a frame arrived and the plots are seen (a
        # forever-running 33 ms timer woke the GUI thread while idle or hidden).
        self._throttle = ThrottledDraw(self, self._draw)

    def _plot(self, column: int, title: str, unit: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=0, col=column, title=title)
        # Equal shares of whatever width the dock has: at 1280 px the fifth plot was cut off.
        plot.setMinimumWidth(80)
        plot.setPreferredWidth(160)
        self.graphics.ci.layout.setColumnStretchFactor(column, 1)
        plot.setLabel("left", unit)
        plot.setLabel("bottom", "frame")
        plot.getAxis("bottom").enableAutoSIPrefix(False)  # frame numbers, not "x0.001"
        for side in ("left", "bottom"):
            # Axes change rarely (see _hold_ranges) but were redrawn, text and all, whenever
            # a curve next to them moved; a cached pixmap makes that a blit.
            plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        plot.showGrid(x=True, y=True, alpha=0.2)
        # No legend inside the plot: it covered the data. One legend line sits above them all.
        return plot

    def _build_plots(self) -> None:
        self.time_plot = self._plot(0, "Time per frame", "ms")
        self.time_curves = {
            mode: self.time_plot.plot(
                pen=pg.mkPen(COLORS[mode], width=LINE_WIDTH), name=MODE_TITLES[mode]
            )
            for mode in COLORS
        }
        # Stacked areas: the total is filled first in the second stage's colour, then the first
        # stage on top of it, so each band's height is one stage's time.
        self.stage_curves: dict[str, pg.PlotDataItem] = {}
        for column, mode in ((1, "spatial"), (2, "depthwise")):
            plot = self._plot(column, f"{MODE_TITLES[mode].split('-')[0]} stages, stacked", "ms")
            for key, stage in (("high", STAGES[mode][1]), ("low", STAGES[mode][0])):
                color = pg.mkColor(STAGE_COLORS[stage])
                fill = pg.mkColor(STAGE_COLORS[stage])
                fill.setAlpha(150)
                self.stage_curves[f"{mode}.{key}"] = plot.plot(
                    pen=pg.mkPen(color), fillLevel=0, brush=fill, name=stage
                )
        self.speed_plot = self._plot(3, "Speed-up vs normal (log)", "×")
        self.speed_plot.setLogMode(y=True)
        self.speed_curves, self.theory_curves = {}, {}
        for mode in ("spatial", "depthwise"):
            name = MODE_TITLES[mode].split("-")[0]
            self.speed_curves[mode] = self.speed_plot.plot(
                pen=pg.mkPen(COLORS[mode], width=LINE_WIDTH), name=f"{name} vs normal, measured"
            )
            self.theory_curves[mode] = self.speed_plot.plot(
                pen=pg.mkPen(COLORS[mode], width=1, style=pg.QtCore.Qt.DashLine),
                name=f"{name} vs normal, by count",
            )
        self.fps_plot = self._plot(4, "Frames per second", "FPS")
        self.fps_curve = self.fps_plot.plot(pen=pg.mkPen("#f28e2b", width=LINE_WIDTH), name="FPS")
        # Markers for the few-points view (see _mark_few_points), styled once here.
        self._markers = [(curve, "o") for curve in self.time_curves.values()]
        self._markers += [(curve, "o") for curve in self.speed_curves.values()]
        self._markers += [(curve, "s") for curve in self.stage_curves.values()]
        for curve, _ in self._markers:
            curve.setSymbolSize(7)
            curve.setSymbolBrush(curve.opts["pen"].color())
        self._few: bool | None = None

    # --- data in ----------------------------------------------------------------------------
    def show_result(self, result: FrameResult, design: Design | None = None) -> None:
        """Add ``result``; ``design`` (the one it ran) lets the summary name like-for-like
        counts."""
        self.history.append(result)
        self._design = design
        self._throttle.new_input()

    def clear(self) -> None:
        self.history.clear()
        self._throttle.options_changed()

    # --- drawing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Draw frames that are waiting, if the plots can be seen."""
        self._throttle.catch_up()

    catch_up = refresh  # the name the window's dock hook calls

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self._throttle.catch_up)
        if self.roofline is not None:  # the summary's verdicts need the machine's peaks
            QTimer.singleShot(0, self.roofline.ensure_peaks)

    def _draw(self) -> None:
        h = self.history
        frames = h.series("frame")
        for mode, curve in self.time_curves.items():
            curve.setData(frames, _finite(h.series(mode)), connect="finite")
        for mode in ("spatial", "depthwise"):
            first, second = (h.series(f"{mode}.{s}") for s in STAGES[mode])
            self.stage_curves[f"{mode}.low"].setData(frames, _finite(first), connect="finite")
            self.stage_curves[f"{mode}.high"].setData(
                frames, _finite(first + second), connect="finite"
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                measured = h.series("normal") / h.series(mode)
            self.speed_curves[mode].setData(frames, _finite(measured), connect="finite")
            # Per frame: after a design change the dashed line steps with the counts.
            theory = h.series(f"theory.{mode}")
            self.theory_curves[mode].setData(frames, _finite(theory), connect="finite")
        self.fps_curve.setData(frames, _finite(h.series("fps")), connect="finite")
        self._mark_few_points(frames)
        if len(frames) >= FEW_POINTS:
            self._hold_ranges(frames)
        self.summary.setText(self.summary_text())

    def _plots(self) -> list[pg.PlotItem]:
        return [item for item in self.graphics.ci.items if isinstance(item, pg.PlotItem)]

    def _hold_ranges(self, frames: np.ndarray) -> None:
        """Ranges that move in steps (x by X_STEP frames, y to 1-2-5 ceilings).

        Redrawing an axis costs about a millisecond of the GUI thread; axes that followed
        every new point were repainted 300 times a second and took CPU from the pipeline.
        """
        right = X_STEP * int(np.ceil((frames[-1] + 1) / X_STEP))
        left = max(float(frames[0]), right - self.history.capacity)
        for plot in self._plots():
            shown = [
                y[np.isfinite(y)] for c in plot.listDataItems() if (y := c.getData()[1]) is not None
            ]
            shown = [y for y in shown if y.size]
            if not shown:  # e.g. no speed-ups without the normal mode
                y = (0.0, 1.0)
            elif plot is self.speed_plot:  # log axis: data are log10 of the ratios
                low = np.floor(min(float(v.min()) for v in shown))
                y = (min(low, 0.0), float(np.ceil(max(float(v.max()) for v in shown))))
            else:
                y = (0.0, nice_ceiling(1.1 * max(float(v.max()) for v in shown)))
            wanted = (left, right, *y)
            if self._ranges.get(id(plot)) != wanted:
                self._ranges[id(plot)] = wanted
                plot.setRange(xRange=(left, right), yRange=y, padding=0)

    def _mark_few_points(self, frames: np.ndarray) -> None:
        """A still image gives one frame: a line needs two points, so show markers instead,
        over a span of a few frames rather than pyqtgraph's +-0.5 around a lone point."""
        few = len(frames) < FEW_POINTS
        if few != self._few:  # setSymbol re-processes a curve: only on a change
            self._few = few
            for curve, symbol in self._markers:
                curve.setSymbol(symbol if few else None)
        if few:
            self._ranges.clear()
            for plot in self._plots():
                plot.enableAutoRange(y=True)
                if len(frames):
                    plot.setXRange(frames[0] - 1, frames[0] + FEW_POINTS, padding=0)

    def summary_text(self) -> str:
        """Frames and ratios of the current design only: a design change starts it afresh."""
        h = self.history
        if not len(h) or h.last_result is None:
            return "Timings appear here as frames are processed."
        frames = h.current_design_frames()
        parts = [f"{frames} frame" + ("s" if frames != 1 else "") + " of this design"]
        fps = h.median("fps", current_design=True)
        if np.isfinite(fps):
            parts.append(f"{fps:.1f} FPS")
        compared = (
            explain.comparisons(h.last_result, self._design) if self._design is not None else {}
        )
        runs = h.last_result.results
        if "depthwise" in runs and "normal" in runs:
            measured = h.measured_speedup("depthwise")
            text = f"depthwise-separable vs normal, same {_channels(h.last_result)}"
            text += f": {measured:.2f}× faster measured" if np.isfinite(measured) else ""
            if "depthwise" in compared:
                text += f", {compared['depthwise'].ratio:.2f}× fewer multiplications"
            parts.append(text)
        if "spatial" in runs:
            text = "spatial-separable"
            if "spatial" in compared:
                c = compared["spatial"]
                text += f": {c.ratio:.2f}× fewer multiplications than the {c.reference}"
            measured = h.measured_speedup("spatial") if "normal" in runs else float("nan")
            if np.isfinite(measured):
                theory = h.theoretical_speedup("spatial")
                text += (
                    f"; {measured:.2f}× faster than the normal bank measured "
                    f"({theory:.2f}× fewer multiplications than that bank)"
                )
            parts.append(text)
        return " · ".join(parts) + ". " + explain_gap(h, self.analysis())

    def set_roofline(self, service) -> None:
        """Judge the stages against ``service``'s peaks; redraw when they arrive."""
        self.roofline = service
        service.changed.connect(self._throttle.options_changed)

    def analysis(self):
        """Roofline verdicts of the current design, once this machine's peaks are known."""
        service = self.roofline
        if service is None or service.peaks is None:
            return None
        overheads = service.overheads_for(self.history.last_result, self._design)
        return explain.roofline_analysis(self.history, self._design, service.peaks, overheads)


def _channels(result: FrameResult) -> str:
    """'3 → 8': the input and output channel counts of the depthwise-separable run."""
    depthwise = result.results["depthwise"]
    return f"{result.image.shape[2]} → {depthwise.output.shape[2]}"
