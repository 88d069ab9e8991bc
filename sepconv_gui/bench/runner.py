"""Run the grid: time the engine and its peers on the same inputs, check they agree.

Per grid point: one verification run of every contender, whose output is compared with the
reference peer (the hand-written OpenCV code), so a fast wrong answer is flagged instead of
winning; it also tells how many timed runs fit in ``max_seconds``. Then every contender is
timed under the shared protocol of :mod:`.protocol` (warm-up, interleaved passes with
hand-over runs, median with p25/p75, thread settings and load average recorded).

A single-threaded peer whose probe (one 2-D correlation, scaled by how many it needs)
predicts more than ``max_seconds`` is skipped.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import (
    conv_cost,
    depthwise_separable_conv,
    normal_conv,
    spatial_separable_conv,
)
from .machine import wait_until_idle
from .peers import PEERS, Inputs, Peer, Runner, to_hwc
from .protocol import Timing, time_contenders

#: Engine modes a grid can hold: normal conv with each algorithm, then the separable modes.
NORMAL_ALGORITHMS: tuple[str, ...] = ("auto", "direct", "gemm", "kn2row", "fft")
ENGINE_MODES: tuple[str, ...] = NORMAL_ALGORITHMS + ("spatial", "depthwise")

#: Outputs agree when their largest difference is below this fraction of the output's range:
#: float32 FFT and BLAS round-off stay near 1e-6; a wrong answer is off by order 1.
RELATIVE_TOLERANCE = 1e-3

#: Timed runs are spread over this many passes over the contenders.
PASSES = 3


@dataclass
class Settings:
    """What to run. Sizes are ``(width, height, channels)``."""

    sizes: list[tuple[int, int, int]]
    kernels: list[int]
    outputs: list[int]
    modes: list[str]
    repeats: int = 5
    warmup: int = 1
    max_seconds: float = 10.0
    seed: int = 0
    #: Peers to time (None: all). The first peer of each family always runs: it is the
    #: reference every output is checked against.
    peers: list[str] | None = None
    #: Seconds to wait, before each grid point, for other processes to stop using the CPUs.
    wait_idle: float = 0.0


@dataclass
class Measurement:
    """One contender at one grid point."""

    status: str = "ok"  # "ok", "peer not installed", "skipped: ...", "error: ..."
    times_ns: list[int] = field(default_factory=list)
    timing: Timing | None = None
    max_abs_err: float | None = None
    verified: bool | None = None
    estimated_ms: float | None = None
    #: For engine contenders: what the verification run reported (algorithm, cost, outputs).
    engine: dict[str, Any] = field(default_factory=dict)

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ns) / 1e6 if self.times_ns else None

    def as_dict(self) -> dict[str, Any]:
        summary = self.timing.summary() if self.timing is not None else {}
        return {
            "status": self.status,
            "median_ms": self.median_ms,
            "p25_ms": summary.get("p25_ms"),
            "p75_ms": summary.get("p75_ms"),
            "times_ms": [t / 1e6 for t in self.times_ns],
            "max_abs_err": self.max_abs_err,
            "verified": self.verified,
            "estimated_ms": self.estimated_ms,
        }


def _family(mode: str) -> str:
    return "normal" if mode in NORMAL_ALGORITHMS else mode


def make_inputs(family: str, size: tuple[int, int, int], k: int, p: int, seed: int) -> Inputs:
    """Random data for one grid point; weights scaled so outputs stay near the image's range."""
    width, height, channels = size
    rng = np.random.default_rng([seed, width, height, channels, k, p])
    image = rng.random((height, width, channels), dtype=np.float32)
    inputs = Inputs(image)
    if family == "normal":
        scale = 1.0 / np.sqrt(channels * k * k)
        inputs.weights = (rng.standard_normal((p, channels, k, k)) * scale).astype(np.float32)
    elif family == "spatial":
        inputs.column = (rng.standard_normal(k) / np.sqrt(k)).astype(np.float32)
        inputs.row = (rng.standard_normal(k) / np.sqrt(k)).astype(np.float32)
    else:
        inputs.depthwise = (rng.standard_normal((channels, k, k)) / k).astype(np.float32)
        pointwise = rng.standard_normal((p, channels)) / np.sqrt(channels)
        inputs.pointwise = pointwise.astype(np.float32)
    return inputs


def _engine_runner(mode: str, inputs: Inputs) -> Runner:
    if mode in NORMAL_ALGORITHMS:
        return lambda: normal_conv(inputs.image, inputs.weights, algorithm=mode)
    if mode == "spatial":
        return lambda: spatial_separable_conv(inputs.image, inputs.column, inputs.row)
    return lambda: depthwise_separable_conv(inputs.image, inputs.depthwise, inputs.pointwise)


def _per_channel_normal(inputs: Inputs) -> Runner:
    """The spatial mode's job done as a normal conv: the full k x k kernel on every channel."""
    kernel = np.outer(inputs.column, inputs.row)[np.newaxis, np.newaxis]
    planes = [inputs.image[:, :, c] for c in range(inputs.image.shape[2])]
    return lambda: [normal_conv(plane, kernel) for plane in planes]


def _timed(run: Runner) -> tuple[Any, int]:
    start = time.perf_counter_ns()
    output = run()
    return output, time.perf_counter_ns() - start


def _compare(output: Any, reference: np.ndarray, measurement: Measurement) -> None:
    if hasattr(output, "output"):  # a ConvResult
        measurement.engine = {
            "algorithm": output.algorithm,
            "flops": output.cost.flops,
            "multiplications": output.cost.multiplications,
            "outputs": output.output.shape[2],
        }
        output = output.output
    if isinstance(output, list):  # per-channel hidden contender: not compared
        return
    array = to_hwc(output)
    if array.shape != reference.shape:
        measurement.max_abs_err, measurement.verified = float("inf"), False
        return
    error = float(np.max(np.abs(array - reference)))
    scale = max(float(np.max(np.abs(reference))), 1e-30)
    measurement.max_abs_err = error
    measurement.verified = bool(error <= RELATIVE_TOLERANCE * scale)


def _probe_peer(peer: Peer, inputs: Inputs, max_seconds: float) -> Measurement | None:
    """A 'skipped' measurement if one probe correlation predicts a run over budget."""
    if peer.probe is None:
        return None
    _, elapsed = _timed(peer.probe(inputs))
    estimate = elapsed * peer.work(inputs) / 1e9
    if estimate <= max_seconds:
        return None
    return Measurement(
        status=f"skipped: est. {estimate:.0f} s per run", estimated_ms=estimate * 1e3
    )


def measure_point(
    contenders: dict[str, Runner], reference: np.ndarray, settings: Settings
) -> dict[str, Measurement]:
    """Verify, warm up and time every contender in turn. See the module docstring."""
    results = {name: Measurement() for name in contenders}
    planned: dict[str, int] = {}
    for name, run in contenders.items():
        output, elapsed = _timed(run)
        _compare(output, reference, results[name])
        del output
        affordable = int(settings.max_seconds * 1e9 // max(elapsed, 1))
        planned[name] = max(1, min(settings.repeats, affordable))
    timings = time_contenders(
        contenders,
        repeats=settings.repeats,
        warmup=settings.warmup,
        passes=PASSES,
        planned=planned,
    )
    for name, timing in (timings or {}).items():
        results[name].timing = timing
        results[name].times_ns = list(timing.samples_ns)
    return results


@dataclass
class Point:
    """One (family, size, k, P) grid point."""

    family: str
    size: tuple[int, int, int]
    k: int
    outputs: int


def grid(settings: Settings) -> Iterator[tuple[Point, list[str]]]:
    """Grid points, each with the engine modes to run there (normal ones share a point)."""
    families = ("normal", "spatial", "depthwise")
    for size in settings.sizes:
        for family in families:
            modes = [m for m in settings.modes if _family(m) == family]
            if not modes:
                continue
            for k in settings.kernels:
                # The spatial mode keeps the image's C channels: P does not apply to it.
                outputs = [size[2]] if family == "spatial" else settings.outputs
                for p in outputs:
                    yield Point(family, size, k, p), modes


def _theoretical_speedup(point: Point, multiplications: int) -> float | None:
    width, height, channels = point.size
    if point.family == "normal":
        return None
    if point.family == "spatial":
        one_channel = conv_cost("normal", height, width, 1, 1, point.k, point.k)
        return channels * one_channel.multiplications / multiplications
    normal = conv_cost("normal", height, width, channels, point.outputs, point.k, point.k)
    return normal.multiplications / multiplications


def run_point(
    point: Point,
    modes: list[str],
    settings: Settings,
    normal_ms: dict[tuple, float],
    log: Callable[[str], None] = lambda message: None,
) -> list[dict[str, Any]]:
    """Measure one grid point; one row per engine mode, with every peer's numbers."""
    width, height, channels = point.size
    inputs = make_inputs(point.family, point.size, point.k, point.outputs, settings.seed)
    peers = PEERS[point.family]
    contenders: dict[str, Runner] = {}
    skipped: dict[str, Measurement] = {}
    for position, peer in enumerate(peers):
        if position and settings.peers is not None and peer.name not in settings.peers:
            skipped[peer.name] = Measurement(status="not selected")
            continue
        if not peer.installed():
            skipped[peer.name] = Measurement(status="peer not installed")
            continue
        probe = _probe_peer(peer, inputs, settings.max_seconds)
        if probe is not None:
            skipped[peer.name] = probe
        else:
            contenders[peer.name] = peer.prepare(inputs)
    engine_names = {mode: f"engine:{mode}" for mode in modes}
    for mode, name in engine_names.items():
        contenders[name] = _engine_runner(mode, inputs)
    # The separable rows compare against a normal conv doing the same job.
    normal_key = (point.size, point.k, point.outputs)
    if point.family == "spatial":
        contenders["engine:normal-equivalent"] = _per_channel_normal(inputs)
    elif point.family == "depthwise" and normal_key not in normal_ms:
        normal_inputs = make_inputs("normal", point.size, point.k, point.outputs, settings.seed)
        contenders["engine:normal-equivalent"] = _engine_runner("auto", normal_inputs)

    waited = wait_until_idle(settings.wait_idle) if settings.wait_idle > 0 else 0.0
    reference = to_hwc(contenders[peers[0].name]())
    log(
        f"  {point.family} {width}x{height}x{channels} k={point.k} P={point.outputs}"
        + (f" (waited {waited:.0f} s for an idle machine)" if waited >= 1 else "")
    )
    measured = measure_point(contenders, reference, settings)
    measured.update(skipped)
    del reference

    peer_results = {peer.name: measured[peer.name] for peer in peers}
    usable = {name: m for name, m in peer_results.items() if m.median_ms is not None and m.verified}
    best = min(usable, key=lambda name: usable[name].median_ms) if usable else None
    if point.family == "normal" and "auto" in modes:
        normal_ms[normal_key] = measured[engine_names["auto"]].median_ms
    equivalent = measured.get("engine:normal-equivalent")
    reference_ms = equivalent.median_ms if equivalent is not None else normal_ms.get(normal_key)

    rows = []
    for mode, name in engine_names.items():
        engine = measured[name]
        info, engine_ms = engine.engine, engine.median_ms
        theoretical = _theoretical_speedup(point, info["multiplications"])
        rows.append(
            {
                "mode": mode if point.family != "normal" else f"normal/{mode}",
                "family": point.family,
                "algorithm": info["algorithm"],
                "width": width,
                "height": height,
                "channels": channels,
                "k": point.k,
                "outputs": info["outputs"],
                "engine_ms": engine_ms,
                "engine_p25_ms": engine.as_dict()["p25_ms"],
                "engine_p75_ms": engine.as_dict()["p75_ms"],
                "engine_times_ms": [t / 1e6 for t in engine.times_ns],
                "threads": engine.timing.threads if engine.timing else {},
                "load_before": engine.timing.load_before if engine.timing else None,
                "load_after": engine.timing.load_after if engine.timing else None,
                "busy": engine.timing.busy if engine.timing else None,
                "max_abs_err": engine.max_abs_err,
                "verified": engine.verified,
                "best_peer": best,
                "best_peer_ms": usable[best].median_ms if best else None,
                "ratio": engine_ms / usable[best].median_ms if best and engine.verified else None,
                "flops": info["flops"],
                "gflops": info["flops"] / (engine_ms * 1e6),
                "theoretical_speedup": theoretical,
                "measured_speedup": (
                    reference_ms / engine_ms if theoretical is not None and reference_ms else None
                ),
                "peers": {name: m.as_dict() for name, m in peer_results.items()},
                "waited_for_idle_s": waited,
            }
        )
    return rows


def run_grid(
    settings: Settings, log: Callable[[str], None] = lambda message: None
) -> list[dict[str, Any]]:
    """Every grid point's rows, in grid order."""
    rows: list[dict[str, Any]] = []
    normal_ms: dict[tuple, float] = {}
    for point, modes in grid(settings):
        rows.extend(run_point(point, modes, settings, normal_ms, log))
    return rows
