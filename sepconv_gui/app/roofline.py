"""Why measured time differs from the multiplication count, from measurements. No Qt here.

For every stage of every mode: the multiplications that ran, the bytes it must read and write
(the engine's array sizes: its input, its weights, its output), the measured median time, and
from those the achieved GFLOP/s and GB/s. Set against this machine's measured peaks
(:mod:`sepconv_gui.bench.peaks`) and the fixed cost of one call (the same stage on a tiny
input), they give a one-line verdict:

* **overhead-bound**: a call on a tiny input already takes most of the stage's time;
* **memory-bound**: the stage sits under the sloped part of the roofline (its FLOPs per byte
  are below the machine's ridge) and moves bytes at a good fraction of the measured bandwidth;
* **compute-bound**: it sits under the flat part and reaches a good fraction of the sgemm peak;
* **below both roofs**: it reaches neither; the time goes somewhere else (thread hand-offs,
  a stalled BLAS pool, cache misses, code that is not vectorised). Neither memory nor
  arithmetic is blamed then: the roofline says they cannot explain the time.

FLOPs are two per multiplication (a multiply and an add), as in the sgemm peak's 2·m·n·k.
Bytes are the compulsory traffic, each array touched once: real traffic can only be higher,
so a stage called memory-bound here certainly is.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import numpy as np

from ..bench.peaks import Peaks
from .pipeline import FrameResult, run_mode
from .state import Design

#: A stage within this fraction of its roof is bound by that roof.
NEAR_ROOF = 0.4
#: A fixed per-call cost at least this share of the stage's time makes it overhead-bound.
OVERHEAD_SHARE = 0.5
#: The tiny input's side for the per-call cost: as small as the kernel allows.
TINY_SIDE = 16
TINY_RUNS = 5

STAGES = {
    "normal": ("normal",),
    "spatial": ("vertical", "horizontal"),
    "depthwise": ("depthwise", "pointwise"),
}


@dataclass(frozen=True)
class StageFigures:
    """One stage's work, traffic and measured time."""

    mode: str
    stage: str
    seconds: float  # measured median
    multiplications: float  # what ran (an estimate when OpenCV or the FFT changed the count)
    bytes_read: int
    bytes_written: int
    overhead_s: float | None = None  # the same call on a tiny input
    estimated: bool = False  # multiplications are an estimate (FFT, OpenCV's DFT)

    @property
    def flops(self) -> float:
        return 2.0 * self.multiplications

    @property
    def bytes(self) -> int:
        return self.bytes_read + self.bytes_written

    @property
    def intensity(self) -> float:
        """FLOPs per byte moved: the x coordinate on the roofline."""
        return self.flops / self.bytes if self.bytes else float("inf")

    @property
    def gflops(self) -> float:
        return self.flops / self.seconds / 1e9 if self.seconds > 0 else float("nan")

    @property
    def gbs(self) -> float:
        return self.bytes / self.seconds / 1e9 if self.seconds > 0 else float("nan")


@dataclass(frozen=True)
class Verdict:
    kind: str  # "compute", "memory", "overhead", "below", "unknown"
    text: str
    figure: str = ""  # the deciding number, for a table cell: "81 % of peak GB/s"

    @property
    def short(self) -> str:
        return f"{self.label} ({self.figure})" if self.figure else self.label

    @property
    def label(self) -> str:
        return {
            "compute": "compute-bound",
            "memory": "memory-bound",
            "overhead": "overhead-bound",
            "below": "below both roofs",
        }.get(self.kind, "not measured")


def ms(seconds: float) -> str:
    value = 1e3 * seconds
    return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"


def verdict(f: StageFigures, peaks: Peaks | None) -> Verdict:
    """What limits stage ``f`` on a machine with ``peaks``, in one short line with numbers."""
    if not (f.seconds > 0) or peaks is None:
        return Verdict("unknown", "no peaks measured yet" if peaks is None else "no time yet")
    if f.overhead_s is not None and f.overhead_s >= OVERHEAD_SHARE * f.seconds:
        return Verdict(
            "overhead",
            f"each call costs ~{ms(f.overhead_s)} before any arithmetic "
            f"(a {TINY_SIDE}×{TINY_SIDE} input); this stage took {ms(f.seconds)}",
            f"~{ms(f.overhead_s)} per call",
        )
    compute_time = f.flops / (peaks.gflops * 1e9)
    memory_time = f.bytes / (peaks.gbs * 1e9)
    roof_share = max(compute_time, memory_time) / f.seconds
    of_compute = f.gflops / peaks.gflops
    of_memory = f.gbs / peaks.gbs
    if roof_share >= NEAR_ROOF:
        if memory_time >= compute_time:
            note = "; fits in cache" if of_memory > 1 else ""
            return Verdict(
                "memory",
                f"{f.gbs:.1f} of {peaks.gbs:.1f} GB/s ({100 * of_memory:.0f} %{note}) at "
                f"{f.intensity:.2g} FLOP/byte, below the ridge at {peaks.ridge:.2g}",
                f"{100 * of_memory:.0f} % of peak GB/s",
            )
        note = "; above the measured peak: measure the peaks again" if of_compute > 1.1 else ""
        return Verdict(
            "compute",
            f"{f.gflops:.1f} of {peaks.gflops:.0f} GFLOP/s ({100 * of_compute:.0f} %{note}) "
            f"at {f.intensity:.2g} FLOP/byte",
            f"{100 * of_compute:.0f} % of peak GFLOP/s",
        )
    return Verdict(
        "below",
        f"{100 * of_compute:.0f} % of the compute peak, {100 * of_memory:.0f} % of the memory "
        "peak: neither explains the time (thread hand-offs, stalls, cache misses)",
        f"{100 * of_compute:.0f} % / {100 * of_memory:.0f} % of peaks",
    )


# ---------------------------------------------------------------- from the app's results


#: The one stage a spatial-separable call reports when it ran both passes fused (live
#: frames keep no intermediate arrays unless the Stages dock shows them).
FUSED = "both passes"


def stage_names(mode: str, timings: dict[str, float]) -> tuple[str, ...]:
    """The stages ``mode`` reported: its passes, or both passes fused into one call."""
    if mode == "spatial" and "vertical" not in timings and "spatial" in timings:
        return (FUSED,)
    return STAGES.get(mode, ())


def stage_figures(
    result: FrameResult,
    seconds: dict[str, float],
    *,
    ran: dict[str, float] | None = None,
    overheads: dict[str, float] | None = None,
    intermediate: dict[str, int] | None = None,
) -> list[StageFigures]:
    """Figures for every stage that ran in ``result``.

    ``seconds`` maps "mode.stage" to the measured median; ``ran`` overrides the engine's
    count with an estimate of what ran ("normal.normal" after an FFT); ``overheads`` maps
    "mode.stage" to the tiny-input time; ``intermediate`` gives the values per pixel a first
    stage writes ("spatial.vertical": C·r, "depthwise.depthwise": C·M) for a result that did
    not keep its intermediate arrays.
    """
    ran, overheads, intermediate = ran or {}, overheads or {}, intermediate or {}
    height, width = result.image.shape[:2]
    figures = []
    for mode, conv in result.results.items():
        previous = result.image.nbytes
        names = stage_names(mode, conv.timings)
        for index, stage in enumerate(names):
            key = f"{mode}.{stage}"
            if stage == FUSED:
                multiplications = conv.cost.multiplications
                parameters = conv.cost.parameters
                measured = conv.timings["spatial"]
            elif (cost := conv.cost.stages.get(stage)) is not None:
                multiplications, parameters = cost.multiplications, cost.parameters
                measured = conv.timings.get(stage, float("nan"))
            else:
                continue
            array = conv.stages.get(stage)
            if index == len(names) - 1:
                written = conv.output.nbytes
            elif array is not None:
                written = array.nbytes
            elif key in intermediate:
                written = height * width * intermediate[key] * conv.output.itemsize
            else:
                continue  # an unknown intermediate size: no honest byte count
            figures.append(
                StageFigures(
                    mode,
                    stage,
                    seconds.get(key, measured),
                    ran.get(key, multiplications),
                    previous + parameters * 4,
                    written,
                    overheads.get(key),
                    estimated=key in ran,
                )
            )
            previous = written
    return figures


def tiny_design(design: Design, algorithm: str | None) -> Design:
    """The design with normal's algorithm pinned to what ran at full size."""
    if algorithm in ("direct", "gemm", "kn2row", "fft") and design.algorithm != algorithm:
        return design.with_changes(algorithm=algorithm)
    return design


def call_overheads(
    design: Design, channels: int, algorithms: dict[str, str] | None = None
) -> dict[str, float]:
    """The median time of each stage on a tiny input: what a call costs before arithmetic.

    ``algorithms`` pins normal's algorithm to the one the full-size run used (an "auto"
    design would pick another for a tiny input).
    """
    kh, kw = design.kernel_array().shape
    side = max(TINY_SIDE, kh, kw)
    image = np.zeros((side, side, channels), np.float32)
    pinned = tiny_design(design, (algorithms or {}).get("normal"))
    samples: dict[str, list[float]] = {}
    # Spatial twice: per pass (stages kept) and fused (live frames without the Stages dock).
    runs = [(mode, True) for mode in pinned.modes]
    runs += [("spatial", False)] if "spatial" in pinned.modes else []
    for mode, keep in runs:
        run_mode(mode, image, pinned, keep_stages=keep)  # warm-up
        for _ in range(TINY_RUNS):
            timed = run_mode(mode, image, pinned, keep_stages=keep)
            for stage in stage_names(mode, timed.timings):
                found = timed.timings.get("spatial" if stage == FUSED else stage)
                if found is not None:
                    samples.setdefault(f"{mode}.{stage}", []).append(found)
    return {key: statistics.median(values) for key, values in samples.items()}


def design_overhead_key(design: Design, channels: int, algorithms: dict[str, str]) -> tuple:
    """Everything the tiny-input costs depend on."""
    return (design, channels, tuple(sorted(algorithms.items())))


def mode_summary(figures: list[StageFigures], verdicts: list[Verdict], mode: str) -> str:
    """'spatial-separable: vertical memory-bound, horizontal overhead-bound'."""
    parts = [
        f"{f.stage} {v.label}"
        for f, v in zip(figures, verdicts)
        if f.mode == mode and v.kind != "unknown"
    ]
    return ", ".join(parts)


@dataclass(frozen=True)
class Analysis:
    """Every stage's figures and verdict, and the peaks they were judged against."""

    figures: list[StageFigures]
    verdicts: list[Verdict]
    peaks: Peaks | None

    def for_mode(self, mode: str) -> list[tuple[StageFigures, Verdict]]:
        return [(f, v) for f, v in zip(self.figures, self.verdicts) if f.mode == mode]

    def verdict_of(self, mode: str, stage: str) -> Verdict | None:
        return next((v for f, v in self.for_mode(mode) if f.stage == stage), None)


def analyse(
    result: FrameResult,
    seconds: dict[str, float],
    peaks: Peaks | None,
    *,
    ran: dict[str, float] | None = None,
    overheads: dict[str, float] | None = None,
    intermediate: dict[str, int] | None = None,
) -> Analysis:
    figures = stage_figures(
        result, seconds, ran=ran, overheads=overheads, intermediate=intermediate
    )
    return Analysis(figures, [verdict(f, peaks) for f in figures], peaks)
