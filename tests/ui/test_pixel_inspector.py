"""The pixel inspector: exact values of every array at the pixel under the mouse."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.ui.views.pixel_inspector import PixelInspector
from tests.ui.readouts import every_array


@pytest.fixture(scope="module")
def result():
    image = np.random.default_rng(5).random((40, 50, 3)).astype(np.float32)
    return run_design(image, Design(multiplier=2, out_channels=12, pointwise="random"))


@pytest.fixture
def inspector(qtbot):
    widget = PixelInspector()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def image_view(qtbot, result):
    """A view set up like the app's result views: pixel (0, 0) at the origin, y down."""
    graphics = pg.GraphicsView()
    qtbot.addWidget(graphics)
    view = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
    graphics.setCentralItem(view)
    item = pg.ImageItem(result.image, axisOrder="row-major")
    view.addItem(item)
    graphics.resize(500, 400)
    graphics.show()
    view.autoRange(padding=0)
    yield view  # a generator keeps `graphics` alive: qtbot only holds a weak reference
    graphics.close()


def hover(view, x, y):
    view.scene().sigMouseMoved.emit(view.mapViewToScene(QPointF(x + 0.5, y + 0.5)))


def table(inspector):
    return [
        [inspector.table.item(r, c).text() for c in range(3)]
        for r in range(inspector.table.rowCount())
    ]


def test_show_pixel_reports_exactly_the_arrays_values(inspector, result):
    inspector.show_pixel(result, 23.9, 7.2)
    assert inspector.point == (23, 7)
    assert inspector.title.text() == "Pixel x = 23, y = 7"
    expected = every_array(result)
    assert [row.name for row in inspector.rows] == list(expected)
    for row, (name, array) in zip(inspector.rows, expected.items()):
        np.testing.assert_array_equal(row.values, array[7, 23])
    cells = table(inspector)
    assert [c[0] for c in cells] == list(expected)
    assert [c[1] for c in cells] == ["3", "12", "3", "3", "6", "12"]
    first = [float(v) for v in cells[0][2].split(", ")]
    np.testing.assert_allclose(first, result.image[7, 23], rtol=1e-3)
    assert cells[1][2].endswith("… (+4 more)")  # 12 outputs: the first 8 shown
    inspector.show_pixel(result, -1, 3)
    assert inspector.point is None and inspector.table.rowCount() == 0
    assert inspector.title.text() == "Outside the image."


def test_hovering_a_watched_view_reads_the_pixel_under_the_mouse(inspector, image_view, result):
    inspector.show_result(result)
    inspector.watch(image_view)
    hover(image_view, 31, 12)
    assert inspector.point == (31, 12)
    for row, array in zip(inspector.rows, every_array(result).values()):
        np.testing.assert_array_equal(row.values, array[12, 31])


def test_mouse_moves_are_throttled_and_the_last_one_wins(qtbot, inspector, image_view, result):
    inspector.show_result(result)
    inspector.watch(image_view)
    inspector.watch(image_view)  # watching twice changes nothing
    hover(image_view, 1, 1)
    assert inspector.updates == 1 and inspector.point == (1, 1)
    for x in range(2, 40):  # a fast sweep, all inside one UPDATE_MS
        hover(image_view, x, 20)
    assert inspector.updates == 1 and inspector.point == (1, 1)
    qtbot.waitUntil(lambda: inspector.point == (39, 20), timeout=2000)
    assert inspector.updates == 2


def test_new_results_reread_the_same_pixel(qtbot, inspector, result):
    inspector.show_pixel(result, 10, 10)
    other = run_design(
        result.image[::-1].copy(), Design(multiplier=2, out_channels=12, pointwise="random")
    )
    inspector.show_result(other)
    qtbot.waitUntil(
        lambda: inspector.result is other and inspector.rows[0].values[0] == other.image[10, 10, 0],
        timeout=2000,
    )
    np.testing.assert_array_equal(
        inspector.rows[-1].values, other.results["depthwise"].output[10, 10]
    )


def test_a_hidden_inspector_reads_nothing_until_shown(qtbot, image_view, result):
    widget = PixelInspector()
    qtbot.addWidget(widget)
    widget.show_result(result)
    widget.watch(image_view)
    hover(image_view, 4, 5)
    assert widget.updates == 0 and widget.table.rowCount() == 0
    widget.show()
    assert widget.point == (4, 5) and widget.updates == 1


def test_a_strided_design_reads_each_array_at_the_pixel_covering_the_input_pixel(inspector):
    image = np.random.default_rng(8).random((21, 30, 3)).astype(np.float32)
    strided = run_design(image, Design(stride=(2, 3), out_channels=4, pointwise="random"))
    assert strided.results["normal"].output.shape[:2] == (11, 10)
    # Input pixel (x 29, y 20), the bottom-right corner: output pixel (29 // 3, 20 // 2).
    inspector.show_pixel(strided, 29.5, 20.5)
    rows = {row.name: row.values for row in inspector.rows}
    np.testing.assert_array_equal(rows["Input"], image[20, 29])
    normal = strided.results["normal"].output
    assert any(np.array_equal(values, normal[10, 9]) for values in rows.values())
    assert inspector.title.text() == "Pixel x = 29, y = 20 (output x = 9, y = 10)"
    # The arithmetic below explains that same output pixel, and its sum is the engine's.
    normal_sum = inspector.arithmetic.arithmetic.modes["normal"]
    assert (inspector.arithmetic.arithmetic.x, inspector.arithmetic.arithmetic.y) == (9, 10)
    assert normal_sum.value == pytest.approx(normal[10, 9, 0], rel=1e-5, abs=1e-6)
