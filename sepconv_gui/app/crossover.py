"""Where does it pay off? The measured crossover of each separable mode, from a sweep. No Qt.

A separable mode "pays off" at a point when it is faster than the operation it replaces:
depthwise-separable against the normal bank with the same C → P, spatial-separable against
the same per-channel k × k filter (or, in an older sweep without that reference, against
normal convolution). Along the swept variable (k, image width, P or C) the crossover is where
the final run of winning points begins: before it the mode lost at least once, from it on it
won at every measured point. Between the last losing and the first winning point the
crossing is interpolated where the speed-up passes 1 (log speed-up linear in the variable).

Spread: when a point's p25-p75 range of the speed-up straddles 1, the verdict there is within
the noise; the sentence says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .sweep import VARIABLES, SweepResult

#: What each separable mode is compared with, as the sentence names it.
AGAINST = {
    "spatial": "the same per-channel k×k filter",
    "spatial-vs-normal": "normal convolution",
    "depthwise": "the normal bank with the same C → P",
}
NAMES = {"spatial": "Spatial-separable", "depthwise": "Depthwise-separable"}
SYMBOLS = {"k": "k", "size": "W", "P": "P", "C": "C"}


@dataclass(frozen=True)
class Crossover:
    """Where ``mode`` starts to win along ``variable``.

    ``status``: "always" (won at every point), "never" (won at none), "mixed" (won at some
    but not at the last), "from" (won from ``at`` on), "none" (no measured speed-ups).
    """

    mode: str
    variable: str
    status: str
    at: float | None = None  # the interpolated crossing, for "from"
    lost_at: int | None = None  # the last losing point
    won_from: int | None = None  # the first point of the final winning run
    first: int | None = None  # the sweep's first and last values
    last: int | None = None
    noisy: bool = False  # the spread straddles 1 next to the crossing
    won_at: tuple[int, ...] = ()  # for "mixed": the points where it won
    against: str = ""

    @property
    def sentence(self) -> str:
        name, symbol = NAMES[self.mode], SYMBOLS.get(self.variable, self.variable)
        against = f"beats {self.against}" if self.against else "wins"
        if self.status == "none":
            return f"{name}: nothing measured to compare yet."
        if self.status == "always":
            text = f"{name} {against} at every measured {symbol} ({self.first} to {self.last})"
        elif self.status == "never":
            text = (
                f"{name} never {against.replace('beats', 'beat', 1)} from {symbol} = "
                f"{self.first} to {self.last} on this machine"
            )
        elif self.status == "mixed":
            won = ", ".join(map(str, self.won_at))
            text = (
                f"{name} {against.replace('beats', 'beat', 1)} at {symbol} = {won} but not "
                f"at the last measured {symbol} = {self.last}: no steady crossover in this range"
            )
        else:
            text = (
                f"{name} {against} from {symbol} ≈ {self.at:.3g} on this machine "
                f"(lost at {symbol} = {self.lost_at}, won from {symbol} = {self.won_from} on)"
            )
        if self.noisy:
            where = (
                "near the crossing" if self.status == "from" else f"at {symbol} = {self.lost_at}"
            )
            text += f"; {where} the measured spread includes 1×, so it is within noise"
        return text + "."


def crossing(x0: float, s0: float, x1: float, s1: float) -> float:
    """Where the speed-up passes 1 between (x0, s0 < 1) and (x1, s1 >= 1): log speed-up
    taken as linear in x."""
    l0, l1 = math.log(s0), math.log(s1)
    if l1 == l0:
        return float(x1)
    return x0 + (x1 - x0) * (0.0 - l0) / (l1 - l0)


def find_crossover(
    mode: str,
    variable: str,
    xs: list[int],
    speedups: list[float],
    spreads: list[tuple[float, float]] | None = None,
    against: str = "",
) -> Crossover:
    """The crossover of one mode from its measured speed-ups (>1: the mode is faster).

    ``spreads`` are (low, high) speed-ups from the p75/p25 times, aligned with ``xs``.
    Points without a finite speed-up are skipped.
    """
    kept = [
        (x, s, spreads[i] if spreads else None)
        for i, (x, s) in enumerate(zip(xs, speedups))
        if s is not None and math.isfinite(s) and s > 0
    ]
    if not kept:
        return Crossover(mode, variable, "none", against=against)
    first, last = kept[0][0], kept[-1][0]
    wins = [s >= 1.0 for _, s, _ in kept]
    common = dict(first=first, last=last, against=against)

    def straddles(index: int) -> bool:
        spread = kept[index][2]
        return spread is not None and spread[0] < 1.0 <= spread[1]

    if all(wins):
        return Crossover(mode, variable, "always", noisy=straddles(0), **common)
    if not wins[-1]:
        lost = len(kept) - 1
        won_at = tuple(x for (x, _, _), won in zip(kept, wins) if won)
        return Crossover(
            mode,
            variable,
            "mixed" if won_at else "never",
            lost_at=kept[lost][0],
            noisy=straddles(lost),
            won_at=won_at,
            **common,
        )
    lost = max(i for i, won in enumerate(wins) if not won)
    (x0, s0, _), (x1, s1, _) = kept[lost], kept[lost + 1]
    return Crossover(
        mode,
        variable,
        "from",
        at=crossing(x0, s0, x1, s1),
        lost_at=x0,
        won_from=x1,
        noisy=straddles(lost) or straddles(lost + 1),
        **common,
    )


@dataclass(frozen=True)
class SpeedupSeries:
    """One separable mode's measured speed-ups over the operation it replaces."""

    mode: str
    xs: list[int]
    speedups: list[float]
    spreads: list[tuple[float, float]]
    against: str


def speedup_series(result: SweepResult) -> dict[str, SpeedupSeries]:
    """Per separable mode in ``result``: x, speed-up (reference time ÷ mode time), spread."""
    found = {}
    for mode in ("spatial", "depthwise"):
        if mode not in result.spec.modes:
            continue
        xs, speedups, spreads = [], [], []
        like_for_like = True
        for point in result.points:
            reference = point.reference_for(mode) if mode in point.modes else None
            if reference is None:
                continue
            like_for_like &= not (mode == "spatial" and reference.mode == "normal")
            own = point.modes[mode]
            xs.append(point.value)
            speedups.append(reference.seconds / own.seconds if own.seconds > 0 else math.nan)
            spreads.append(_spread(reference, own))
        key = mode if like_for_like else f"{mode}-vs-normal"
        found[mode] = SpeedupSeries(mode, xs, speedups, spreads, AGAINST[key])
    return found


def sweep_crossovers(result: SweepResult) -> dict[str, Crossover]:
    """Each separable mode's crossover in ``result`` (a measured sweep)."""
    return {
        mode: find_crossover(mode, result.spec.variable, s.xs, s.speedups, s.spreads, s.against)
        for mode, s in speedup_series(result).items()
    }


def _spread(reference, own) -> tuple[float, float]:
    """Speed-up range from the quartiles: slowest reference over fastest own, and back."""
    ref_low = (reference.protocol.get("p25_ms") or reference.seconds * 1e3) / 1e3
    ref_high = (reference.protocol.get("p75_ms") or reference.seconds * 1e3) / 1e3
    own_low = (own.protocol.get("p25_ms") or own.seconds * 1e3) / 1e3
    own_high = (own.protocol.get("p75_ms") or own.seconds * 1e3) / 1e3
    if own_high <= 0 or own_low <= 0:
        return (math.nan, math.nan)
    return (ref_low / own_high, ref_high / own_low)


def variable_title(variable: str) -> str:
    return VARIABLES.get(variable, variable)
