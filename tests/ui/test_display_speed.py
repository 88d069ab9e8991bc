"""Views draw no more pixels than the screen shows, and say the same as a full-size draw."""

import zlib

import numpy as np
import pytest

from sepconv_gui.ui.views.image_panel import ImagePanel, shrink


def _array(name: str, shape) -> np.ndarray:
    return np.random.default_rng(zlib.crc32(name.encode())).random(shape).astype(np.float32)


@pytest.fixture
def panel(qtbot):
    widget = ImagePanel("test")
    qtbot.addWidget(widget)
    widget.resize(300, 240)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fit(panel, qtbot):
    panel.view.autoRange(items=[panel.item], padding=0)
    qtbot.waitUntil(lambda: panel._factor == panel._wanted_factor(), timeout=2000)


def test_a_fitted_large_image_is_drawn_reduced_but_placed_full_size(panel, qtbot):
    array = _array("large", (960, 1280, 3))
    panel.show_array(array)
    fit(panel, qtbot)
    drawn = panel.item.image
    assert panel._factor >= 4
    assert drawn.shape[0] <= 960 // 4 and drawn.shape[1] <= 1280 // 4
    # Zoom, links and the pixel inspector work in full-size pixels whatever was drawn.
    rect = panel.item.mapRectToParent(panel.item.boundingRect())
    assert (rect.width(), rect.height()) == (1280, 960)
    # What the view shows is still the full array's values, under the same levels.
    np.testing.assert_array_equal(panel.shown, np.clip(array, 0, 1))


def test_zooming_in_draws_every_pixel_again(panel, qtbot):
    panel.show_array(_array("zoom", (960, 1280)))
    fit(panel, qtbot)
    assert panel.item.image.shape[0] < 960
    panel.view.setRange(xRange=(100, 160), yRange=(100, 150), padding=0)
    qtbot.waitUntil(lambda: panel.item.image.shape == (960, 1280), timeout=2000)
    assert panel._factor == 1


def test_the_reduced_image_is_the_average_of_each_block():
    plane = np.arange(4 * 6, dtype=np.float32).reshape(4, 6)
    expected = np.array([[3.5, 5.5, 7.5], [15.5, 17.5, 19.5]], dtype=np.float32)
    np.testing.assert_allclose(shrink(plane, 2), expected)
    assert shrink(plane, 1) is plane


def test_levels_become_bytes_rounded_and_saturated():
    from sepconv_gui.ui.views.image_panel import to_uint8

    data = np.array([[-3.0, -1.0, 0.0, 0.5, 1.0, 7.0, np.nan]], dtype=np.float32)
    expected = np.array([[0, 0, 128, 191, 255, 255, 0]], dtype=np.uint8)  # 127.5 -> 128
    np.testing.assert_array_equal(to_uint8(data, (-1.0, 1.0)), expected)
    assert to_uint8(np.ones((2, 2, 3), np.float32), (0.0, 2.0)).shape == (2, 2, 3)
