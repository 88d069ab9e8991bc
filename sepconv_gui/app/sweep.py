"""Benchmark sweeps: time every mode while one variable (k, P, C or image size) changes.

Plain Python, no Qt: :mod:`.sweep_spec` says what to sweep, :mod:`.sweep_worker` runs
:func:`run_sweep` in a thread, tests and notebooks call it directly, and :mod:`.sweep_report`
turns the result into files.

Timing protocol: the one of :mod:`sepconv_gui.bench.protocol`, shared with ``sepconv-bench``
(the bench layer sits below app). Per point: one untimed warm-up run of every mode (first-call
costs such as FFT plans and thread pools; it also reports what ran), then ``repeats`` timed
runs of the default engine call per mode, the modes interleaved in passes; the median is kept
with p25/p75, the median of each engine stage, the thread settings and the load average. A
cancel request is honoured before every run, so a cancelled sweep keeps the points it
finished and drops only the one it was measuring.

Examples
--------
>>> spec = SweepSpec(values=(3, 5), width=32, height=24, outputs=4, repeats=1)
>>> result = run_sweep(spec, machine={})
>>> result.status, [point.value for point in result.points]
('complete', [3, 5])
>>> float(result.points[0].theoretical_ratio("depthwise")) == float(mobilenet_ratio(4, 3))
True
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import numpy as np

from .. import engine
from ..bench.protocol import time_contenders
from ..engine import conv_cost
from .sweep_spec import (  # noqa: F401 - the spec's names stay importable from here
    DEFAULT_RANGES,
    MAX_OUTPUT_VALUES,
    MAX_POINTS,
    MAX_REPEATS,
    MAX_SIDE,
    VARIABLES,
    PointConfig,
    SweepSpec,
    as_range,
    value_range,
)


@dataclass
class ModeTiming:
    """One mode at one point. Times are in seconds."""

    mode: str
    algorithm: str
    seconds: float
    times: list[float]
    stages: dict[str, float]
    multiplications: int
    #: The shared protocol's summary: p25/p75, thread settings, load average, busy warning.
    protocol: dict[str, Any] = field(default_factory=dict)


@dataclass
class SweepPoint:
    """Every mode's timing at one sweep value, and what normal conv multiplies there."""

    index: int
    value: int
    config: PointConfig
    normal_multiplications: int
    modes: dict[str, ModeTiming] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the whole point, warm-ups included

    #: Spatial-separable's like-for-like reference: the same per-channel k×k filter, timed
    #: with the modes (None when spatial did not run).
    reference: ModeTiming | None = None

    def reference_multiplications(self, mode: str) -> int:
        """What the operation ``mode`` replaces multiplies: for spatial-separable the same
        per-channel k×k filter (k²·C per pixel), for the others normal conv (k²·C·P)."""
        if mode == "spatial":
            c = self.config
            return c.height * c.width * c.channels * c.k * c.k
        return self.normal_multiplications

    def reference_for(self, mode: str) -> ModeTiming | None:
        """The timing ``mode`` is compared with (see :meth:`reference_multiplications`)."""
        if mode == "spatial" and self.reference is not None:
            return self.reference
        return self.modes.get("normal")

    def theoretical_ratio(self, mode: str) -> Fraction:
        """Multiplications of ``mode`` over those of the operation it replaces, exactly."""
        return Fraction(self.modes[mode].multiplications, self.reference_multiplications(mode))

    def measured_ratio(self, mode: str) -> float | None:
        """Median time of ``mode`` over that of the operation it replaces (None when that
        did not run): spatial-separable against the per-channel k×k filter, others normal."""
        reference = self.reference_for(mode)
        if reference is None or reference.seconds <= 0:
            return None
        if mode == "spatial" and reference.mode == "normal":
            return None  # not like for like: a P-output bank is another job
        return self.modes[mode].seconds / reference.seconds


def mobilenet_ratio(outputs: int, k: int) -> Fraction:
    """Depthwise-separable over normal cost, ``1/P + 1/k²`` (MobileNet section 3.1, M = 1)."""
    return Fraction(1, outputs) + Fraction(1, k * k)


@dataclass
class SweepResult:
    """A sweep's points in order; ``status`` is "running", "complete", "cancelled" or "failed"."""

    spec: SweepSpec
    machine: dict[str, Any]
    points: list[SweepPoint] = field(default_factory=list)
    status: str = "running"
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def _inputs(config: PointConfig, seed: int) -> dict[str, np.ndarray]:
    """Random float32 data; weights scaled so outputs stay near the image's range.

    Random depthwise kernels are never rank 1, so the engine runs them as 2-D filters and
    the depthwise-separable count is exactly MobileNet's.
    """
    c, p, k = config.channels, config.outputs, config.k
    rng = np.random.default_rng([seed, config.height, config.width, c, p, k])
    return {
        "image": rng.random((config.height, config.width, c), dtype=np.float32),
        "weights": (rng.standard_normal((p, c, k, k)) / math.sqrt(c * k * k)).astype(np.float32),
        "column": (rng.standard_normal(k) / math.sqrt(k)).astype(np.float32),
        "row": (rng.standard_normal(k) / math.sqrt(k)).astype(np.float32),
        "depthwise": (rng.standard_normal((c, k, k)) / k).astype(np.float32),
        "pointwise": (rng.standard_normal((p, c)) / math.sqrt(c)).astype(np.float32),
    }


#: The contender name of spatial-separable's reference in the timing protocol.
REFERENCE = "per-channel k×k"


def _reference_runner(data: dict[str, np.ndarray]) -> Callable[[], Any]:
    """The job spatial-separable replaces: every channel through the full k×k filter
    (outer(column, row)), one OpenCV filter2D over all channels, the engine's default
    border; the spatial mode runs the same factors through OpenCV's sepFilter2D."""
    from ..engine.filtering import filter_into

    kernel = np.outer(data["column"], data["row"]).astype(np.float32)
    anchor = (kernel.shape[0] // 2, kernel.shape[1] // 2)
    image = data["image"]
    return lambda: filter_into(image, kernel, anchor, "reflect101", np.empty_like(image))


def _runner(mode: str, data: dict[str, np.ndarray], algorithm: str) -> Callable[[], Any]:
    if mode == "normal":
        return lambda: engine.normal_conv(data["image"], data["weights"], algorithm=algorithm)
    if mode == "spatial":
        return lambda: engine.spatial_separable_conv(data["image"], data["column"], data["row"])
    return lambda: engine.depthwise_separable_conv(
        data["image"], data["depthwise"], data["pointwise"]
    )


def measure_point(
    spec: SweepSpec, index: int, should_stop: Callable[[], bool] = lambda: False
) -> SweepPoint | None:
    """Warm up and time every mode of point ``index``; None if ``should_stop`` said so."""
    start = time.perf_counter()
    c = spec.points()[index]
    normal = conv_cost("normal", c.height, c.width, c.channels, c.outputs, c.k, c.k)
    point = SweepPoint(index, spec.values[index], c, normal.multiplications)
    data = _inputs(c, spec.seed)
    runners = {mode: _runner(mode, data, spec.algorithm) for mode in spec.modes}
    probes = {}
    for mode, run in runners.items():
        if should_stop():
            return None
        # The warm-up of the shared protocol, kept for what ran and what it cost.
        warm = run()
        probes[mode] = (warm.algorithm, warm.cost.multiplications)
        del warm
    stages: dict[str, dict[str, list[float]]] = {mode: {} for mode in spec.modes}
    if "spatial" in runners:
        runners[REFERENCE] = _reference_runner(data)
        if should_stop():
            return None
        runners[REFERENCE]()  # warm-up, as the modes had theirs

    def keep(mode: str, result: Any) -> None:
        for name, seconds in getattr(result, "timings", {}).items():
            stages.setdefault(mode, {}).setdefault(name, []).append(seconds)

    timings = time_contenders(
        runners,
        repeats=spec.repeats,
        warmup=0,
        passes=min(3, spec.repeats),
        handover=False,
        should_stop=should_stop,
        keep=keep,
    )
    if timings is None:
        return None
    reference = timings.pop(REFERENCE, None)
    if reference is not None:
        point.reference = ModeTiming(
            REFERENCE,
            "filter2d",
            reference.median_s,
            [t * 1e-9 for t in reference.samples_ns],
            {},
            point.reference_multiplications("spatial"),
            reference.summary(),
        )
    for mode, timing in timings.items():
        algorithm, multiplications = probes[mode]
        point.modes[mode] = ModeTiming(
            mode,
            algorithm,
            timing.median_s,
            [t * 1e-9 for t in timing.samples_ns],
            {name: statistics.median(values) for name, values in stages[mode].items()},
            multiplications,
            timing.summary(),
        )
    point.seconds = time.perf_counter() - start
    return point


def point_work(spec: SweepSpec, config: PointConfig) -> int:
    """Multiplications one point runs in all (warm-ups included), for the ETA.

    Plus one "multiplication" per pixel and channel touched, so tiny kernels still count.
    """
    c = config
    per_run = sum(
        conv_cost(mode, c.height, c.width, c.channels, c.outputs, c.k, c.k).multiplications
        + c.height * c.width * (c.channels + c.outputs)
        for mode in spec.modes
    )
    return per_run * (spec.repeats + 1)


def eta_seconds(spec: SweepSpec, point_seconds: list[float]) -> float | None:
    """Seconds left once ``len(point_seconds)`` points are done; None before the first.

    Later points usually cost more (a larger k, P, C or image), so the estimate scales the
    work left by the speed of the latest points rather than by their median duration.
    """
    done = len(point_seconds)
    if not done:
        return None
    configs = spec.points()
    recent = range(max(0, done - 2), done)
    rate = sum(point_seconds[i] for i in recent) / sum(point_work(spec, configs[i]) for i in recent)
    return rate * sum(point_work(spec, config) for config in configs[done:])


def run_sweep(
    spec: SweepSpec,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_point: Callable[[SweepPoint], None] = lambda point: None,
    machine: dict[str, Any] | None = None,
) -> SweepResult:
    """Measure every point in order; stops early (status "cancelled") when asked to.

    ``machine`` defaults to :func:`.sweep_report.describe_machine`.
    """
    if machine is None:
        from .sweep_report import describe_machine

        machine = describe_machine()
    result = SweepResult(spec, machine)
    for index in range(len(spec.values)):
        point = measure_point(spec, index, should_stop)
        if point is None:
            result.status = "cancelled"
            return result
        result.points.append(point)
        on_point(point)
    result.status = "complete"
    return result


# --- what the plots show --------------------------------------------------------------------
@dataclass
class PlotSeries:
    """Everything the benchmark plots draw, aligned with ``x``; NaN where there is no value.

    ``ms`` is each mode's measured median time. ``scaled`` is each mode's multiplication
    count times the reference mode's median time per multiplication: the normalized
    theoretical overlay, in ms. ``theory`` (from the engine's multiplication counts),
    ``mobilenet`` (``1/P + 1/k²``) and ``measured`` are mode over normal cost ratios, or
    speed-ups (normal over mode) when asked for.
    """

    x: list[int]
    ms: dict[str, list[float]]
    scaled: dict[str, list[float]]
    reference: str
    theory: dict[str, list[float]]
    mobilenet: list[float]
    measured: dict[str, list[float]]


def plot_series(result: SweepResult, speedup: bool = False) -> PlotSeries:
    """The curves of ``result``'s points (any number, also none)."""
    points, modes = result.points, result.spec.modes
    reference = "normal" if "normal" in modes else modes[0]
    per_multiplication = [
        p.modes[reference].seconds / p.modes[reference].multiplications for p in points
    ]
    scale = statistics.median(per_multiplication) if points else math.nan

    def shown(ratio: float | Fraction | None) -> float:
        if ratio is None or ratio <= 0:
            return math.nan
        return float(1 / ratio if speedup else ratio)

    separable = [m for m in modes if m != "normal"]
    return PlotSeries(
        x=[p.value for p in points],
        ms={m: [p.modes[m].seconds * 1e3 for p in points] for m in modes},
        scaled={m: [p.modes[m].multiplications * scale * 1e3 for p in points] for m in modes},
        reference=reference,
        theory={m: [shown(p.theoretical_ratio(m)) for p in points] for m in separable},
        mobilenet=[shown(mobilenet_ratio(p.config.outputs, p.config.k)) for p in points],
        measured={m: [shown(p.measured_ratio(m)) for p in points] for m in separable},
    )
