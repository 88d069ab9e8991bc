"""Desktop manners: Space, the mouse wheel, the title and status bar, and the benchmark."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt

from sepconv_gui.io.sources import PatternSource
from tests.ui.widgets import open_window, wheel


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot, exposed=True, active=True)
    yield w
    w.close()


def stream(window, qtbot):
    window.controller.start_source(PatternSource(64, 48, fps=60))
    qtbot.waitUntil(lambda: window.controller.is_streaming, timeout=5000)


def test_space_in_a_spin_box_neither_pauses_nor_blanks_it(window, qtbot):
    stream(window, qtbot)
    spin = window.channel_designer.out_channels
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()  # as after tabbing in: a typed key would replace the whole text
    before = spin.text()
    qtbot.keyClick(spin, Qt.Key_Space)
    assert not window.controller.paused
    assert spin.text() == before
    # Focus outside a text field: Space is the Pause shortcut again.
    window.results.setFocus()
    qtbot.waitUntil(lambda: not spin.hasFocus())
    qtbot.keyClick(window.results, Qt.Key_Space)
    assert window.controller.paused
    assert window.actions_by_name["pause"].isChecked()


def test_wheel_over_an_unfocused_view_combo_changes_nothing(window):
    box = window.results.panels["normal"].mapping_box
    index = box.currentIndex()
    wheel(box)
    assert box.currentIndex() == index
    box.setFocus()
    wheel(box)  # a focused control still takes the wheel
    assert box.currentIndex() != index


def test_title_changes_only_when_an_input_is_shown_and_stale_errors_clear(window, tmp_path):
    assert window.windowTitle() == "coffee.png — sepconv-gui"
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), np.full((2, 2, 3), 80, np.uint8))
    window.open_path(tiny)  # the 15×15 opening kernel cannot run on 2×2
    assert window.windowTitle() == "coffee.png — sepconv-gui"
    assert window.source_label.text() == "coffee.png"
    window.show_error("Could not open broken.png: not an image")
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), np.full((40, 50, 3), 80, np.uint8))
    assert window.open_path(good)
    assert window.windowTitle() == "good.png — sepconv-gui"
    assert window.error_label.text() == ""


def test_the_benchmark_pauses_the_live_source_and_resumes_it(window, qtbot):
    stream(window, qtbot)
    panel = window.benchmark_panel
    panel.running_changed.emit(True)
    assert window.controller.paused
    panel.running_changed.emit(False)
    assert not window.controller.paused
    # A source the user paused stays paused after the sweep.
    window.controller.toggle_pause()
    panel.running_changed.emit(True)
    panel.running_changed.emit(False)
    assert window.controller.paused
