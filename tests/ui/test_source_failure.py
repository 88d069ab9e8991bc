"""A source that fails (no camera, say) offers a way on: retry, or the test pattern; a video
that decodes only partly says so and plays on."""

import pytest
from PySide6.QtWidgets import QMessageBox

from sepconv_gui.app.source_specs import SourceSpec
from sepconv_gui.ui.shell.main_window import MainWindow
from tests.io.test_sources import cut_clip


@pytest.fixture
def window(qtbot):
    w = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def fail_camera(window, qtbot):
    # No machine has 57 cameras: opening /dev/video57 fails at once.
    window.start_source(SourceSpec("camera", "57"))
    qtbot.waitUntil(lambda: getattr(window, "failure_box", None) is not None)
    return window.failure_box


def test_a_missing_camera_offers_the_test_pattern(window, qtbot):
    box = fail_camera(window, qtbot)
    assert "camera 57" in box.text().lower()
    button = next(b for b in box.buttons() if b.text() == "Use the test pattern")
    with qtbot.waitSignal(window.controller.result_ready, timeout=10000) as result:
        button.click()
    assert window.controller.source_name.startswith("Test pattern")
    assert result.args[0].image.shape[:2] == (480, 640)


def test_close_leaves_the_failed_source_stopped(window, qtbot):
    box = fail_camera(window, qtbot)
    box.button(QMessageBox.Close).click()
    assert not window.controller.is_streaming


def test_a_partly_decodable_video_says_so_in_the_window(window, qtbot, tmp_path):
    window.start_source(SourceSpec("video", str(cut_clip(tmp_path))))
    qtbot.waitUntil(
        lambda: "decoding stopped at frame" in window.error_banner.message, timeout=10000
    )
    assert "of 60; playing what could be read" in window.error_banner.message
    assert window.controller.is_streaming
