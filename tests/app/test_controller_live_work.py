"""Live frames do only the work something shows: no intermediate stages unless a view wants
them, and a design's weights are built once, not once per frame."""

import zlib

import numpy as np
import pytest

from sepconv_gui.app import pipeline
from sepconv_gui.app.controller import Controller
from sepconv_gui.app.processing import Processor
from sepconv_gui.app.state import Design
from sepconv_gui.io.sources import PatternSource
from sepconv_gui.ui.measure.explain import shape_of
from sepconv_gui.ui.views.comparison import kernel_shape

# A rank-2 kernel and M = 2: every mode has an intermediate stage worth keeping.
RANK_TWO = Design(
    kernel=((1.0, 0.0, 0.0), (0.0, 2.0, 0.0), (0.0, 0.0, 0.0)),
    preset="custom",
    multiplier=2,
    out_channels=4,
    pointwise="random",
)
INTERMEDIATE = {"spatial": "vertical", "depthwise": "depthwise"}


def _frame(name: str) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return rng.random((18, 22, 3)).astype(np.float32)


def kept(result) -> set[str]:
    return {m for m, stage in INTERMEDIATE.items() if stage in result.results[m].stages}


@pytest.fixture
def controller(qtbot):
    c = Controller(RANK_TWO)
    yield c
    c.shutdown()


def test_live_frames_keep_stages_only_while_wanted(qtbot, controller):
    results = []
    controller.result_ready.connect(results.append)
    controller.start_source(PatternSource(40, 30, fps=200))
    qtbot.waitUntil(lambda: len(results) >= 3, timeout=5000)
    assert all(kept(r) == set() for r in results)
    controller.want_stages(True)
    mark = len(results)
    qtbot.waitUntil(lambda: len(results) >= mark + 3, timeout=5000)
    assert kept(results[-1]) == set(INTERMEDIATE)
    controller.want_stages(False)
    mark = len(results)
    qtbot.waitUntil(lambda: len(results) >= mark + 3, timeout=5000)
    assert kept(results[-1]) == set()


def test_wanting_stages_runs_a_paused_frame_again_with_them(qtbot, controller):
    results = []
    controller.result_ready.connect(results.append)
    controller.start_source(PatternSource(40, 30, fps=200))
    qtbot.waitUntil(lambda: len(results) >= 2, timeout=5000)
    controller.toggle_pause()
    qtbot.waitUntil(lambda: controller._inbox.wait_until_taken(0), timeout=5000)
    qtbot.wait(50)  # a frame in flight lands before the one asked for
    with qtbot.waitSignal(controller.result_ready, timeout=5000) as blocker:
        controller.want_stages(True)
    assert kept(blocker.args[0]) == set(INTERMEDIATE)
    assert blocker.args[0].frame_index == results[-2].frame_index


def test_stills_keep_their_stages_whatever_is_shown(qtbot):
    controller = Controller(RANK_TWO, synchronous=True)
    try:
        controller.show_image(_frame("still"), "still")
        assert kept(controller.last_result) == set(INTERMEDIATE)
    finally:
        controller.shutdown()


def test_weights_are_built_once_per_design_not_per_frame(monkeypatch):
    built = []
    real = pipeline.mode_weights
    monkeypatch.setattr(pipeline, "mode_weights", lambda m, d, c: built.append(m) or real(m, d, c))
    processor = Processor()
    for index in range(4):
        processor.first_pass(_frame(f"live {index}"), RANK_TWO, generation=0, keep_stages=False)
    assert sorted(built) == ["depthwise", "normal", "spatial"]
    built.clear()
    edited = RANK_TWO.with_changes(pointwise_seed=5)
    processor.first_pass(_frame("edited"), edited, generation=1, keep_stages=False)
    assert sorted(built) == ["depthwise", "normal", "spatial"]


def test_reused_weights_give_the_same_outputs_as_fresh_ones():
    processor = Processor()
    image = _frame("same")
    processor.first_pass(_frame("warm"), RANK_TWO, generation=0)
    result, _ = processor.first_pass(image, RANK_TWO, generation=0, keep_stages=False)
    for mode, conv in result.results.items():
        fresh = pipeline.run_mode(mode, image, RANK_TWO, keep_stages=False)
        np.testing.assert_array_equal(conv.output, fresh.output)


def test_what_the_panels_read_from_a_result_needs_no_stages():
    # The cost panel and the difference view read the design's shape back from a result;
    # a live frame without stages must give the same answer as one with them.
    image = _frame("shape")
    with_stages, _ = Processor().first_pass(image, RANK_TWO, generation=0)
    without, _ = Processor().first_pass(image, RANK_TWO, generation=0, keep_stages=False)
    assert kept(without) == set()
    assert kernel_shape(without) == kernel_shape(with_stages) == (3, 3)
    assert shape_of(without, RANK_TWO) == shape_of(with_stages, RANK_TWO)
    assert shape_of(without, RANK_TWO).rank == 2


def test_the_window_wants_stages_while_the_stages_dock_is_in_front(qtbot):
    from sepconv_gui.ui.shell.main_window import MainWindow

    window = MainWindow(open_default=False)
    qtbot.addWidget(window)
    window.show()
    window.cost_dock.raise_()
    qtbot.waitUntil(lambda: not window.controller._inbox.stages_wanted, timeout=5000)
    window.stages_dock.raise_()
    qtbot.waitUntil(lambda: window.controller._inbox.stages_wanted, timeout=5000)
    window.timing_dock.raise_()
    qtbot.waitUntil(lambda: not window.controller._inbox.stages_wanted, timeout=5000)
    window.close()
