"""A clicked stage thumbnail opens large with the weights that made it."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.ui.views.stage_grid import PAGE_SIZE, StageGrid
from tests.ui.widgets import shown


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(9).random((30, 40, 3)).astype(np.float32)


@pytest.fixture
def grid(qtbot):
    widget = shown(qtbot, StageGrid(), 900, 700)
    yield widget
    if widget.detail is not None:
        widget.detail.close()


def click(grid, mode, stage, tile):
    grid.set_mode(mode)
    grid.refresh()
    grid.section(stage).visible_tiles[tile].clicked.emit()
    return grid.detail


def test_a_depthwise_map_opens_with_its_kernel_and_a_pointwise_output_with_its_row(grid, image):
    design = Design(multiplier=2, out_channels=5, pointwise="random")
    result = run_design(image, design)
    grid.show_result(result)
    detail = click(grid, "depthwise", "depthwise", 3)  # c2·m2
    assert detail.isVisible()
    assert detail.weights.kind == "kernels" and detail.weights.labels == ["c2·m2"]
    np.testing.assert_array_equal(detail.weights.weights[0], design.depthwise_kernels(3)[3])
    np.testing.assert_array_equal(
        detail.plane, result.results["depthwise"].stages["depthwise"][:, :, 3]
    )
    assert "c2·m2" in detail.caption.text()
    detail = click(grid, "depthwise", "pointwise", 4)  # p5
    assert detail.weights.kind == "vector"
    np.testing.assert_array_equal(detail.weights.weights, design.pointwise_weights(3)[4])
    assert detail.weights.labels[:2] == ["c1·m1", "c1·m2"]
    np.testing.assert_array_equal(detail.plane, result.results["depthwise"].output[:, :, 4])


def test_a_normal_output_opens_with_its_c_kernels(grid, image):
    design = Design(out_channels=4, multiplier=2, pointwise="random")
    grid.show_result(run_design(image, design))
    detail = click(grid, "normal", "normal", 2)
    np.testing.assert_allclose(detail.weights.weights, design.normal_weights(3)[2], atol=1e-12)
    assert detail.weights.labels == ["c1", "c2", "c3"]


def test_spatial_passes_open_with_their_1d_factors(grid, image):
    kernel = np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]) + np.outer([0, 1.0, 0], [1.0, 1, 1])
    design = Design(kernel=tuple(map(tuple, kernel)), preset="custom", spatial_rank=2)
    grid.show_result(run_design(image, design))
    column, row = design.spatial_factors()
    detail = click(grid, "spatial", "vertical", 3)  # pair 2, channel c1
    np.testing.assert_array_equal(detail.weights.weights, column[1])
    assert "of c1" in detail.weights.caption and "pair 2" in detail.weights.caption
    detail = click(grid, "spatial", "horizontal", 0)
    np.testing.assert_array_equal(detail.weights.weights, np.ravel(row))
    detail = click(grid, "spatial", "input", 1)
    assert detail.weights.kind == "none"


def test_a_tile_on_a_later_page_opens_its_own_map(grid, image):
    design = Design(channels=10, multiplier=2, out_channels=4, pointwise="random")
    result = run_design(image, design)
    grid.show_result(result)
    grid.set_mode("depthwise")
    grid.refresh()
    section = grid.section("depthwise")
    section.turn(1)
    section.visible_tiles[1].clicked.emit()
    index = PAGE_SIZE + 1
    np.testing.assert_array_equal(
        grid.detail.weights.weights[0], design.depthwise_kernels(10)[index]
    )
    np.testing.assert_array_equal(
        grid.detail.plane, result.results["depthwise"].stages["depthwise"][:, :, index]
    )


def test_a_mouse_click_on_a_thumbnail_opens_it(grid, image, qtbot):
    grid.show_result(run_design(image, Design()))
    grid.set_mode("normal")
    grid.refresh()
    tile = grid.section("normal").visible_tiles[1]
    qtbot.mouseClick(tile.image, Qt.LeftButton)
    assert grid.detail is not None and grid.detail.isVisible()
    assert grid.detail.weights.labels == ["c1", "c2", "c3"]
    assert "p2" in grid.detail.caption.text()
