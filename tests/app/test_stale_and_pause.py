"""A result made for an older design never shows; pause really stops capture."""

import numpy as np
import pytest

from sepconv_gui.app.controller import Controller
from sepconv_gui.app.state import Design
from sepconv_gui.app.workers import CaptureThread, Inbox
from sepconv_gui.io.sources import PatternSource


def _still() -> np.ndarray:
    return np.random.default_rng(8).random((20, 24, 3)).astype(np.float32)


def test_the_controller_drops_a_result_of_an_older_design(qtbot):
    controller = Controller(synchronous=True)
    try:
        controller.show_image(_still(), "still")
        old = controller.last_result
        controller.set_design(Design(out_channels=5, pointwise="random"))
        newest = controller.last_result
        assert newest.generation == controller.generation != old.generation
        shown = []
        controller.result_ready.connect(shown.append)
        # The old result arrives late, from the processing thread, after the newer one.
        with qtbot.waitSignal(controller._processing.result_ready, timeout=5000):
            controller._processing.result_ready.emit(old)
        assert shown == [] and controller.last_result is newest
    finally:
        controller.shutdown()


def test_the_window_does_not_draw_a_result_of_an_older_design(qtbot):
    from sepconv_gui.ui.shell.main_window import MainWindow

    window = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(window)
    window.controller.show_image(_still(), "still")
    old = window.shown_result
    window.edit_design({"out_channels": 5, "pointwise": "random"})
    newest = window.shown_result
    assert newest is not old and newest.generation == window.controller.generation
    # Past the controller's own check (a queued signal can still be in flight): the window
    # keeps its guard too.
    window._show_result(old)
    window.flush_display()
    assert window.shown_result is newest
    window.close()


@pytest.fixture
def capture():
    thread = CaptureThread(PatternSource(16, 12, fps=100), Inbox(Design()))
    yield thread


def test_pause_stops_reading_and_step_reads_exactly_one_frame(capture):
    assert capture._may_read()
    capture.set_paused(True)
    assert not capture._may_read() and not capture._may_read()
    capture.step()
    assert capture._may_read()  # one frame...
    assert not capture._may_read()  # ...and no more
    capture.step()
    capture.step()
    assert [capture._may_read() for _ in range(3)] == [True, True, False]
    capture.set_paused(False)
    assert capture._may_read() and capture._may_read()


def test_the_pause_button_pauses_the_capture_thread(qtbot):
    controller = Controller(Design())
    try:
        controller.start_source(PatternSource(16, 12, fps=100))
        controller.toggle_pause()
        assert controller.paused and controller._capture._paused
        controller.toggle_pause()
        assert not controller.paused and not controller._capture._paused
    finally:
        controller.shutdown()
