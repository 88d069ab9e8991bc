"""Frames in, results out, whatever the engine or the allocator does: the pipeline's core.

Plain Python, no Qt: the processing thread and the controller's synchronous mode share one
:class:`Processor`, so both survive the same failures in the same way.

A still image is shown after one pass through the enabled modes; its timings are refined
afterwards (:meth:`Processor.refine`) and only modes whose inputs changed are run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
import time

import numpy as np

from .. import engine
from ..engine import ConvResult, ResourceError
from . import pipeline
from .pipeline import SLOW_WARMUP_S, FrameResult, prepare_input
from .design_checks import FrozenArray
from .state import Design, DesignError

#: Design fields each mode does not read (see ``pipeline.run_mode``). A field missing here
#: counts as an input, so a field added later can only cause a needless recompute.
IGNORED_FIELDS = {
    "normal": {"spatial_rank", "modes"},
    "spatial": {
        "multiplier",
        "out_channels",
        "pointwise",
        "pointwise_seed",
        "pointwise_custom",
        "algorithm",
        "modes",
    },
    "depthwise": {"spatial_rank", "algorithm", "modes"},
}
LOWER = "lower P, M, k or the image size"


def never() -> bool:
    return False


class ModeFailed(Exception):
    """A mode raised; ``error`` is what it raised."""

    def __init__(self, mode: str, error: BaseException) -> None:
        super().__init__(f"{mode}: {error}")
        self.mode, self.error = mode, error


class Abandoned(Exception):
    """A newer job made this one pointless (or the thread is stopping)."""


def mode_key(mode: str, design: Design) -> tuple:
    ignored = IGNORED_FIELDS.get(mode, set())
    return tuple(
        (f.name, _keyed(getattr(design, f.name))) for f in fields(design) if f.name not in ignored
    )


def _keyed(value):
    # A FrozenArray's repr shows only its shape: it is compared by content instead, or an
    # edited per-channel kernel or pointwise weight would reuse the old result.
    return value if isinstance(value, FrozenArray) else repr(value)


def _gb(count: int) -> str:
    gb = count / 1e9
    return f"{gb:.1f}" if gb >= 1 else f"{gb:.2f}"


def _design_summary(design: Design, shape: tuple[int, ...]) -> str:
    kh, kw = np.shape(design.kernel)
    h, w = shape[:2]
    return f"{w}×{h} image, P={design.out_channels}, M={design.multiplier}, k={kh}×{kw}"


def describe_failure(mode: str, error: BaseException, design: Design, shape) -> str:
    """One message for the user: what failed, for which mode, what to change."""
    if isinstance(error, ResourceError):
        if error.needed_bytes and error.budget_bytes:
            return (
                f"The {mode} mode needs {_gb(error.needed_bytes)} GB, allowed "
                f"{_gb(error.budget_bytes)} GB; {LOWER}."
            )
        return f"The {mode} mode was refused: {error}"
    if isinstance(error, MemoryError):
        return f"The {mode} mode ran out of memory ({_design_summary(design, shape)}); {LOWER}."
    if isinstance(error, (ValueError, TypeError)):
        return f"The {mode} mode refused this design: {error}"
    detail = f"{error_name(error)}: {_one_line(error)}"
    return f"The {mode} mode failed ({detail}); try another algorithm, or {LOWER}."


def error_name(error: BaseException) -> str:
    """``RuntimeError``, ``cv2.error``: the name a user could search for."""
    kind = type(error)
    module = kind.__module__.split(".")[0]
    return kind.__name__ if module == "builtins" else f"{module}.{kind.__name__}"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def _estimate_bytes(mode: str, design: Design, shape: tuple[int, int, int]) -> int:
    """The engine's prediction of the call's peak bytes; 0 when it cannot say."""
    h, w, c = shape
    kh, kw = np.shape(design.kernel)
    grid = {"stride": design.stride, "dilation": design.dilation}
    if design.stride == design.dilation == (1, 1):
        grid = {}  # the usual paths: nothing to add
    try:
        return int(
            engine.estimate_memory(
                mode,
                h,
                w,
                c,
                design.out_channels,
                kh,
                kw,
                design.multiplier,
                design.spatial_rank or min(kh, kw),  # at most the kernel's rank
                algorithm=design.algorithm,
                border=design.border,
                **grid,
            )
        )
    except Exception:  # an estimate that cannot be had must not block a design
        return 0


def preflight(design: Design, shape: tuple[int, ...] | None) -> str | None:
    """Why ``design`` cannot run on an image of ``shape`` (H, W, C), or None if it may.

    Cheap checks only, on the GUI thread: the kernel must fit the image, a custom pointwise
    matrix must match, and the engine's memory estimate (when it has one) must fit.
    """
    if shape is None:
        return None
    h, w = shape[:2]
    channels = shape[2] if len(shape) > 2 else 1
    if design.grayscale and channels == 3:  # as pipeline.prepare_input does
        channels = 1
    if design.channels:  # synthesized channels, or a model layer's own input
        channels = design.channels
    kh, kw = np.shape(design.kernel)
    if kh > h or kw > w:
        return (
            f"The kernel {kh}×{kw} is larger than the image {h}×{w}; use a smaller kernel "
            "or a larger image."
        )
    try:
        design.pointwise_weights(channels)
    except DesignError as error:
        return f"This design cannot run: {error}"
    allowed = engine.memory_budget()
    for mode in design.modes:
        needed = _estimate_bytes(mode, design, (h, w, channels))
        if needed > allowed:
            return f"The {mode} mode needs {_gb(needed)} GB, allowed {_gb(allowed)} GB; {LOWER}."
    return None


def _median_run(runs: list[ConvResult]) -> ConvResult:
    return sorted(runs, key=lambda run: run.total_seconds)[len(runs) // 2]


class Processor:
    """Runs designs on frames; never raises for what a run does.

    A design that fails is reported once per generation (``first_pass`` returns the message)
    and the frame is run with the last design that worked instead, so the picture goes on.
    """

    def __init__(self) -> None:
        self.last_good: Design | None = None
        self._reported = -1
        self._cache: dict[str, tuple[tuple, ConvResult]] = {}
        # The weights of the newest design, by identity: live frames of one design share
        # them instead of rebuilding banks and factor SVDs every frame.
        self._weights: tuple[Design | None, int, dict[str, tuple]] = (None, 0, {})

    def forget(self) -> None:
        """Drop reusable mode results (their frame is gone)."""
        self._cache.clear()

    def first_pass(
        self,
        image: np.ndarray,
        design: Design,
        *,
        generation: int,
        frame_index: int = 0,
        frame_key: object = None,
        captured_at: float | None = None,
        repeats: int = 1,
        keep_stages: bool = True,
        should_stop: Callable[[], bool] = never,
    ) -> tuple[FrameResult | None, str | None]:
        """Each enabled mode once (or reused): the result to show now, and a message for the
        user if the design failed. ``frame_key`` names a still whose mode results may be
        reused by later designs; None for live frames. A None result means nothing to show.
        ``keep_stages`` False leaves out the intermediate arrays (nobody shows them).
        """
        start = time.perf_counter()
        message = None
        try:
            result = self._once(image, design, frame_key, keep_stages, should_stop)
        except Abandoned:
            return None, None
        except ModeFailed as failure:
            if generation != self._reported:
                self._reported = generation
                shape = np.shape(image)
                message = describe_failure(failure.mode, failure.error, design, shape)
            fallback = self.last_good
            if fallback is None or fallback == design:
                return None, message
            try:
                result = self._once(image, fallback, frame_key, keep_stages, should_stop)
            except (Abandoned, ModeFailed):  # e.g. the last good kernel no longer fits
                return None, message
        else:
            self.last_good = design
        result.frame_index, result.generation = frame_index, generation
        result.captured_at = start if captured_at is None else captured_at
        result.final = repeats <= 1 or not to_refine(result)
        result.finished_at = time.perf_counter()
        result.seconds = result.finished_at - start
        return result, message

    def _weights_of(self, mode: str, design: Design, channels: int) -> tuple:
        known, known_channels, weights = self._weights
        if known is not design or known_channels != channels:
            weights = {}
            self._weights = (design, channels, weights)
        if mode not in weights:
            weights[mode] = pipeline.mode_weights(mode, design, channels)
        return weights[mode]

    def _once(self, image, design: Design, frame_key, keep_stages, should_stop) -> FrameResult:
        data = prepare_input(image, design)
        result = FrameResult(0, 0, data, design=design)
        fresh = []
        for mode in design.modes:
            if should_stop():
                raise Abandoned
            # Live frames (no frame_key) reuse nothing: skip the key, a walk over every
            # design field that cost as much GIL time per frame as the normal mode's calls.
            key = None if frame_key is None else (frame_key, mode_key(mode, design))
            cached = self._cache.get(mode)
            if key is not None and cached is not None and cached[0] == key:
                result.results[mode] = cached[1]
                continue
            try:
                weights = self._weights_of(mode, design, data.shape[2])
                result.results[mode] = pipeline.run_mode(
                    mode, data, design, keep_stages=keep_stages, weights=weights
                )
            except Exception as error:
                raise ModeFailed(mode, error) from error
            fresh.append(mode)
            if key is not None:
                self._cache[mode] = (key, result.results[mode])
        result.fresh = tuple(fresh)
        return result

    def refine(
        self, first: FrameResult, repeats: int, should_stop: Callable[[], bool] = never
    ) -> FrameResult | None:
        """``first`` with the median of ``repeats`` timed runs, with stages, for each mode of
        :func:`to_refine`; None if stopped, or if a run failed (the first pass stays on screen).

        The first pass is the warm-up (fresh buffers fault in page by page: a first run at a
        new size measured 5x its later runs) unless it was slower than SLOW_WARMUP_S; the
        modes take turns so a burst of load from elsewhere hits them alike.
        """
        design, modes = first.design, to_refine(first)
        if first.final or design is None or not modes:
            return None
        samples = {m: [first.results[m]] if counts_as_run(first, m) else [] for m in modes}
        try:
            for _ in range(repeats):
                for mode in modes:
                    if len(samples[mode]) >= repeats:
                        continue
                    if should_stop():
                        return None
                    weights = self._weights_of(mode, design, first.image.shape[2])
                    run = pipeline.run_mode(mode, first.image, design, weights=weights)
                    samples[mode].append(run)
        except Exception:
            return None
        refined = replace(first, results=dict(first.results), final=True)
        for mode, runs in samples.items():
            refined.results[mode] = _median_run(runs)
            cached = self._cache.get(mode)
            if cached is not None and cached[1] is first.results[mode]:
                self._cache[mode] = (cached[0], refined.results[mode])
        refined.finished_at = time.perf_counter()
        return refined


def slow(run: ConvResult) -> bool:
    return run.total_seconds > SLOW_WARMUP_S


def lacks_stages(run: ConvResult) -> bool:
    """True when ``run`` was made without the intermediate stages it has."""
    return bool(set(run.cost.stages) - set(run.stages))


def to_refine(first: FrameResult) -> tuple[str, ...]:
    """Modes a still's refinement runs: the fresh ones (for their timing medians), and any
    reused without stages (a first pass skips them unless a view shows them; the result a
    still ends with has every stage, for the Stages dock and export)."""
    return tuple(
        mode for mode, run in first.results.items() if mode in first.fresh or lacks_stages(run)
    )


def counts_as_run(first: FrameResult, mode: str) -> bool:
    """A slow first pass is one of the timed runs, if it kept its stages (the run kept as the
    median must have them)."""
    run = first.results[mode]
    return mode in first.fresh and slow(run) and not lacks_stages(run)
