"""Undo and redo of design edits through the Edit menu and its shortcuts; one slider drag is
one undo step; the mouse wheel leaves unfocused controls in the design dock alone."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from sepconv_gui.app.state import Design
from tests.ui.widgets import open_window, wheel

SOBEL_X = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])


@pytest.fixture
def window(qtbot):
    # Sobel x, not the opening blur.
    w = open_window(qtbot, exposed=True, active=True, design=Design())
    yield w
    w.close()


def gaussian_3x3(sigma):
    g = np.exp(-(np.array([-1.0, 0, 1]) ** 2) / (2 * sigma**2))
    g /= g.sum()
    return np.outer(g, g)


def press(qtbot, window, key, modifiers=Qt.ControlModifier):
    qtbot.keyClick(window, key, modifiers)


def test_every_kind_of_edit_undoes_and_redoes_in_order(window, qtbot):
    editor, channels = window.kernel_editor, window.channel_designer
    model = editor.grid.model()
    model.setData(model.index(1, 1), "7")  # typed into a cell
    typed = SOBEL_X.copy()
    typed[1, 1] = 7
    editor.apply_tool("transpose")
    channels.out_channels.setValue(5)
    np.testing.assert_array_equal(window.controller.design.kernel_array(), typed.T)
    assert window.actions_by_name["undo"].text() == "&Undo Change output channels P"

    press(qtbot, window, Qt.Key_Z)
    assert window.controller.design.out_channels == 3
    assert channels.out_channels.value() == 3  # the control shows the undone value
    press(qtbot, window, Qt.Key_Z)
    np.testing.assert_array_equal(window.controller.design.kernel_array(), typed)
    np.testing.assert_array_equal(editor.grid.kernel, typed)
    press(qtbot, window, Qt.Key_Z)
    np.testing.assert_array_equal(window.controller.design.kernel_array(), SOBEL_X)
    assert window.controller.design.preset == "sobel_x"
    assert editor.preset.currentData() == "sobel_x"

    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    np.testing.assert_array_equal(window.controller.design.kernel_array(), typed)
    window.actions_by_name["redo"].trigger()
    window.actions_by_name["redo"].trigger()
    np.testing.assert_array_equal(window.controller.design.kernel_array(), typed.T)
    assert window.controller.design.out_channels == 5


def test_a_refused_edit_leaves_no_undo_step(window):
    count = window.history.stack.count()
    window.edit_design({"multiplier": 0})
    assert window.history.stack.count() == count


def drag(slider, positions):
    slider.setSliderDown(True)  # emits sliderPressed, as a mouse press on the handle does
    for position in positions:
        slider.setValue(position)
    slider.setSliderDown(False)


def test_one_slider_drag_is_one_undo_step(window, qtbot):
    editor = window.kernel_editor
    editor.preset.setCurrentIndex(editor.preset.findData("gaussian"))
    editor.height_spin.setValue(3)
    editor.width_spin.setValue(3)
    sigma = editor.param_controls["sigma"]
    start = sigma.value()
    count = window.history.stack.count()
    drag(sigma.slider, [12, 15, 19])  # sigma 0.1 + 0.1 * position
    assert window.history.stack.count() == count + 1
    assert window.controller.design.preset_params["sigma"] == pytest.approx(2.0)
    np.testing.assert_allclose(window.controller.design.kernel_array(), gaussian_3x3(2.0))
    drag(sigma.slider, [25])
    assert window.history.stack.count() == count + 2  # a second drag is a second step
    window.history.stack.undo()
    window.history.stack.undo()
    assert window.controller.design.preset_params["sigma"] == pytest.approx(start)
    np.testing.assert_allclose(window.controller.design.kernel_array(), gaussian_3x3(start))
    assert sigma.value() == pytest.approx(start)


def test_the_wheel_changes_only_focused_controls_in_the_design_dock(window):
    combo = window.channel_designer.border
    spin = window.channel_designer.out_channels
    combo.clearFocus()
    spin.clearFocus()
    wheel(combo)
    wheel(spin)
    assert combo.currentIndex() == 0 and spin.value() == 3
    assert window.history.stack.count() == 0
    combo.setFocus()
    assert combo.hasFocus()
    wheel(combo)
    assert combo.currentIndex() == 1
