"""“Where does it pay off?”: the measured crossover of each separable mode on this machine.

Two buttons run the benchmark panel's sweep over k and over the image width with settings
where the answer is interesting; the latest sweep of each variable stays, so both answers
show side by side: a small plot of measured speed-ups over the replaced operation (1× dotted,
the crossover marked) and a sentence per mode. The arithmetic is in ``app.crossover``.
"""

from __future__ import annotations

import math
from html import escape

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...app.crossover import SYMBOLS, speedup_series, sweep_crossovers
from ...app.sweep import SweepResult, SweepSpec

#: The two questions practitioners ask: from which k, and from which image size?
PRESETS = {
    "k": SweepSpec(variable="k", values=(3, 5, 7, 9, 11, 13, 15), outputs=16, repeats=3),
    "size": SweepSpec(
        variable="size", values=(40, 80, 160, 320, 640, 1280), k=5, outputs=16, repeats=3
    ),
}
TITLES = {"k": "kernel size k", "size": "image width W (px)", "P": "outputs P", "C": "inputs C"}
COLORS = {"spatial": "#4e79a7", "depthwise": "#59a14f"}
DECADES = [(power, f"{10.0**power:g}") for power in range(-3, 4)]
HINT = (
    "Run a sweep to see from which kernel size and image size each separable mode beats the "
    "operation it replaces on this machine."
)


class PayoffPanel(QWidget):
    """Reads finished sweeps from ``benchmark`` (a BenchmarkPanel) and starts its presets.

    ``sweep_started`` fires when a preset sweep starts (the window shows its progress)."""

    sweep_started = Signal()

    def __init__(self, benchmark, parent=None) -> None:
        super().__init__(parent)
        self.benchmark = benchmark
        self.results: dict[str, SweepResult] = {}
        self.sentences: dict[str, list[str]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.buttons = {}
        for variable, label in (("k", "Sweep k"), ("size", "Sweep image size")):
            spec = PRESETS[variable]
            button = QPushButton(label)
            button.setToolTip(
                f"Benchmark {', '.join(map(str, spec.values))} with C = {spec.channels}, "
                f"P = {spec.outputs}"
                + (f", k = {spec.k}" if variable != "k" else "")
                + " (the Benchmark tab shows progress)"
            )
            button.clicked.connect(lambda _=False, v=variable: self.run(v))
            self.buttons[variable] = button
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        body = QHBoxLayout()
        self.text = QLabel(HINT, wordWrap=True)
        self.text.setTextFormat(Qt.RichText)
        self.text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumSize(300, 150)
        self.plots: dict[str, pg.PlotItem] = {}
        for column, variable in enumerate(("k", "size")):
            plot = self.graphics.addPlot(row=0, col=column, title=f"Speed-up vs {variable}")
            plot.setLogMode(x=variable == "size", y=True)
            plot.setLabel("bottom", TITLES[variable])
            plot.setLabel("left", "replaced ÷ mode (×)")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getAxis("left").enableAutoSIPrefix(False)
            # Decades only: pyqtgraph's minor log ticks ("0.6 0.4 0.3") crowd a small plot.
            plot.getAxis("left").setTicks([DECADES])
            plot.addItem(
                pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#888888", style=Qt.DotLine)),
                ignoreBounds=True,
            )
            self.plots[variable] = plot
        body.addWidget(self.text, 2)
        body.addWidget(self.graphics, 3)
        layout.addLayout(body, 1)
        self._items: dict[str, list] = {"k": [], "size": []}
        benchmark.sweep_finished.connect(self._sweep_ended)
        benchmark.point_added.connect(lambda _point: self._sweep_ended("running"))
        benchmark.running_changed.connect(self._running)

    def run(self, variable: str) -> bool:
        """Start the preset sweep over ``variable`` in the benchmark panel."""
        if self.benchmark.running:
            return False
        self.benchmark.set_spec(PRESETS[variable])
        started = self.benchmark.start()
        if started:
            self.sweep_started.emit()
        return started

    def _running(self, running: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not running)

    def _sweep_ended(self, _status: str) -> None:
        result = self.benchmark.result
        if result is not None and result.points:
            self.show_result(result)

    def show_result(self, result: SweepResult) -> None:
        """Keep ``result`` as the latest sweep of its variable and redraw."""
        self.results[result.spec.variable] = result
        lines = []
        for variable in ("k", "size", "P", "C"):
            if variable not in self.results:
                continue
            found = sweep_crossovers(self.results[variable])
            self.sentences[variable] = [c.sentence for c in found.values()]
            lines += self.sentences[variable]
            if variable in self.plots:
                self._draw(variable, self.results[variable], found)
        html = "<br><br>".join(escape(line) for line in lines) or HINT
        if self.benchmark.running and result is self.benchmark.result:
            done, total = len(result.points), len(result.spec.values)
            html = f"<i>Measuring: {done} of {total} points…</i><br><br>" + html
        self.text.setText(html)

    def _draw(self, variable: str, result: SweepResult, found: dict) -> None:
        plot = self.plots[variable]
        for item in self._items[variable]:
            plot.removeItem(item)
        self._items[variable] = []
        for mode, series in speedup_series(result).items():
            points = [(x, s) for x, s in zip(series.xs, series.speedups) if s > 0]
            if not points:
                continue
            curve = plot.plot(
                [x for x, _ in points],
                [s for _, s in points],
                pen=pg.mkPen(COLORS[mode], width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=COLORS[mode],
                symbolPen=None,
            )
            self._items[variable].append(curve)
            crossover = found.get(mode)
            if crossover is not None and crossover.status == "from":
                at = math.log10(crossover.at) if variable == "size" else crossover.at
                line = pg.InfiniteLine(
                    pos=at,
                    angle=90,
                    pen=pg.mkPen(COLORS[mode], style=Qt.DashLine),
                    label=f"{SYMBOLS[variable]} ≈ {crossover.at:.3g}",
                    labelOpts={"color": COLORS[mode], "position": 0.9},
                )
                plot.addItem(line, ignoreBounds=True)
                self._items[variable].append(line)
        # Ticks at the swept values: a log axis labelled "4·10¹" read as noise.
        values = sorted({x for series in speedup_series(result).values() for x in series.xs})
        step = max(1, len(values) // 8)
        ticks = [(math.log10(v) if variable == "size" else v, str(v)) for v in values[::step]]
        plot.getAxis("bottom").setTicks([ticks])
        plot.enableAutoRange()
