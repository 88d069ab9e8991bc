"""The live pipeline: threads, latest-frame-wins, errors, failing sources, clean shutdown."""

import threading

import cv2
import numpy as np
import pytest

from sepconv_gui.app.controller import Controller
from sepconv_gui.app.state import Design
from sepconv_gui.io.sources import PatternSource, SourceError, VideoFileSource


class FailingPattern(PatternSource):
    """A pattern that stops delivering after ``good`` frames, like an unplugged camera."""

    def __init__(self, good: int) -> None:
        super().__init__(64, 48, fps=200)
        self.good, self.reads = good, 0
        self.closed = threading.Event()

    def read(self):
        self.reads += 1
        if self.reads > self.good:
            raise SourceError("camera stopped delivering frames")
        return super().read()

    def close(self) -> None:
        super().close()
        self.closed.set()


@pytest.fixture
def controller(qtbot):
    c = Controller(Design())
    yield c
    c.shutdown()
    assert not c._processing.isRunning()


def collect(controller):
    results = []
    controller.result_ready.connect(results.append)
    return results


def test_still_image_is_processed_off_the_gui_thread(qtbot, controller):
    image = np.random.default_rng(0).random((32, 40, 3)).astype(np.float32)
    with qtbot.waitSignal(controller.result_ready, timeout=5000) as blocker:
        controller.show_image(image, "random")
    result = blocker.args[0]
    assert set(result.results) == {"normal", "spatial", "depthwise"}
    np.testing.assert_allclose(
        result.results["depthwise"].output, result.results["normal"].output, atol=1e-5
    )


def test_design_change_reprocesses_and_old_results_never_show(qtbot, controller):
    results = collect(controller)
    image = np.random.default_rng(1).random((32, 40, 3)).astype(np.float32)
    controller.show_image(image, "random")
    qtbot.waitUntil(lambda: len(results) >= 1, timeout=5000)
    controller.set_design(controller.design.with_changes(out_channels=5, pointwise="random"))
    qtbot.waitUntil(lambda: results[-1].generation == controller.generation, timeout=5000)
    assert results[-1].results["normal"].output.shape == (32, 40, 5)
    generations = [r.generation for r in results]
    assert generations == sorted(generations)


def test_a_refused_design_is_reported_and_the_last_good_one_keeps_running(qtbot, controller):
    results = collect(controller)
    controller.start_source(PatternSource(24, 20, fps=100))
    qtbot.waitUntil(lambda: len(results) >= 2, timeout=5000)
    # A valid design, but its 31x31 kernel does not fit a 24x20 frame: the engine refuses it.
    bad = controller.design.with_changes(kernel=((1.0,) * 31,) * 31, preset="custom")
    with qtbot.waitSignal(controller.error, timeout=5000) as blocker:
        controller.set_design(bad)
    assert "larger than the image" in blocker.args[0]
    count = len(results)
    qtbot.waitUntil(lambda: len(results) >= count + 3, timeout=5000)
    assert all(
        r.results["normal"].cost.stages["normal"].parameters == 3 * 3 * 9 for r in results[count:]
    )


@pytest.mark.parametrize("modes", [("normal", "spatial", "depthwise"), ("spatial",)])
def test_pattern_source_streams_through_the_enabled_modes(qtbot, controller, modes):
    controller.set_design(controller.design.with_changes(modes=modes))
    results = collect(controller)
    controller.start_source(PatternSource(80, 60, fps=120))
    qtbot.waitUntil(lambda: len(results) >= 5, timeout=10000)
    assert controller.is_streaming
    assert all(tuple(r.results) == modes for r in results)
    indices = [r.frame_index for r in results]
    assert indices == sorted(indices) and len(set(indices)) == len(indices)
    # Per-mode and per-stage timings ride along for the plots.
    assert all(r.results[m].timings for r in results for m in modes)


def test_pause_and_step(qtbot, controller):
    results = collect(controller)
    controller.start_source(PatternSource(64, 48, fps=200))
    qtbot.waitUntil(lambda: len(results) >= 2, timeout=5000)
    controller.toggle_pause()
    assert controller.paused
    qtbot.wait(100)  # let a frame already in flight arrive
    frozen = results[-1].frame_index
    with qtbot.waitSignal(controller.result_ready, timeout=5000) as blocker:
        controller.step()
    assert blocker.args[0].frame_index == frozen + 1
    controller.toggle_pause()
    qtbot.waitUntil(lambda: results[-1].frame_index > frozen + 3, timeout=5000)


def test_video_file_streams_and_loops(qtbot, controller, tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (64, 48))
    for value in range(6):
        writer.write(np.full((48, 64, 3), value * 40, np.uint8))
    writer.release()
    results = collect(controller)
    controller.start_source(VideoFileSource(str(path), loop=True))
    qtbot.waitUntil(lambda: len(results) >= 10, timeout=10000)
    assert results[0].image.shape == (48, 64, 3)


def test_failing_source_stops_with_a_message_and_can_restart(qtbot, controller):
    source = FailingPattern(good=3)
    with qtbot.waitSignal(controller.source_failed, timeout=5000) as blocker:
        controller.start_source(source)
    assert "stopped delivering" in blocker.args[0]
    assert source.closed.wait(5)
    assert not controller.is_streaming
    source.reads, source.good = 0, 10**9
    source.closed.clear()
    results = collect(controller)
    assert controller.restart_source()
    qtbot.waitUntil(lambda: len(results) >= 3, timeout=5000)


def test_shutdown_mid_stream_joins_every_thread(qtbot):
    controller = Controller(Design())
    results = collect(controller)
    source = FailingPattern(good=10**9)
    controller.start_source(source)
    qtbot.waitUntil(lambda: len(results) >= 2, timeout=5000)
    capture = controller._capture
    controller.shutdown()
    assert not capture.isRunning() and not controller._processing.isRunning()
    assert source.closed.is_set()


def test_large_stills_are_processed_at_working_size_unless_asked(qtbot):
    from sepconv_gui.io.images import LIVE_MAX_PIXELS

    controller = Controller(Design(modes=("spatial",)), synchronous=True)
    results = collect(controller)
    big = np.zeros((1500, 2000, 3), np.float32)
    controller.show_image(big, "big")
    shown = results[-1].image.shape
    assert shown[0] * shown[1] <= LIVE_MAX_PIXELS and shown[1] / shown[0] == pytest.approx(
        4 / 3, rel=0.01
    )
    controller.set_full_resolution(True)
    assert results[-1].image.shape[:2] == (1500, 2000)
    controller.shutdown()


def test_taking_a_frame_wakes_the_capture_thread_at_once():
    # Capture waits for processing to take each test-pattern frame; without a wake-up it sat
    # out its whole timeout every frame, which capped the pipeline at about 15 FPS.
    from sepconv_gui.app.workers import Inbox
    from sepconv_gui.io.sources import Frame

    inbox = Inbox(Design())
    inbox.put_frame(Frame(np.zeros((4, 4, 3), np.float32), 0, 0.0))
    outcome = []
    waiter = threading.Thread(target=lambda: outcome.append(inbox.wait_until_taken(60.0)))
    waiter.start()
    assert inbox.take(timeout=1.0) is not None
    waiter.join(timeout=30.0)  # generous: only a missing notify could take this long
    assert not waiter.is_alive() and outcome == [True]


def test_remeasure_times_the_still_again_and_refuses_while_streaming(qtbot):
    controller = Controller(synchronous=True)
    try:
        assert not controller.remeasure()  # nothing to measure yet
        controller.show_image(np.random.default_rng(0).random((20, 30, 3), np.float32), "x")
        first = controller.last_result
        assert controller.remeasure()
        assert controller.last_result is not first
        np.testing.assert_array_equal(
            controller.last_result.results["normal"].output, first.results["normal"].output
        )
        controller.start_source(PatternSource(32, 24, fps=30))
        assert not controller.remeasure()
    finally:
        controller.shutdown()
