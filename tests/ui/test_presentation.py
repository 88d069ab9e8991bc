"""Presentation mode: what it shows, the keys that drive it, and a clean way back."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from sepconv_gui.__main__ import parse_args
from sepconv_gui.app.source_specs import SourceSpec
from sepconv_gui.app.state import Design
from sepconv_gui.engine import preset_kernel
from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.teach.opening import opening_design


@pytest.fixture
def window(qtbot, request):
    # The opening blur where its numbers are checked; the cheap 3x3 default elsewhere.
    design = getattr(request, "param", None) or opening_design()
    w = MainWindow(synchronous=True, design=design, open_default=False)
    qtbot.addWidget(w)
    # Counts per pixel do not depend on the image size; a small one keeps the test quick.
    image = np.random.default_rng(3).random((60, 90, 3), dtype=np.float32)
    w.controller.show_image(image, "small.png")
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.presentation.leave()
    w.close()


def visible_docks(window):
    return sorted(d.objectName() for d in window.findChildren(QDockWidget) if d.isVisible())


def test_f5_shows_input_and_one_output_large_with_the_lesson_and_esc_restores(window, qtbot):
    docks_before = visible_docks(window)
    assert docks_before and not window.isFullScreen()
    qtbot.keyClick(window, Qt.Key_F5)
    mode = window.presentation
    assert mode.active and window.actions_by_name["presentation"].isChecked()
    view = mode.view
    assert view.isVisible() and view.geometry() == window.rect()
    assert visible_docks(window) == [] and not window.menuBar().isVisible()
    assert not window.statusBar().isVisible()
    # The two images fill most of the window.
    assert view.input_panel.width() > 0.4 * window.width()
    assert view.output_panel.graphics.height() > 0.4 * window.height()
    np.testing.assert_array_equal(view.input_panel.source, window.controller.last_result.image)
    # Opening design, depthwise output: 15x15 Gaussian, C = P = 3, rank-1 kernels run as 1-D
    # passes: 30*3 + 3*3 = 99 against 225*3*3 = 2025 → 20.45, shown as "20×".
    assert view.output_panel.title.full_text() == "Depthwise-separable"
    assert view.lesson.text().startswith("99 vs 2,025 multiplications per pixel → 20× fewer")
    assert "measured" in view.lesson.text()
    # Big type: the line is at least 1/24 of the window height (30 px at 720).
    assert f"font-size: {max(18, view.height() // 24)}px" in view.lesson.styleSheet()
    assert view.height() >= 600
    qtbot.keyClick(view, Qt.Key_Escape)
    assert not mode.active and not view.isVisible()
    assert visible_docks(window) == docks_before and window.menuBar().isVisible()
    assert window.statusBar().isVisible() and not window.isFullScreen()
    assert not window.actions_by_name["presentation"].isChecked()
    qtbot.keyClick(window, Qt.Key_F5)
    assert mode.active
    qtbot.keyClick(view, Qt.Key_F5)  # F5 leaves as well as Esc
    assert not mode.active and visible_docks(window) == docks_before
    window.showMaximized()
    mode.enter()
    mode.leave()
    assert window.isMaximized() and not window.isFullScreen()  # back as it was


def test_keys_change_output_preset_and_p_through_the_undo_stack(window, qtbot):
    window.presentation.enter()
    view = window.presentation.view
    undo = window.history.stack
    steps = undo.count()
    qtbot.keyClick(view, Qt.Key_Right)  # depthwise -> normal (wraps round)
    assert view.output_panel.title.full_text() == "Normal"
    assert view.lesson.text().startswith("Normal: k²·C·P = 225·3·3 = 2,025 multiplications")
    qtbot.keyClick(view, Qt.Key_Right)
    assert view.output_panel.title.full_text() == "Spatial-separable"
    # 2k = 30 per channel against the same 15x15 per-channel filter, 225.
    assert view.lesson.text().startswith("30 vs 225 multiplications per pixel per channel")
    qtbot.keyClick(view, Qt.Key_PageDown)  # the next preset: 3x3 Sobel x
    design = window.controller.design
    np.testing.assert_array_equal(design.kernel_array(), preset_kernel("sobel_x", (3, 3)))
    assert view.lesson.text().startswith("6 vs 9 multiplications per pixel per channel")
    assert window.kernel_editor.preset.currentData() == "sobel_x"
    qtbot.keyClick(view, Qt.Key_Up)
    assert window.controller.design.out_channels == 4
    assert "P = 4" in view.design_line.text()
    qtbot.keyClick(view, Qt.Key_Down)
    qtbot.keyClick(view, Qt.Key_Down)
    assert window.controller.design.out_channels == 2
    assert undo.count() == steps + 4
    qtbot.keyClick(view, Qt.Key_PageUp)  # back to the opening blur
    assert window.controller.design == opening_design().with_changes(out_channels=2)
    undo.undo()
    assert window.controller.design.out_channels == 2 and design.preset == "sobel_x"


@pytest.mark.parametrize("window", [Design()], indirect=True)
def test_space_pauses_once_and_other_keys_are_left_alone_outside(window, qtbot):
    steps = window.history.stack.count()
    qtbot.keyClick(window, Qt.Key_PageDown)
    qtbot.keyClick(window, Qt.Key_Up)
    assert window.history.stack.count() == steps  # not in presentation mode: not its keys
    window.start_source(SourceSpec("pattern", "64x48"))
    qtbot.waitUntil(lambda: window.controller.is_streaming)
    window.presentation.enter()
    qtbot.keyClick(window.presentation.view, Qt.Key_Space)
    assert window.controller.paused
    assert "PAUSED" in window.presentation.view.design_line.text()
    qtbot.keyClick(window.presentation.view, Qt.Key_Space)
    assert not window.controller.paused
    window.controller.stop_source()


def test_command_line_flags():
    args = parse_args(["--presentation", "--window-size", "1280x720"])
    assert args.presentation and args.window_size == (1280, 720)
    with pytest.raises(SystemExit):
        parse_args(["--window-size", "big"])
