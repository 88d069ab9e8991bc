"""The benchmark sweep's two plots: measured time, and speed-up (or cost) against the theory.

Every curve is created once; :meth:`SweepPlots.show_result` and the option boxes only call
``setData`` and change visibility and legends. The numbers come from
:func:`~..app.sweep.plot_series`; nothing here computes a timing.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
import pyqtgraph.exporters  # pyqtgraph does not import its exporters by itself
from PySide6.QtCore import QBuffer, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from ...app.sweep import VARIABLES, SweepResult, plot_series
from ...engine import MODES
from ..views.result_views import BACKGROUND, MODE_TITLES
from .timing_plots import COLORS

SYMBOLS = {"normal": "o", "spatial": "s", "depthwise": "t"}
#: What each separable mode's ratio compares it with (see app.sweep.SweepPoint.reference_for).
AGAINST = {"spatial": "k×k filter", "depthwise": "normal"}
SEPARABLE = ("spatial", "depthwise")
MAX_VALUE_TICKS = 12


def _short(mode: str) -> str:
    return MODE_TITLES[mode].split("-")[0]


def _value_ticks(values: list[int], log: bool) -> list | None:
    """Ticks at the swept values themselves (log10 positions on a log axis); None = auto.

    pyqtgraph's own log ticks read "2·10¹ 3·10¹ ..." and crowd each other.
    """
    if not values or len(values) > MAX_VALUE_TICKS:
        return None
    return [[(math.log10(v) if log else v, str(v)) for v in values]]


class PlainLogAxis(pg.AxisItem):
    """Log ticks as plain numbers ("20", not "2·10¹"), labelling only 1, 2 and 5 × 10ⁿ."""

    def logTickStrings(self, values, scale, spacing):  # pyqtgraph calls it by this name
        strings = []
        for value in values:
            number = 10.0**value * scale
            mantissa = round(number / 10.0 ** math.floor(math.log10(number) + 1e-9), 6)
            strings.append(f"{number:g}" if mantissa in (1, 2, 5) else "")
        return strings


class SweepPlots(QWidget):
    """Options on top, then time (left) and speed-up or cost ratio (right)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: SweepResult | None = None
        self.log_x = QCheckBox("Log x")
        self.log_y = QCheckBox("Log y")
        self.log_y.setChecked(True)
        self.log_x.setToolTip("Logarithmic swept-variable axis (for × ranges)")
        self.log_y.setToolTip("Logarithmic time and ratio axes: power laws become lines")
        self.overlay = QCheckBox("Multiplication overlay")
        self.overlay.setToolTip(
            "Dashed: each mode's multiplication count times normal conv's "
            "measured time per multiplication (the first mode's when "
            "normal is not timed)"
        )
        self.overlay.setChecked(True)
        self.speedup = QCheckBox("As speed-up")
        self.speedup.setToolTip(
            "Right plot as speed-up (replaced ÷ mode) instead of the cost ratio "
            "(mode ÷ replaced). Like for like: depthwise-separable against normal conv with "
            "the same C → P, spatial-separable against the same per-channel k×k filter"
        )
        self.speedup.setChecked(True)
        self.options = QHBoxLayout()
        self.options.setContentsMargins(0, 0, 0, 0)
        for box in (self.log_x, self.log_y, self.overlay, self.speedup):
            box.toggled.connect(self.refresh)
            self.options.addWidget(box)
        self.options.addStretch(1)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(BACKGROUND)
        self.graphics.setMinimumSize(360, 150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.options)
        layout.addWidget(self.graphics, 1)
        self._build()
        self.refresh()

    def _plot(self, column: int) -> pg.PlotItem:
        plot = self.graphics.addPlot(
            row=0, col=column, axisItems={side: PlainLogAxis(side) for side in ("left", "bottom")}
        )
        plot.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):
            # Ratios near 0.1 would otherwise read "100 (x0.001)".
            plot.getAxis(side).enableAutoSIPrefix(False)
        # Below the plot, not on it: any corner of the plot can hold data in some sweep.
        plot.legend = pg.LegendItem(labelTextSize="8pt", colCount=2, horSpacing=12)
        self.graphics.addItem(plot.legend, row=1, col=column)
        return plot

    def _build(self) -> None:
        self.time_plot = self._plot(0)
        self.ratio_plot = self._plot(1)
        self.time_curves, self.scaled_curves = {}, {}
        for mode in MODES:
            color = COLORS[mode]
            self.time_curves[mode] = self.time_plot.plot(
                pen=pg.mkPen(color, width=2),
                symbol=SYMBOLS[mode],
                symbolBrush=color,
                symbolPen=None,
                symbolSize=7,
            )
            self.scaled_curves[mode] = self.time_plot.plot(
                pen=pg.mkPen(color, width=1.5, style=Qt.DashLine)
            )
        self.measured_curves, self.theory_curves = {}, {}
        for mode in SEPARABLE:
            color = COLORS[mode]
            self.measured_curves[mode] = self.ratio_plot.plot(
                pen=pg.mkPen(color, width=2),
                symbol=SYMBOLS[mode],
                symbolBrush=color,
                symbolPen=None,
                symbolSize=7,
            )
            self.theory_curves[mode] = self.ratio_plot.plot(
                pen=pg.mkPen(color, width=2, style=Qt.DashLine)
            )
        # One legend entry explains every dashed time curve; the legend draws from it.
        self.overlay_key = pg.PlotDataItem(pen=pg.mkPen("#bbbbbb", width=1.5, style=Qt.DashLine))
        self.baseline = pg.InfiniteLine(angle=0, pen=pg.mkPen("#888888", style=Qt.DotLine))
        self.ratio_plot.addItem(self.baseline, ignoreBounds=True)
        self.hint = pg.TextItem("Press Run to measure", color="#9a9a9a", anchor=(0.5, 0.5))
        self.hint.setPos(0.5, 0.5)
        self.time_plot.addItem(self.hint, ignoreBounds=True)

    # --- data in ----------------------------------------------------------------------------
    def show_result(self, result: SweepResult | None) -> None:
        """Plot ``result``'s points (a running sweep's so far, or a finished one's)."""
        self.result = result
        self.refresh()

    def refresh(self) -> None:
        result = self.result
        modes = result.spec.modes if result is not None else MODES
        variable = result.spec.variable if result is not None else "k"
        log_x, log_y, speedup = (
            self.log_x.isChecked(),
            self.log_y.isChecked(),
            self.speedup.isChecked(),
        )
        for plot in (self.time_plot, self.ratio_plot):
            plot.setLogMode(x=log_x, y=log_y)
            plot.setLabel("bottom", VARIABLES[variable])
        self.time_plot.setTitle("Time per run (median)")
        self.time_plot.setLabel("left", "time (ms)")
        self.ratio_plot.setTitle(
            "Speed-up over the job it replaces"
            if speedup
            else "Cost relative to the job it replaces"
        )
        self.ratio_plot.setLabel(
            "left", "replaced ÷ mode (×)" if speedup else "mode ÷ replaced (lower is faster)"
        )
        self.baseline.setValue(0 if log_y else 1)  # a ratio of 1, in log10 when log
        points = result.points if result is not None else []
        series = plot_series(result, speedup=speedup) if points else None
        x = series.x if series is not None else []
        overlay = self.overlay.isChecked()
        for mode in MODES:
            shown = series is not None and mode in modes
            self._set(self.time_curves[mode], x, series.ms[mode] if shown else None)
            self._set(
                self.scaled_curves[mode], x, series.scaled[mode] if shown and overlay else None
            )
        for mode in SEPARABLE:
            shown = series is not None and mode in modes
            theory = measured = None
            if shown:
                measured = series.measured[mode]
                theory = series.mobilenet if mode == "depthwise" else series.theory[mode]
            self._set(self.measured_curves[mode], x, measured)
            self._set(self.theory_curves[mode], x, theory)
        self.hint.setVisible(series is None)
        for plot in (self.time_plot, self.ratio_plot):
            if series is None:  # an empty frame with the hint in its middle
                plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            else:
                plot.enableAutoRange()
            for side in ("left", "bottom"):
                plot.getAxis(side).setStyle(showValues=series is not None)
            plot.getAxis("bottom").setTicks(_value_ticks(x, log_x))
        self._legends(modes, overlay and series is not None, speedup)

    @staticmethod
    def _set(curve: pg.PlotDataItem, x, y) -> None:
        if not y or all(math.isnan(v) for v in y):
            curve.setData([], [])
            curve.setVisible(False)
            return
        # NaN marks "not measured" (no normal run to compare with): draw nothing there.
        curve.setData(x, y, connect="finite")
        curve.setVisible(True)

    def _legends(self, modes, overlay: bool, speedup: bool) -> None:
        time_legend, ratio_legend = self.time_plot.legend, self.ratio_plot.legend
        time_legend.clear()
        ratio_legend.clear()
        for mode in modes:
            if self.time_curves[mode].isVisible():
                time_legend.addItem(self.time_curves[mode], _short(mode))
        if overlay:
            time_legend.addItem(self.overlay_key, "theory: mult. count")
        for mode in SEPARABLE:
            if self.measured_curves[mode].isVisible():
                ratio_legend.addItem(
                    self.measured_curves[mode], f"{_short(mode)} vs {AGAINST[mode]}, measured"
                )
            if self.theory_curves[mode].isVisible():
                if mode == "depthwise":
                    name = "MobileNet 1/(1/P+1/k²)" if speedup else "MobileNet 1/P+1/k²"
                else:
                    name = "spatial 2k/k²" if not speedup else "spatial k²/2k"
                ratio_legend.addItem(self.theory_curves[mode], name)

    # --- export -----------------------------------------------------------------------------
    def png_bytes(self) -> bytes:
        """Both plots as a PNG file's bytes (pyqtgraph's exporter, at the widget's size)."""
        image = pg.exporters.ImageExporter(self.graphics.ci).export(toBytes=True)
        buffer = QBuffer()
        buffer.open(QIODevice.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise OSError("Qt could not encode the plots as PNG")
        return bytes(buffer.data())

    def svg_bytes(self) -> bytes:
        """Both plots as an SVG document."""
        try:
            return pg.exporters.SVGExporter(self.graphics.ci).export(toBytes=True)
        except ValueError:
            # pyqtgraph 0.14's SVGExporter cannot parse the closed paths ("... Z") that
            # recent Qt writes (pyqtgraph issue #3495); Qt's own generator draws the scene.
            pass
        source = self.graphics.ci.sceneBoundingRect()
        buffer = QBuffer()
        buffer.open(QIODevice.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(source.size().toSize())
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle("sepconv-gui benchmark sweep")
        painter = QPainter(generator)
        painter.fillRect(generator.viewBoxF(), QColor(BACKGROUND))
        self.graphics.scene().render(painter, generator.viewBoxF(), source)
        painter.end()
        return bytes(buffer.data())
