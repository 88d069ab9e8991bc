"""A design change shows one pass at once; medians follow; unchanged modes are not re-run."""

from types import SimpleNamespace
import zlib

import numpy as np
import pytest

from sepconv_gui.app import pipeline
from sepconv_gui.app.controller import Controller
from sepconv_gui.app.processing import Processor
from sepconv_gui.app.state import Design
from sepconv_gui.app.workers import STILL_REPEATS


SIZE = (24, 32)


def _still(name: str) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return rng.random((*SIZE, 3)).astype(np.float32)


@pytest.fixture
def runs(monkeypatch):
    """Every engine run on a test still, as (mode, design) in call order (the warm-up runs
    of the processing thread and the library priming use other sizes)."""
    calls = []
    real = pipeline.run_mode

    def run_mode(mode, image, design, **options):
        if image.shape[:2] == SIZE:
            calls.append((mode, design))
        return real(mode, image, design, **options)

    monkeypatch.setattr(pipeline, "run_mode", run_mode)
    return calls


def test_the_first_result_of_a_design_change_comes_from_one_pass(qtbot, runs):
    controller = Controller(synchronous=True)
    shown = []
    controller.result_ready.connect(lambda r: shown.append((r, len(runs))))
    try:
        controller.show_image(_still("one pass"), "still")
        first, calls_before = shown[0]
        assert calls_before == 3 and not first.final  # one run per mode, nothing more
        refined, calls_after = shown[1]
        assert refined.final and refined.generation == first.generation
        assert calls_after == 3 + 3 * STILL_REPEATS  # then the timed repeats, for medians
        assert len(shown) == 2
    finally:
        controller.shutdown()


def test_only_modes_whose_inputs_changed_run_again(qtbot, runs):
    controller = Controller(Design(out_channels=4, pointwise="random"), synchronous=True)
    try:
        controller.show_image(_still("reuse"), "still")
        before = controller.last_result
        runs.clear()
        controller.set_design(controller.design.with_changes(pointwise_seed=9))
        after = controller.last_result
        assert {mode for mode, _ in runs} == {"normal", "depthwise"}
        assert after.fresh == ("normal", "depthwise")
        assert after.results["spatial"] is before.results["spatial"]
        assert not np.array_equal(
            after.results["depthwise"].output, before.results["depthwise"].output
        )
        runs.clear()
        controller.set_design(controller.design.with_changes(spatial_rank=1))
        assert {mode for mode, _ in runs} == {"spatial"}
        runs.clear()
        controller.set_design(controller.design.with_changes(flip=True))  # every mode reads it
        assert {mode for mode, _ in runs} == {"normal", "spatial", "depthwise"}
        runs.clear()
        assert controller.remeasure()  # fresh timings for everything, on purpose
        assert {mode for mode, _ in runs} == {"normal", "spatial", "depthwise"}
    finally:
        controller.shutdown()


def test_a_reused_mode_matches_running_it_again(qtbot):
    # Reuse must be invisible: what is shown equals a fresh run of the new design.
    controller = Controller(Design(out_channels=4, pointwise="random"), synchronous=True)
    try:
        image = _still("equal")
        controller.show_image(image, "still")
        for changes in ({"pointwise_seed": 3}, {"multiplier": 2}, {"algorithm": "direct"}):
            controller.set_design(controller.design.with_changes(**changes))
            fresh = pipeline.run_design(image, controller.design)
            for mode, conv in controller.last_result.results.items():
                np.testing.assert_array_equal(conv.output, fresh.results[mode].output)
    finally:
        controller.shutdown()


class Timed:
    """A stand-in ConvResult with a chosen duration."""

    def __init__(self, seconds: float, label: str) -> None:
        self.timings = {"all": seconds}
        self.label = label
        self.stages: dict = {}  # a single-stage stand-in: no intermediate stage to keep
        self.cost = SimpleNamespace(stages=())

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())


def test_a_still_keeps_the_median_run_not_the_fastest(monkeypatch):
    # First pass 0.05 s (a warm-up: not counted), then 0.03, 0.01, 0.02: the median is 0.02.
    durations = iter([0.05, 0.03, 0.01, 0.02])
    monkeypatch.setattr(
        pipeline, "run_mode", lambda mode, image, design, **options: Timed(next(durations), "run")
    )
    processor = Processor()
    first, message = processor.first_pass(
        _still("median"), Design(modes=("spatial",)), generation=0, frame_key=1, repeats=3
    )
    assert message is None and not first.final
    refined = processor.refine(first, 3)
    assert refined.final and refined.results["spatial"].total_seconds == 0.02


def test_a_slow_first_pass_counts_as_a_sample(monkeypatch):
    # Heavy designs stay interactive: a first pass slower than SLOW_WARMUP_S is kept.
    slow = pipeline.SLOW_WARMUP_S * 2
    durations = iter([slow, slow * 3, slow * 2])
    monkeypatch.setattr(
        pipeline, "run_mode", lambda mode, image, design, **options: Timed(next(durations), "run")
    )
    processor = Processor()
    first, _ = processor.first_pass(
        _still("slow"), Design(modes=("spatial",)), generation=0, frame_key=1, repeats=3
    )
    refined = processor.refine(first, 3)
    assert refined.results["spatial"].total_seconds == slow * 2
