"""A small C → C·M → P diagram: every input channel feeds its M depthwise maps, and the
pointwise weights are the edges from maps to outputs (red above zero, blue below; width and
strength by magnitude, weights under 1% of the largest left out).

Up to :data:`MAX_NODES` a column every channel is a dot. Past that each dot stands for a run
of consecutive channels and an edge for the block of weights between two runs (its mean
magnitude, coloured by the sign of its sum), and the header says how many each dot stands for.
Of more than :data:`MAX_EDGES` edges only the strongest are drawn.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_NODES = 32
FAINT = 0.01  # edges below this share of the largest weight are not drawn
MAX_EDGES = 128  # past this many, only the strongest are drawn
POSITIVE = QColor(178, 24, 43)
NEGATIVE = QColor(33, 102, 172)
DEPTHWISE = QColor(150, 150, 150)


def groups(count: int, limit: int = MAX_NODES) -> np.ndarray:
    """Start index of each run when ``count`` nodes are shown as at most ``limit`` dots."""
    shown = min(count, limit)
    return np.floor(np.arange(shown) * count / shown).astype(int)


def block_weights(matrix: np.ndarray, limit: int = MAX_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Per dot pair: (mean |w|, sign of the block's sum) of a ``(P, C·M)`` matrix."""
    rows, cols = groups(matrix.shape[0], limit), groups(matrix.shape[1], limit)
    magnitude = np.add.reduceat(np.add.reduceat(np.abs(matrix), rows, 0), cols, 1)
    signed = np.add.reduceat(np.add.reduceat(matrix, rows, 0), cols, 1)
    sizes = np.outer(np.diff([*rows, matrix.shape[0]]), np.diff([*cols, matrix.shape[1]]))
    return magnitude / sizes, np.sign(signed)


class ChannelDiagram(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.channels, self.multiplier = 1, 1
        self.magnitude = np.zeros((1, 1))
        self.sign = np.zeros((1, 1))
        self.message = ""
        self.setToolTip(
            "Input channels C (left) feed their M depthwise maps (middle); the pointwise "
            "weights mix the maps into P outputs (right). Red: positive weight, blue: "
            "negative; thicker and stronger: larger."
        )

    def set_weights(self, pointwise: np.ndarray | None, channels: int, multiplier: int) -> None:
        """Show a ``(P, C·M)`` pointwise matrix; None with a message when there is none."""
        self.channels, self.multiplier = channels, multiplier
        if pointwise is None:
            self.magnitude = np.zeros((0, 0))
            self.message = "no pointwise weights for this design"
        else:
            self.magnitude, self.sign = block_weights(np.asarray(pointwise, dtype=float))
            self.outputs, self.maps = pointwise.shape
            self.message = ""
        self.update()

    def _ys(self, count: int, top: float, bottom: float) -> np.ndarray:
        if count == 1:
            return np.array([(top + bottom) / 2])
        return top + (bottom - top) * np.arange(count) / (count - 1)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        if self.message or not self.magnitude.size:
            painter.drawText(self.rect(), Qt.AlignCenter, self.message)
            return
        width, height = self.width(), self.height()
        header = painter.fontMetrics().height() + 4
        top, bottom = header + 6, height - 8
        xs = (width * 0.12, width * 0.5, width * 0.88)
        counts = (self.channels, self.maps, self.outputs)
        titles = ("C", "C·M", "P")
        ys = []
        for x, count, title in zip(xs, counts, titles):
            shown = min(count, MAX_NODES)
            ys.append(self._ys(shown, top, bottom))
            text = f"{title} = {count}"
            if count > MAX_NODES:
                text += f" (dot ≈ {count / shown:.3g})"
            box = QRectF(x - width * 0.2, 0, width * 0.4, header)
            painter.setPen(self.palette().text().color())
            painter.drawText(box, Qt.AlignCenter, text)
        # Depthwise: channel c feeds maps c·M .. c·M + M - 1.
        map_starts = groups(self.maps)
        channel_starts = groups(self.channels)
        painter.setPen(QPen(DEPTHWISE, 1))
        for j, start in enumerate(map_starts):
            channel = start // self.multiplier
            i = np.searchsorted(channel_starts, channel, side="right") - 1
            painter.drawLine(QPointF(xs[0], ys[0][i]), QPointF(xs[1], ys[1][j]))
        # Pointwise: the weights.
        peak = float(self.magnitude.max())
        if peak > 0:
            floor = FAINT * peak
            if self.magnitude.size > MAX_EDGES:  # the strongest only: a dense mesh reads as noise
                floor = max(floor, float(np.sort(self.magnitude, axis=None)[-MAX_EDGES]))
            for p, q in zip(*np.nonzero(self.magnitude >= floor)):
                share = float(self.magnitude[p, q]) / peak
                colour = QColor(POSITIVE if self.sign[p, q] >= 0 else NEGATIVE)
                colour.setAlphaF(0.15 + 0.85 * share * share)
                painter.setPen(QPen(colour, 0.5 + 2.5 * share))
                painter.drawLine(QPointF(xs[1], ys[1][q]), QPointF(xs[2], ys[2][p]))
        radius = max(1.5, min(4.0, (bottom - top) / (2.5 * MAX_NODES) + 1.5))
        painter.setPen(Qt.NoPen)
        painter.setBrush(self.palette().text())
        for x, column in zip(xs, ys):
            for y in column:
                painter.drawEllipse(QPointF(x, y), radius, radius)
