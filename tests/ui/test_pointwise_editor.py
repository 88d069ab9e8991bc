"""The pointwise matrix editor: presets show the matrix the engine gets, a cell edit makes
exactly that custom matrix, and C up to 256 can be chosen in the dock."""

import numpy as np
import pytest

from tests.ui.widgets import open_window


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot, exposed=True)
    w.edit_design({"pointwise": "identity", "out_channels": 3, "multiplier": 1})
    yield w
    w.close()


def shown(window):
    return window.channel_designer.pointwise_editor.grid.kernel


def test_presets_show_the_matrix_the_engine_gets(window):
    np.testing.assert_array_equal(shown(window), np.eye(3))
    window.channel_designer.pointwise.setCurrentText("swap")
    np.testing.assert_array_equal(shown(window), [[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    window.channel_designer.pointwise.setCurrentText("luma")
    np.testing.assert_array_equal(shown(window), [[0.299, 0.587, 0.114]] * 3)


def test_a_cell_edit_makes_exactly_that_custom_matrix_and_undoes(window):
    grid = window.channel_designer.pointwise_editor.grid
    grid.model().setData(grid.model().index(0, 2), "0.5")
    design = window.controller.design
    assert design.pointwise == "custom"
    expected = np.array([[1.0, 0, 0.5], [0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(design.pointwise_custom.array, expected)
    np.testing.assert_array_equal(shown(window), expected)
    window.history.stack.undo()
    assert window.controller.design.pointwise == "identity"
    np.testing.assert_array_equal(shown(window), np.eye(3))


def test_custom_starts_from_the_matrix_on_show(window):
    window.channel_designer.pointwise.setCurrentText("swap")
    window.channel_designer.pointwise.setCurrentText("custom")
    design = window.controller.design
    assert design.pointwise == "custom"
    np.testing.assert_array_equal(design.pointwise_custom.array, np.eye(3)[::-1])


def test_synthesized_input_channels_widen_the_matrix(window):
    window.channel_designer.channels.setValue(8)
    assert window.controller.design.channels == 8
    expected = np.zeros((3, 8))
    expected[[0, 1, 2], [0, 1, 2]] = 1.0  # identity: output p takes channel p
    np.testing.assert_array_equal(shown(window), expected)
