"""The image item paints display bytes exactly: each byte as its colour-table row, RGB as is."""

import numpy as np
import pytest

from sepconv_gui.ui.views.byte_image import ByteImage, rgb32_table
from sepconv_gui.ui.views.image_panel import GRAY_LUT, SIGNED_LUT, ImagePanel


def painted_rgb(item: ByteImage) -> np.ndarray:
    """The item's QImage as (H, W, 3) RGB bytes, read back through Qt's own conversion."""
    item.render()
    image = item.qimage.convertToFormat(item.qimage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = rows.reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def test_grey_bytes_are_painted_as_their_colour_table_rows(qtbot):
    item = ByteImage()
    table = np.array([[i, 255 - i, (7 * i) % 256] for i in range(256)], np.uint8)
    item.set_colours(table)
    data = np.array([[0, 1, 2], [128, 254, 255]], np.uint8)
    item.setImage(data, autoLevels=False)
    np.testing.assert_array_equal(painted_rgb(item), table[data])
    item.set_colours(None)  # a grey ramp
    np.testing.assert_array_equal(painted_rgb(item), np.repeat(data[:, :, None], 3, axis=2))


def test_rgb_bytes_are_painted_unchanged(qtbot):
    item = ByteImage()
    data = np.random.default_rng(7).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    item.setImage(data, autoLevels=False)
    np.testing.assert_array_equal(painted_rgb(item), data)


def test_a_colour_table_must_have_256_rgb_rows():
    with pytest.raises(ValueError, match="256 RGB rows"):
        rgb32_table(np.zeros((255, 3), np.uint8))


def test_a_panel_paints_its_levels_through_the_shared_colour_tables(qtbot):
    panel = ImagePanel("t")
    qtbot.addWidget(panel)
    # Signed values: -1 is the table's first row, +1 its last, 0 the middle.
    plane = np.array([[-1.0, 0.0, 1.0]] * 2, np.float32)
    panel.set_mapping("signed")
    panel.show_array(plane)
    low, high = panel.levels
    assert (low, high) == (-1.0, 1.0)
    expected = SIGNED_LUT[np.array([[0, 128, 255]] * 2)]  # 127.5 rounds to even: 128
    np.testing.assert_array_equal(painted_rgb(panel.item), expected)
    panel.set_mapping("clip")
    np.testing.assert_array_equal(painted_rgb(panel.item), GRAY_LUT[np.array([[0, 0, 255]] * 2)])
