"""A clicked stage thumbnail, large, beside the weights that produced it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...app.pipeline import FrameResult
from ...app.pixel_math import engine_inputs
from ...app.stage_weights import StageWeights, stage_weights
from .display import map_for_display
from .image_panel import BACKGROUND, GRAY_MAP, SIGNED_MAP
from .result_views import MODE_TITLES


KERNELS_SHOWN = 16
"""Kernel heat maps drawn at most (a normal output over 256 channels names the rest)."""

VALUES_UP_TO = 7
"""Kernels up to this side have their values written in the cells."""

POSITIVE, NEGATIVE = "#c0392b", "#2e6da4"


class StageDetail(QDialog):
    """One stage map at full size with a colour bar, and its weights as heat maps or bars.

    Non-modal and reused: the stage grid keeps one and calls :meth:`show_map` per click.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stage map")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("font-weight: 600")
        self.weights_caption = QLabel()
        self.weights_caption.setWordWrap(True)
        self.image_widget = pg.GraphicsLayoutWidget()
        self.image_widget.setBackground(BACKGROUND)
        self.view = self.image_widget.addViewBox(
            row=0, col=0, lockAspect=True, invertY=True, enableMenu=False
        )
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        self.bar = pg.ColorBarItem(width=10, colorMap=GRAY_MAP, interactive=False)
        self.image_widget.addItem(self.bar, row=0, col=1)
        self.weights_widget = pg.GraphicsLayoutWidget()
        self.weights_widget.setBackground("w")
        right = QVBoxLayout()
        right.addWidget(self.weights_caption)
        right.addWidget(self.weights_widget, 1)
        body = QHBoxLayout()
        body.addWidget(self.image_widget, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addLayout(body, 1)
        self.resize(1000, 560)
        self.weights: StageWeights | None = None
        self.plane: np.ndarray | None = None
        self.levels: tuple[float, float] = (0.0, 1.0)

    def show_map(self, title: str, plane: np.ndarray, mapping: str, weights: StageWeights) -> None:
        """Show the full-size ``plane`` under ``mapping`` and the ``weights`` that made it."""
        self.setWindowTitle(title)
        self.caption.setText(title)
        data, levels = map_for_display(plane, mapping)
        cmap = SIGNED_MAP if mapping == "signed" else GRAY_MAP
        self.item.setColorMap(cmap)
        self.bar.setColorMap(cmap)
        self.bar.setLevels(levels)
        self.item.setImage(data, levels=levels, autoLevels=False)
        self.view.autoRange(padding=0.01)
        self.plane, self.levels, self.weights = plane, levels, weights
        self.weights_caption.setText(weights.caption)
        self.weights_widget.clear()
        if weights.kind == "kernels":
            self._draw_kernels(weights)
        elif weights.kind == "vector":
            self._draw_vector(weights)
        self.show()
        self.raise_()

    def _draw_kernels(self, weights: StageWeights) -> None:
        kernels = weights.weights[:KERNELS_SHOWN]
        limit = float(np.abs(kernels).max()) or 1.0
        columns = int(np.ceil(np.sqrt(len(kernels))))
        for index, kernel in enumerate(kernels):
            row, column = divmod(index, columns)
            label = weights.labels[index]
            box = self.weights_widget.addViewBox(
                row=2 * row + 1, col=column, lockAspect=True, invertY=True, enableMenu=False
            )
            self.weights_widget.addLabel(label, row=2 * row, col=column, color="#222")
            item = pg.ImageItem(kernel, axisOrder="row-major")
            item.setColorMap(SIGNED_MAP)
            item.setLevels((-limit, limit))
            box.addItem(item)
            if max(kernel.shape) <= VALUES_UP_TO and len(kernels) <= 4:
                for (y, x), value in np.ndenumerate(kernel):
                    ink = "#fff" if abs(value) > 0.6 * limit else "#111"  # dark cells: white
                    text = pg.TextItem(f"{value:.3g}", color=ink, anchor=(0.5, 0.5))
                    text.setPos(x + 0.5, y + 0.5)
                    box.addItem(text)
            box.setMouseEnabled(False, False)
        hidden = len(weights.weights) - len(kernels)
        if hidden > 0:
            self.weights_caption.setText(
                f"{weights.caption} — the first {len(kernels)} kernels of "
                f"{len(weights.weights)} shown"
            )

    def _draw_vector(self, weights: StageWeights) -> None:
        plot = self.weights_widget.addPlot(row=0, col=0)
        values = weights.weights
        x = np.arange(1, values.size + 1)
        brushes = [pg.mkBrush(POSITIVE if v >= 0 else NEGATIVE) for v in values]
        plot.addItem(pg.BarGraphItem(x=x, height=values, width=0.7, brushes=brushes))
        plot.addLine(y=0, pen=pg.mkPen("#555"))
        plot.setMouseEnabled(False, False)
        plot.setMenuEnabled(False)
        plot.showGrid(y=True, alpha=0.3)
        if values.size <= 16:  # few enough to name every bar and write its value
            ticks = [(i + 1, label) for i, label in enumerate(weights.labels)]
            plot.getAxis("bottom").setTicks([ticks])
            for position, value in zip(x, values):
                anchor = (0.5, 1.0 if value >= 0 else 0.0)
                text = pg.TextItem(f"{value:.3g}", color="#111", anchor=anchor)
                text.setPos(position, value)
                plot.addItem(text)
        plot.setLabel("left", "weight")
        plot.getAxis("left").enableAutoSIPrefix(False)  # "×0.001" on a weight axis misleads
        plot.getViewBox().setBackgroundColor(None)


def open_stage_map(
    detail: StageDetail, result: FrameResult, mode: str, spec, index: int, mapping: str
) -> None:
    """Show map ``index`` of the stage ``spec`` (a stage grid section) of ``result`` in
    ``detail``, with the weights of ``result.design`` that made it."""
    channels = result.image.shape[2]
    if result.design is None:
        weights = StageWeights("none", np.zeros(0), [], "The design behind this map is unknown")
    else:
        inputs = engine_inputs(result.design, channels)
        weights = stage_weights(inputs, channels, spec.key, index)
    title = f"{MODE_TITLES.get(mode, mode)} — {spec.label(index)}: {spec.heading}"
    detail.show_map(title, spec.array[:, :, index], mapping, weights)
