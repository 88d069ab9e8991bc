"""Like-for-like cost comparisons, spelled out with the design's numbers. No Qt here.

Each separable mode is compared with the operation it replaces, never with a different one:

* spatial-separable filters each of the C channels with one k x k kernel, so it is compared
  with that same per-channel k x k filter: k^2 against 2k r multiplications per pixel per
  channel (r pairs of 1-D passes);
* depthwise-separable maps C channels to P, so it is compared with the normal bank that maps
  the same C channels to the same P: k^2 C P against k^2 C M + C M P.

Counts are multiplications per output pixel position (all channels of it). Where the engine
or OpenCV ran something with a different count (1-D depthwise passes, a DFT inside OpenCV's
filter2D for large kernels, the FFT path), :func:`explain` says what ran and roughly what it
cost, so a measured time is never set against a count that did not happen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...app.pipeline import FrameResult
from ...app.state import Design
from ...engine.algorithms import fft_sizes

#: OpenCV's filter2D on float32 switches to a DFT when the kernel has this many taps or more
#: (measured: 11x11 = 121 taps ran at 1.9 ms on 640x480, 12x12 = 144 at 4.8 ms and flat after).
OPENCV_DFT_TAPS = 130


@dataclass(frozen=True)
class DesignShape:
    """The numbers the formulas need."""

    height: int
    width: int
    channels: int  # C: input channels the modes run on
    out_channels: int  # P
    kh: int
    kw: int
    multiplier: int = 1  # M
    rank: int = 1  # r: pairs of 1-D passes of the spatial mode

    @property
    def square(self) -> bool:
        return self.kh == self.kw


@dataclass(frozen=True)
class ModeCount:
    """One mode's multiplications per output pixel: formula, numbers, and what ran."""

    mode: str
    formula: str  # "k²·C·P"
    numbers: str  # "9·3·3"
    per_pixel: float  # 81
    ran: str = ""  # what actually ran, when its count differs from the formula; else ""
    ran_per_pixel: float | None = None

    @property
    def text(self) -> str:
        """'normal: k²·C·P = 9·3·3 = 81 mult/px'."""
        return f"{MODE_NAMES[self.mode]}: {self.formula} = {self.numbers} = {fmt(self.per_pixel)}"


@dataclass(frozen=True)
class Comparison:
    """A separable mode against the operation it replaces, by count."""

    mode: str
    reference: str  # "per-channel 3×3 filter"
    reference_formula: str  # "k²·C = 9·3 = 27"
    reference_per_pixel: float
    mode_per_pixel: float
    per_channel: str = ""  # spatial only: "k² vs 2k·r per pixel per channel: 9 vs 6"

    @property
    def ratio(self) -> float:
        """How many times fewer multiplications than the reference."""
        return self.reference_per_pixel / self.mode_per_pixel

    @property
    def text(self) -> str:
        return (
            f"{fmt(self.mode_per_pixel)} vs {fmt(self.reference_per_pixel)} mult/px of the "
            f"{self.reference} → {self.ratio:.2f}× fewer"
        )


MODE_NAMES = {"normal": "normal", "spatial": "spatial-separable", "depthwise": "depthwise-sep."}


def fmt(value: float) -> str:
    """Whole numbers as they are, others to three significant figures."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}"


def kernel_sizes(design: Design) -> dict[str, tuple[int, int]]:
    """Each mode's ``(kh, kw)``. Spatial runs the base kernel; depthwise its stack, whose
    per-channel or per-map kernels may have another size; normal its bank: the equivalent
    bank has the stack's size, a random bank the base kernel's, an imported bank its own."""
    base = design.kernel_array().shape
    depthwise = base
    if design.depthwise_kind != "shared":
        depthwise = design.depthwise_custom.shape[1:3]
    normal = depthwise
    if design.normal_kind == "random":
        normal = base
    elif design.normal_kind == "file":
        normal = design.normal_bank.shape[2:4]
    return {"normal": tuple(normal), "spatial": tuple(base), "depthwise": tuple(depthwise)}


def shape_of(result: FrameResult, design: Design, mode: str = "spatial") -> DesignShape:
    """The numbers of the design as ``mode`` ran it on ``result``'s image (the kernel size
    is that mode's: see :func:`kernel_sizes`)."""
    height, width, channels = result.image.shape
    kh, kw = kernel_sizes(design)[mode]
    rank = 1
    spatial = result.results.get("spatial")
    vertical = spatial.stages.get("vertical") if spatial is not None else None
    if vertical is not None:  # live frames keep no stages unless a view shows them
        rank = max(1, vertical.shape[2] // channels)
    else:
        rank = len(design.spatial_factors()[0])
    return DesignShape(
        height, width, channels, design.out_channels, kh, kw, design.multiplier, rank
    )


def _taps(s: DesignShape) -> tuple[str, str, int]:
    """Formula, numbers and value of one 2-D kernel's taps."""
    if s.square:
        return "k²", f"{s.kh * s.kw}", s.kh * s.kw
    return "kh·kw", f"{s.kh}·{s.kw}", s.kh * s.kw


def _pass_taps(s: DesignShape) -> tuple[str, str, int]:
    """Formula, numbers and value of one pair of 1-D passes."""
    if s.square:
        return "2k", f"{2 * s.kh}", 2 * s.kh
    return "(kh+kw)", f"({s.kh}+{s.kw})", s.kh + s.kw


def fft_per_pixel(s: DesignShape) -> float:
    """Roughly the multiplications per output pixel of the engine's FFT path.

    A real 2-D transform of N points is counted as N log2 N real multiplications; C forward and
    P inverse transforms, P C complex products over the half spectrum (4 real each), and the
    kernel spectra as two small DFT-matrix products per (output, input) pair.
    """
    fh, fw = fft_sizes(s.height + s.kh - 1, s.width + s.kw - 1)
    n, half, pixels = fh * fw, fh * (fw // 2 + 1), s.height * s.width
    pairs = s.channels * s.out_channels
    transforms = (s.channels + s.out_channels) * n * math.log2(n)
    products = 4 * pairs * half
    kernels = 4 * pairs * (s.kh * s.kw * (fw // 2 + 1) + fh * s.kh * (fw // 2 + 1))
    return (transforms + products + kernels) / pixels


def opencv_dft_per_pixel(s: DesignShape, filters: int) -> float:
    """Roughly what ``filters`` filter2D calls cost per pixel once OpenCV runs them by DFT:
    a forward and an inverse transform of the padded image and a product, per call."""
    n = (s.height + s.kh - 1) * (s.width + s.kw - 1)
    return filters * (2 * math.log2(n) + 2) * n / (s.height * s.width)


def normal_count(s: DesignShape, algorithm: str) -> ModeCount:
    formula, numbers, taps = _taps(s)
    per_pixel = taps * s.channels * s.out_channels
    count = dict(
        mode="normal",
        formula=f"{formula}·C·P",
        numbers=f"{numbers}·{s.channels}·{s.out_channels}",
        per_pixel=per_pixel,
    )
    pairs = s.channels * s.out_channels
    if algorithm == "fft":
        ran = fft_per_pixel(s)
        text = f"FFT: ≈ {fmt(ran)} mult/px (C + P transforms, C·P spectrum products), not {formula}"
        return ModeCount(**count, ran=text, ran_per_pixel=ran)
    if algorithm == "gemm":
        text = (
            f"GEMM: the same {fmt(per_pixel)} mult/px as one BLAS matrix product, after copying "
            f"{fmt(taps * s.channels)} values per pixel (im2col)"
        )
        return ModeCount(**count, ran=text, ran_per_pixel=per_pixel)
    if s.kh * s.kw >= OPENCV_DFT_TAPS:
        ran = opencv_dft_per_pixel(s, pairs)
        text = (
            f"direct, but OpenCV's filter2D ran each of the {pairs} filters by DFT "
            f"({s.kh}×{s.kw} ≥ {OPENCV_DFT_TAPS} taps): ≈ {fmt(ran)} mult/px"
        )
        return ModeCount(**count, ran=text, ran_per_pixel=ran)
    return ModeCount(**count)


def spatial_count(s: DesignShape) -> ModeCount:
    formula, numbers, taps = _pass_taps(s)
    return ModeCount(
        mode="spatial",
        formula=f"{formula}·r·C",
        numbers=f"{numbers}·{s.rank}·{s.channels}",
        per_pixel=taps * s.rank * s.channels,
    )


def depthwise_count(s: DesignShape, algorithm: str) -> ModeCount:
    formula, numbers, taps = _taps(s)
    maps = s.channels * s.multiplier
    pointwise = maps * s.out_channels
    count = dict(
        mode="depthwise",
        formula=f"{formula}·C·M + C·M·P",
        numbers=f"{numbers}·{s.channels}·{s.multiplier} + "
        f"{s.channels}·{s.multiplier}·{s.out_channels}",
        per_pixel=taps * maps + pointwise,
    )
    if algorithm.startswith("sepfilter"):
        pass_formula, pass_numbers, pass_taps = _pass_taps(s)
        ran = pass_taps * maps + pointwise
        text = (
            f"each depthwise kernel is rank 1, so it ran as two 1-D passes: "
            f"{pass_formula}·C·M + C·M·P = {pass_numbers}·{s.channels}·{s.multiplier} + "
            f"{fmt(pointwise)} = {fmt(ran)} mult/px"
        )
        return ModeCount(**count, ran=text, ran_per_pixel=ran)
    if s.kh * s.kw >= OPENCV_DFT_TAPS:
        ran = opencv_dft_per_pixel(s, maps) + pointwise
        text = (
            f"OpenCV's filter2D ran the {maps} depthwise filters by DFT ({s.kh}×{s.kw} ≥ "
            f"{OPENCV_DFT_TAPS} taps): ≈ {fmt(ran)} mult/px with the pointwise step"
        )
        return ModeCount(**count, ran=text, ran_per_pixel=ran)
    return ModeCount(**count)


def comparison(mode: str, s: DesignShape, count: ModeCount) -> Comparison:
    """``mode`` against the operation it replaces. The mode's side counts what the engine ran
    when that is exact (1-D depthwise passes); estimates (DFT) stay out of the ratio."""
    formula, numbers, taps = _taps(s)
    own = count.ran_per_pixel if count.ran and "≈" not in count.ran else count.per_pixel
    if mode == "spatial":
        reference = taps * s.channels
        pass_formula, _, pass_taps = _pass_taps(s)
        return Comparison(
            mode,
            f"per-channel {s.kh}×{s.kw} filter",
            f"{formula}·C = {numbers}·{s.channels} = {fmt(reference)}",
            reference,
            own,
            f"{formula} vs {pass_formula}·r per pixel per channel: {taps} vs {pass_taps * s.rank}",
        )
    if mode == "depthwise":
        reference = taps * s.channels * s.out_channels
        return Comparison(
            mode,
            f"normal bank {s.channels} → {s.out_channels}",
            f"{formula}·C·P = {numbers}·{s.channels}·{s.out_channels} = {fmt(reference)}",
            reference,
            own,
        )
    raise ValueError(f"normal convolution is the reference, not compared; got {mode!r}")


def counts(result: FrameResult, design: Design) -> dict[str, ModeCount]:
    """Each mode that ran in ``result``: formula, numbers and what ran."""
    out: dict[str, ModeCount] = {}
    for mode, conv in result.results.items():
        s = shape_of(result, design, mode)
        if mode == "normal":
            out[mode] = normal_count(s, conv.algorithm)
        elif mode == "spatial":
            out[mode] = spatial_count(s)
        else:
            out[mode] = depthwise_count(s, conv.algorithm)
    return out


def comparisons(result: FrameResult, design: Design) -> dict[str, Comparison]:
    """Each separable mode that ran, against the operation it replaces."""
    found = counts(result, design)
    return {
        mode: comparison(mode, shape_of(result, design, mode), count)
        for mode, count in found.items()
        if mode != "normal"
    }


def measured_speedup(result: FrameResult, mode: str) -> float | None:
    """Normal's time over ``mode``'s on this frame, or None when either did not run."""
    normal, other = result.results.get("normal"), result.results.get(mode)
    if normal is None or other is None or other.total_seconds <= 0:
        return None
    return normal.total_seconds / other.total_seconds


def ran_multiplications(result: FrameResult, design: Design) -> dict[str, float]:
    """Estimated multiplications of the stages whose engine count is not what ran, by
    "mode.stage": normal by FFT or through OpenCV's DFT, depthwise filters through the DFT."""
    ran: dict[str, float] = {}
    for mode, count in counts(result, design).items():
        if not count.ran or "≈" not in count.ran or count.ran_per_pixel is None:
            continue
        s = shape_of(result, design, mode)
        pixels = s.height * s.width
        if mode == "normal":
            ran["normal.normal"] = count.ran_per_pixel * pixels
        elif mode == "depthwise":
            maps = s.channels * s.multiplier
            ran["depthwise.depthwise"] = opencv_dft_per_pixel(s, maps) * pixels
    return ran


def roofline_analysis(history, design: Design | None, peaks, overheads: dict | None = None):
    """The roofline verdicts of the newest design in ``history`` (a TimingHistory): stage
    times are its medians over that design's frames. None before the first frame."""
    from ...app.roofline import FUSED, analyse, stage_names

    result = history.last_result
    if result is None or design is None:
        return None
    seconds = {}
    for mode, conv in result.results.items():
        for stage in stage_names(mode, conv.timings):
            column = mode if stage == FUSED else f"{mode}.{stage}"
            seconds[f"{mode}.{stage}"] = 1e-3 * history.median(column, current_design=True)
    try:
        ran = ran_multiplications(result, design)
        s = shape_of(result, design)
        intermediate = {
            "spatial.vertical": s.channels * s.rank,
            "depthwise.depthwise": s.channels * s.multiplier,
        }
    except (ValueError, KeyError, IndexError):  # a design that no longer fits this result
        ran, intermediate = {}, {}
    return analyse(result, seconds, peaks, ran=ran, overheads=overheads, intermediate=intermediate)
