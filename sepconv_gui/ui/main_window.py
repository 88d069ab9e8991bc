"""The main window: for now the bundled sample next to its Sobel response."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QMainWindow

from .. import __version__
from ..engine import normal_conv
from ..io.patterns import zone_plate

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float32)


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(f"sepconv-gui {__version__}")
        self.resize(1100, 520)
        image = zone_plate(360, 480)
        gray = image.mean(axis=2)
        edges = normal_conv(gray, SOBEL_X[None, None]).output[:, :, 0]
        layout = pg.GraphicsLayoutWidget()
        self.input_item = pg.ImageItem(gray, axisOrder="row-major", levels=(0.0, 1.0))
        limit = float(np.abs(edges).max()) or 1.0
        self.output_item = pg.ImageItem(edges, axisOrder="row-major", levels=(-limit, limit))
        for title, item in (("input", self.input_item), ("Sobel x (normal conv)", self.output_item)):
            view = layout.addViewBox(lockAspect=True, invertY=True)
            view.addItem(item)
            view.setMouseEnabled(True, True)
            layout.ci.layout.setSpacing(4)
            view.setToolTip(title)
        self.setCentralWidget(layout)
