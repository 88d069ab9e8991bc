"""The opening screen makes the point: a large kernel where separable clearly wins, and the
small-kernel counter-example one click away."""

import numpy as np
import pytest

from sepconv_gui.engine import preset_kernel
from tests.ui.widgets import open_window
from sepconv_gui.ui.teach.opening import SMALL_TEXT, opening_design


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot)
    yield w
    w.close()


def test_first_start_opens_a_large_blur_on_the_photograph(window):
    design = window.controller.design
    assert design == opening_design()
    kernel = design.kernel_array()
    assert kernel.shape == (15, 15) and design.preset == "gaussian"
    assert kernel.sum() == pytest.approx(1.0)
    # The tails are used: the edge taps are not zero (sigma fits the window).
    assert kernel[0, 7] > 1e-3 * kernel[7, 7]
    lines = window.cost_panel.lines
    # By hand: 15^2 * 3 * 3 = 2025; spatial 30 * 1 * 3 = 90 against 225 * 3 = 675 (7.5x);
    # depthwise as 1-D passes 30 * 3 + 3 * 3 = 99 against 2025 (20.45x).
    assert lines[0].startswith("normal: k²·C·P = 225·3·3 = 2,025 mult/px")
    assert "2k·r·C = 30·1·3 = 90 mult/px" in lines[1] and "7.50× fewer" in lines[1]
    assert "= 99 mult/px" in lines[2] and f"{2025 / 99:.2f}× fewer" in lines[2]
    shown = window.results.panels["input"].shown
    assert shown is not None and shown.shape[:2] == (400, 600)


def test_the_small_kernel_case_is_one_click_away_and_back(window):
    window.actions_by_name["case_small"].trigger()
    design = window.controller.design
    np.testing.assert_array_equal(design.kernel_array(), preset_kernel("sobel_x", (3, 3)))
    assert window.kernel_editor._kernel.shape == (3, 3)
    assert window.kernel_editor.preset.currentData() == "sobel_x"
    assert window.cost_panel.lines[0].startswith("normal: k²·C·P = 9·3·3 = 81 mult/px")
    assert window.statusBar().currentMessage() == SMALL_TEXT
    lessons = window.findChild(type(window.recent_menu), "lessonsMenu")
    assert window.actions_by_name["case_small"] in lessons.actions()
    window.actions_by_name["case_large"].trigger()
    assert window.controller.design == opening_design()
    assert window.kernel_editor._kernel.shape == (15, 15)
    assert window.kernel_editor.preset.currentData() == "gaussian"
