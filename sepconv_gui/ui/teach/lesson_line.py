"""The lesson of the moment in one sentence, from the current design and the newest timing.

No Qt here. The counts come from :mod:`..measure.explain` (the one home of the formulas); what
this module adds is the reading of a measurement against them. A measured speed-up ``S`` of a
separable mode over normal splits exactly into two factors::

    S = t_normal / t_mode = (n_normal / n_mode) * (rate_mode / rate_normal)

where ``n`` is the multiplications per pixel each mode actually ran and ``rate`` the
multiplications per second it achieved. So the sentence can say *why* the time gap differs
from the count gap: normal ran fewer multiplications than its formula (FFT, OpenCV's DFT), or
the separable mode got through its multiplications more slowly (two or more passes that each
read and write the whole image for a few multiplications per value, a 1×1 mix that costs more
time than multiplications, fixed costs per call).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...app.pipeline import FrameResult
from ...app.state import Design
from ..measure import explain

BYTES = 4  # float32
CLOSE = 0.8  # a measured ratio within this factor of the count's "shows the saving"
MODE_LABELS = {"normal": "Normal", "spatial": "Spatial-separable", "depthwise": "Depthwise-sep."}


@dataclass(frozen=True)
class Reading:
    """The numbers behind one lesson sentence (tests check these, the screen shows ``text``)."""

    mode: str
    fewer: float | None  # how many times fewer multiplications than the job it replaces
    measured: float | None  # normal's time over the mode's
    normal_ran_factor: float  # what normal ran over its formula (1 when it ran the formula)
    rate_factor: float | None  # the mode's multiplications per second over normal's
    text: str


def _ran(count: explain.ModeCount) -> float:
    return count.ran_per_pixel if count.ran_per_pixel is not None else count.per_pixel


def _times(x: float) -> str:
    return f"{x:.1f}×" if x < 10 else f"{x:.0f}×"


def stage_intensity(result: FrameResult, mode: str) -> dict[str, float]:
    """Multiplications per byte each stage of ``mode`` read and wrote (its input and its
    output array once each: a lower bound on the traffic, so an upper bound on intensity)."""
    conv = result.results[mode]
    height, width, channels = result.image.shape
    before = channels
    out: dict[str, float] = {}
    for name, stage in conv.cost.stages.items():
        array = conv.stages.get(name)
        after = array.shape[2] if array is not None and array.ndim == 3 else before
        moved = BYTES * height * width * (before + after)
        out[name] = stage.multiplications / moved
        before = after
    return out


def _why(result: FrameResult, mode: str, normal_factor: float, rate: float) -> list[str]:
    """The reasons, biggest first, that the time gap is not the count gap."""
    reasons = []
    normal = result.results["normal"]
    if normal_factor < CLOSE:
        how = "by FFT" if normal.algorithm == "fft" else "by OpenCV's DFT"
        reasons.append(f"normal ran {how}, doing {_times(1 / normal_factor)} less work than k²·C·P")
    if rate < CLOSE:
        conv = result.results[mode]
        timings, cost = conv.timings, conv.cost.stages
        total_t = sum(timings.values()) or 1.0
        total_n = sum(s.multiplications for s in cost.values()) or 1
        share = {
            n: (timings.get(n, 0.0) / total_t, cost[n].multiplications / total_n) for n in cost
        }
        slow = max(share, key=lambda n: share[n][0] - share[n][1])
        time_share, mult_share = share[slow]
        intensity = stage_intensity(result, mode)
        if len(cost) > 1 and time_share > 2 * mult_share and time_share > 0.3:
            reasons.append(
                f"its {slow} step takes {time_share:.0%} of the time for {mult_share:.0%} of "
                "the multiplications"
            )
        elif max(intensity.values()) < 2:
            reasons.append(
                f"its {len(cost)} passes each move the whole image through memory for only "
                f"{max(intensity.values()):.1f} multiplications per byte"
            )
        else:
            reasons.append(
                f"it does {_times(1 / rate)} fewer multiplications per second than normal "
                "(more passes over memory, a fixed cost per call)"
            )
    return reasons


def read(result: FrameResult, design: Design, mode: str) -> Reading:
    """The lesson sentence for ``mode``'s output next to the input."""
    counts = explain.counts(result, design)
    if mode not in counts:
        return Reading(mode, None, None, 1.0, None, f"{MODE_LABELS[mode]} is not enabled.")
    if mode == "normal" or "normal" not in counts:
        count = counts[mode]
        conv = result.results[mode]
        text = (
            f"{MODE_LABELS[mode]}: {count.formula} = {count.numbers} = "
            f"{explain.fmt(count.per_pixel)} multiplications per pixel, "
            f"{1e3 * conv.total_seconds:.1f} ms"
        )
        if mode == "normal":
            text += " — the reference the separable modes are measured against"
        return Reading(mode, None, None, 1.0, None, text)
    compared = explain.comparison(mode, explain.shape_of(result, design, mode), counts[mode])
    normal_count = counts["normal"]
    normal_factor = _ran(normal_count) / normal_count.per_pixel
    count_gap = _ran(normal_count) / _ran(counts[mode])
    measured = explain.measured_speedup(result, mode)
    rate = measured / count_gap if measured is not None else None
    per = " per channel" if mode == "spatial" else ""
    head = (
        f"{explain.fmt(compared.mode_per_pixel / (result.image.shape[2] if per else 1))} vs "
        f"{explain.fmt(compared.reference_per_pixel / (result.image.shape[2] if per else 1))} "
        f"multiplications per pixel{per} → {_times(compared.ratio)} fewer"
    )
    if measured is None:
        return Reading(mode, compared.ratio, None, normal_factor, None, head + "; measuring…")
    verdict = f"{_times(measured)} faster" if measured >= 1 else f"{_times(1 / measured)} slower"
    # Spatial's count is against the per-channel filter; normal runs every channel pair, so
    # the measured line names what normal did.
    against = f"normal ({explain.fmt(normal_count.per_pixel)})" if per else "normal"
    text = f"{head}; measured {verdict} than {against}"
    # Reasons only for a gap smaller than the count promised (normal's formula against what
    # this mode ran): a speed-up at or beyond the count needs no excuse.
    expected = normal_count.per_pixel / _ran(counts[mode])
    reasons = _why(result, mode, normal_factor, rate) if measured < CLOSE * expected else []
    if reasons:
        text += ", because " + " and ".join(reasons)
    else:
        text += " — the saving shows in the time"
    return Reading(mode, compared.ratio, measured, normal_factor, rate, text)


def lesson_line(result: FrameResult, design: Design, mode: str) -> str:
    return read(result, design, mode).text
