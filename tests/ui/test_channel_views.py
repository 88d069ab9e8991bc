"""The channel side of the Design dock: the C → C·M → P diagram, the pointwise editor on a
gray source, and Edit ▸ Copy as code with its preview."""

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from sepconv_gui.app.codegen import to_code
from sepconv_gui.ui.design.channel_diagram import MAX_NODES, block_weights, groups
from tests.ui.widgets import open_window


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot, exposed=True)
    w.edit_design({"pointwise": "identity", "out_channels": 3, "multiplier": 1, "channels": 0})
    yield w
    w.close()


def editor(window):
    return window.channel_designer.pointwise_editor


# --- pointwise editor on a gray source ------------------------------------------------------
def test_a_gray_source_gives_a_one_channel_matrix(window):
    window.controller.show_image(np.full((64, 80), 0.5, np.float32), "gray")
    window.edit_design({"out_channels": 2, "multiplier": 3})
    # C = 1, M = 3: columns are the three maps of the one channel
    assert editor(window).grid.kernel.shape == (2, 3)
    np.testing.assert_array_equal(editor(window).grid.kernel, [[1, 0, 0], [1, 0, 0]])
    assert "C = 1" in editor(window).caption.text()
    # a cell edit makes a custom matrix of that shape, which runs
    grid = editor(window).grid
    grid.model().setData(grid.model().index(1, 2), "0.5")
    assert window.controller.design.pointwise_custom.shape == (2, 3)
    assert window.error_label.text() == ""
    # back to a colour source: three channels again
    window.edit_design({"pointwise": "identity"})
    window.controller.show_image(np.full((64, 80, 3), 0.5, np.float32), "rgb")
    assert editor(window).grid.kernel.shape == (2, 9)


# --- the diagram ----------------------------------------------------------------------------
def test_groups_and_blocks_by_hand():
    np.testing.assert_array_equal(groups(5), np.arange(5))
    np.testing.assert_array_equal(groups(64), np.arange(0, 64, 2))
    matrix = np.array([[1.0, -3.0, 0.0, 0.0], [0.0, 0.0, 2.0, 2.0]])
    magnitude, sign = block_weights(matrix, limit=2)  # 2 × 2 dots of 1 × 2 weights
    np.testing.assert_allclose(magnitude, [[2.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(sign, [[-1, 0], [0, 1]])


def test_the_diagram_shows_the_pointwise_weights(window):
    diagram = editor(window).diagram
    np.testing.assert_array_equal(diagram.magnitude, np.eye(3))
    window.edit_design({"channels": 64, "out_channels": 40, "multiplier": 2})
    assert diagram.magnitude.shape == (MAX_NODES, MAX_NODES)  # 40 × 128 summarised
    assert (diagram.channels, diagram.maps, diagram.outputs) == (64, 128, 40)


def red_and_blue(widget):
    image = widget.grab().toImage()
    red = blue = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            red += c.red() > 150 and c.blue() < 120 and c.green() < 120
            blue += c.blue() > 150 and c.red() < 120
    return red, blue


def test_edges_are_drawn_by_sign(window):
    diagram = editor(window).diagram
    diagram.resize(300, 160)
    diagram.set_weights(np.eye(3), 3, 1)
    assert red_and_blue(diagram)[0] > 0 and red_and_blue(diagram)[1] == 0
    diagram.set_weights(-np.eye(3), 3, 1)
    assert red_and_blue(diagram)[0] == 0 and red_and_blue(diagram)[1] > 0
    diagram.set_weights(np.zeros((3, 3)), 3, 1)
    assert red_and_blue(diagram) == (0, 0)


# --- Copy as code ---------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["opencv", "pytorch", "keras"])
def test_copy_as_code_previews_to_code(window, target):
    window.actions_by_name["copy_code"].trigger()
    preview = window.code_preview
    preview.target.setCurrentIndex(preview.target.findData(target))
    expected = to_code(window.controller.design, target, channels=3)
    assert preview.preview.toPlainText() == expected
    preview.copy_button.click()
    assert QGuiApplication.clipboard().text() == expected
    # edits while it is open show up in it
    window.edit_design({"out_channels": 5})
    assert preview.preview.toPlainText() == to_code(window.controller.design, target, channels=3)


def test_copy_as_code_is_in_the_edit_menu(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert window.actions_by_name["copy_code"] in menu.actions()
