"""An image item that paints display bytes in the raster engine's own pixel format.

The image panels hand pyqtgraph arrays that are already display bytes (levels applied, see
``image_panel.to_uint8``). pyqtgraph would still run its levels-and-lookup machinery on every
new frame and make an 8-bit indexed QImage, which Qt converts to 32-bit pixels again on every
paint: at live rates those two steps were a fifth of the GUI thread. Here one table lookup
(grey levels) or one colour conversion (RGB) makes ``Format_RGB32`` pixels, which Qt draws as
they are.
"""

from __future__ import annotations

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage


def rgb32_table(lut: np.ndarray) -> np.ndarray:
    """A ``(256, 3)`` uint8 RGB colour table as 256 ``0xFFRRGGBB`` words (QImage RGB32)."""
    lut = np.asarray(lut, dtype=np.uint32)
    if lut.shape != (256, 3):
        raise ValueError(f"a colour table has 256 RGB rows, got shape {lut.shape}")
    return (0xFF000000 | (lut[:, 0] << 16) | (lut[:, 1] << 8) | lut[:, 2]).astype(np.uint32)


def rgb32_pixels(image: np.ndarray, table: np.ndarray | None) -> np.ndarray:
    """``(H, W)`` uint32 RGB32 pixels of ``image``: ``(H, W)`` uint8 looked up in ``table``
    (grey ramp when None), or ``(H, W, 3)`` uint8 RGB."""
    if image.ndim == 2:
        if table is None:
            table = GREY_TABLE
        return table[image]
    # BGRA in memory is 0xAARRGGBB in a little-endian word: what Format_RGB32 stores.
    bgra = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2BGRA)
    return bgra.view(np.uint32)[:, :, 0]


GREY_TABLE = rgb32_table(np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1))


class ByteImage(pg.ImageItem):
    """A row-major ImageItem for uint8 images: ``(H, W)`` through a colour table, or RGB.

    Set the table with :meth:`set_colours` (None for RGB images or a grey ramp); give the
    bytes with ``setImage(array)``. Levels and pyqtgraph lookup tables are not used.
    """

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")
        self._table: np.ndarray | None = None
        self._pixels: np.ndarray | None = None  # the QImage's memory: kept while it is shown

    def set_colours(self, lut: np.ndarray | None) -> None:
        """The ``(256, 3)`` uint8 RGB table grey bytes are shown through (None: grey)."""
        self._table = None if lut is None else rgb32_table(lut)
        self._renderRequired = True
        self.qimage = None
        self.update()

    def render(self) -> None:
        image = self.image
        if image is None or image.size == 0 or image.dtype != np.uint8:
            # Not display bytes (nothing here gives any): pyqtgraph's own path.
            super().render()
            return
        self._pixels = np.ascontiguousarray(rgb32_pixels(image, self._table))
        height, width = self._pixels.shape
        self.qimage = QImage(self._pixels, width, height, 4 * width, QImage.Format.Format_RGB32)
        self._renderRequired = False
        self._unrenderable = False
