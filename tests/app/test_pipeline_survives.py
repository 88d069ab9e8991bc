"""Processing cannot die: whatever a job raises, a later valid design still produces results."""

import zlib

import cv2
import numpy as np
import pytest

from sepconv_gui.app import controller as controller_module
from sepconv_gui.app import pipeline
from sepconv_gui.app.controller import Controller
from sepconv_gui.app.processing import describe_failure, preflight
from sepconv_gui.app.state import Design
from sepconv_gui.engine import ResourceError

POISON_P = 7  # a design with this many outputs makes the patched normal mode raise


def _image(name: str, shape=(32, 40, 3)) -> np.ndarray:
    return np.random.default_rng(zlib.crc32(name.encode())).random(shape).astype(np.float32)


def _cv2_error():
    try:
        cv2.merge([np.zeros((2, 2), np.float32)] * 600)  # beyond OpenCV's channel limit
    except cv2.error as error:
        return error
    return cv2.error("OpenCV refused")


TRIGGERS = {
    "cv2.error": (_cv2_error, "cv2.error"),
    "RuntimeError": (lambda: RuntimeError("engine bug"), "RuntimeError: engine bug"),
    "MemoryError": (lambda: MemoryError(), "ran out of memory"),
    "ResourceError": (
        lambda: ResourceError("too big", needed_bytes=12 * 10**9, budget_bytes=4 * 10**9),
        "needs 12.0 GB, allowed 4.0 GB; lower P, M, k or the image size",
    ),
}


@pytest.fixture
def poisoned(monkeypatch):
    """Make the normal mode raise ``poisoned.error()`` for designs with P = POISON_P."""
    real = pipeline.normal_conv

    class Poison:
        error = staticmethod(lambda: RuntimeError("unset"))

    def normal_conv(image, weights, **options):
        if weights.shape[0] == POISON_P:
            raise Poison.error()
        return real(image, weights, **options)

    monkeypatch.setattr(pipeline, "normal_conv", normal_conv)
    return Poison


@pytest.fixture(params=[False, True], ids=["threaded", "synchronous"])
def controller(request, qtbot):
    c = Controller(Design(), synchronous=request.param)
    yield c
    assert c.shutdown()


def _collect(controller):
    results, errors = [], []
    controller.result_ready.connect(results.append)
    controller.error.connect(errors.append)
    return results, errors


def _current(controller, results):
    return bool(results) and results[-1].generation == controller.generation


def _runs_again(qtbot, controller, results, outputs: int = 5) -> None:
    """A valid design after the failure produces a result made with that design."""
    good = Design(out_channels=outputs, pointwise="random")
    assert controller.set_design(good)
    qtbot.waitUntil(lambda: _current(controller, results) and results[-1].final, timeout=10000)
    assert results[-1].design == good
    assert results[-1].results["normal"].output.shape[2] == outputs
    assert controller._processing.isRunning()


@pytest.mark.parametrize("trigger", list(TRIGGERS))
def test_any_engine_error_is_reported_once_and_processing_goes_on(
    qtbot, controller, poisoned, trigger
):
    make, wording = TRIGGERS[trigger]
    poisoned.error = staticmethod(make)
    results, errors = _collect(controller)
    controller.show_image(_image(trigger), "still")
    qtbot.waitUntil(lambda: _current(controller, results), timeout=10000)
    controller.set_design(Design(out_channels=POISON_P, pointwise="random"))
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert "normal mode" in errors[0] and wording in errors[0]
    _runs_again(qtbot, controller, results)
    assert len(errors) == 1  # once per design, not once per run
    assert controller.restarts == 0


def test_a_failing_design_on_a_live_source_is_reported_once(qtbot, poisoned):
    from sepconv_gui.io.sources import PatternSource

    poisoned.error = staticmethod(lambda: RuntimeError("engine bug"))
    controller = Controller(Design())
    results, errors = _collect(controller)
    try:
        controller.start_source(PatternSource(40, 30, fps=200))
        qtbot.waitUntil(lambda: len(results) >= 2, timeout=10000)
        controller.set_design(Design(out_channels=POISON_P, pointwise="random"))
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
        count = len(results)
        # The picture goes on with the last design that worked, and the message is not repeated.
        qtbot.waitUntil(lambda: len(results) >= count + 5, timeout=10000)
        assert all(r.design == Design() for r in results[count:])
        assert errors == [errors[0]] and "RuntimeError: engine bug" in errors[0]
        _runs_again(qtbot, controller, results)
    finally:
        assert controller.shutdown()


@pytest.mark.parametrize("checked", [True, False], ids=["preflight", "engine-only"])
def test_big_kernel_then_tiny_image_then_a_design_change(qtbot, controller, monkeypatch, checked):
    if not checked:  # the processing thread alone must survive it as well
        monkeypatch.setattr(controller_module, "preflight", lambda design, shape: None)
    results, errors = _collect(controller)
    controller.show_image(_image("big", (40, 40, 3)), "big")
    big = Design(kernel=((1.0 / 961,) * 31,) * 31, preset="custom")
    controller.set_design(big)
    qtbot.waitUntil(lambda: _current(controller, results), timeout=10000)
    assert results[-1].design == big
    controller.show_image(_image("tiny", (16, 16, 3)), "tiny")
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert "larger than the image" in errors[-1]
    controller.set_design(big.with_changes(kernel=((1.0,) * 29,) * 29))
    qtbot.waitUntil(lambda: len(errors) >= 2, timeout=10000)
    assert "larger than the image" in errors[1]
    assert all(e.startswith("The ") for e in errors)  # the mode's own message, not a crash
    _runs_again(qtbot, controller, results, outputs=4)
    assert results[-1].image.shape[:2] == (16, 16)


def test_a_design_refused_by_preflight_never_reaches_the_engine(qtbot, monkeypatch):
    ran = []
    real = pipeline.run_mode
    monkeypatch.setattr(
        pipeline, "run_mode", lambda m, i, d, **o: ran.append(d) or real(m, i, d, **o)
    )
    controller = Controller(Design(), synchronous=True)
    try:
        controller.show_image(_image("small", (8, 8, 3)), "small")
        wide = Design(kernel=((1.0,) * 9,), preset="custom")
        assert not controller.set_design(wide)
        assert wide not in ran
        assert controller.design == wide  # the editor's view of the design stays the user's
        assert controller.design_that_ran == Design()
    finally:
        controller.shutdown()


def test_a_stopped_processing_thread_is_replaced(qtbot):
    controller = Controller(Design())
    results, errors = _collect(controller)
    first = list(controller._workers)
    inbox = controller._inbox
    real_take = inbox.take

    breaks = [RuntimeError("the loop itself broke")]  # list.pop: one thread gets it

    def take_breaks_once(timeout=0.1, **options):
        try:
            error = breaks.pop()
        except IndexError:
            return real_take(timeout, **options)
        raise error

    inbox.take = take_breaks_once
    # Whichever processing thread took first broke; it alone is replaced.
    qtbot.waitUntil(lambda: controller._workers != first, timeout=10000)
    assert controller.restarts == 1
    assert sum(new is not old for new, old in zip(controller._workers, first)) == 1
    # The replacement keeps its place's role: stills go to the first thread only.
    assert [w.stills for w in controller._workers] == [w.stills for w in first]
    assert any("Processing stopped" in e and "loop itself broke" in e for e in errors)
    controller.show_image(_image("after restart"), "still")
    _runs_again(qtbot, controller, results)
    assert controller.shutdown()


def test_failure_messages_say_what_to_change():
    design = Design(out_channels=256, multiplier=16, kernel=((1.0,) * 31,) * 31)
    message = describe_failure("depthwise", MemoryError(), design, (1080, 1920, 3))
    assert message == (
        "The depthwise mode ran out of memory (1920×1080 image, P=256, M=16, k=31×31); "
        "lower P, M, k or the image size."
    )
    refused = ResourceError("x", needed_bytes=13_400_000_000, budget_bytes=6_000_000_000)
    assert describe_failure("normal", refused, design, (1080, 1920, 3)) == (
        "The normal mode needs 13.4 GB, allowed 6.0 GB; lower P, M, k or the image size."
    )


def test_preflight_refuses_a_design_over_the_engine_memory_budget(monkeypatch):
    from sepconv_gui import engine

    asked = []

    def estimate_memory(
        mode, height, width, channels, out_channels, kh, kw, multiplier, rank, *, algorithm, border
    ):
        asked.append((mode, height, width, channels, out_channels, kh, kw, multiplier))
        return 10**9 * out_channels

    monkeypatch.setattr(engine, "estimate_memory", estimate_memory)
    monkeypatch.setattr(engine, "memory_budget", lambda: 5 * 10**9)
    assert preflight(Design(out_channels=4, pointwise="random"), (30, 40, 3)) is None
    assert ("normal", 30, 40, 3, 4, 3, 3, 1) in asked
    refused = preflight(Design(out_channels=6, pointwise="random"), (30, 40, 3))
    assert refused == (
        "The normal mode needs 6.0 GB, allowed 5.0 GB; lower P, M, k or the image size."
    )
    assert preflight(Design(), (2, 2, 3)).startswith("The kernel 3×3 is larger than the image")


def test_preflight_with_the_real_estimate(monkeypatch):
    from sepconv_gui import engine

    heavy = Design(out_channels=256, multiplier=16, kernel=((0.1,) * 31,) * 31, preset="custom")
    monkeypatch.setattr(engine, "memory_budget", lambda: 10**8)
    message = preflight(heavy, (1080, 1920, 3))
    assert message.endswith("GB, allowed 0.10 GB; lower P, M, k or the image size.")
    monkeypatch.setattr(engine, "memory_budget", lambda: 10**10)
    assert preflight(Design(), (480, 640, 3)) is None


def test_a_thread_that_keeps_dying_is_not_restarted_for_ever(qtbot):
    from sepconv_gui.app.controller import MAX_RESTARTS

    controller = Controller(Design())
    errors = []
    controller.error.connect(errors.append)

    def take_always_breaks(timeout=0.1):
        raise RuntimeError("broken for good")

    controller._inbox.take = take_always_breaks
    qtbot.waitUntil(lambda: any("keeps stopping" in e for e in errors), timeout=20000)
    assert controller.restarts == MAX_RESTARTS
    assert controller.shutdown()
