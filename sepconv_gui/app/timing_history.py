"""A ring buffer of per-frame timings, and what the numbers say. No Qt: plots read from it."""

from __future__ import annotations

import numpy as np

from ..engine import MODES
from .pipeline import FrameResult

STAGES = {
    "normal": ("normal",),
    "spatial": ("vertical", "horizontal"),
    "depthwise": ("depthwise", "pointwise"),
}


class TimingHistory:
    """The last ``capacity`` frames: milliseconds per mode and stage, frame rate, speed-ups.

    Appending is O(1) and allocation-free, so it can run on every frame; ``series`` returns
    the values oldest first, NaN where a mode did not run.
    """

    def __init__(self, capacity: int = 300) -> None:
        self.capacity = capacity
        keys = [f"{m}" for m in MODES] + [f"{m}.{s}" for m in MODES for s in STAGES[m]]
        extra = ["fps", "frame", "generation", "theory.spatial", "theory.depthwise"]
        self._columns = {key: np.full(capacity, np.nan) for key in keys + extra}
        self._theory: dict[str, float] = {}
        self._count = 0
        self._last_finished: float | None = None
        self.last_result: FrameResult | None = None

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    def clear(self) -> None:
        for column in self._columns.values():
            column.fill(np.nan)
        self._count, self._last_finished, self.last_result = 0, None, None

    def append(self, result: FrameResult) -> None:
        slot = self._count % self.capacity
        for column in self._columns.values():
            column[slot] = np.nan
        for mode, conv in result.results.items():
            self._columns[mode][slot] = 1e3 * conv.total_seconds
            for stage in STAGES[mode]:
                self._columns[f"{mode}.{stage}"][slot] = 1e3 * conv.timings.get(stage, np.nan)
        if self._last_finished is not None and result.finished_at > self._last_finished:
            self._columns["fps"][slot] = 1.0 / (result.finished_at - self._last_finished)
        self._columns["frame"][slot] = self._count
        self._columns["generation"][slot] = result.generation
        normal = result.results.get("normal")
        for mode in ("spatial", "depthwise"):
            if normal is not None and mode in result.results:
                own = result.results[mode].cost.multiplications
                self._columns[f"theory.{mode}"][slot] = normal.cost.multiplications / own
        self._last_finished = result.finished_at
        self._count += 1
        self.last_result = result

    def series(self, key: str) -> np.ndarray:
        column = self._columns[key]
        if self._count <= self.capacity:
            return column[: self._count].copy()
        start = self._count % self.capacity
        return np.concatenate([column[start:], column[:start]])

    def current_design_frames(self) -> int:
        """How many of the kept frames ran the newest frame's design."""
        if self.last_result is None:
            return 0
        return int(np.count_nonzero(self.series("generation") == self.last_result.generation))

    def median(self, key: str, *, current_design: bool = False) -> float:
        """Median of ``key``; with ``current_design`` only over frames of the newest design, so
        a measured figure is never set next to the counts of a design it did not run."""
        values = self.series(key)
        if current_design and self.last_result is not None:
            values = values[self.series("generation") == self.last_result.generation]
        values = values[np.isfinite(values)]
        return float(np.median(values)) if values.size else float("nan")

    def measured_speedup(self, mode: str) -> float:
        """Median normal time over median ``mode`` time, over frames of the newest design."""
        normal = self.median("normal", current_design=True)
        other = self.median(mode, current_design=True)
        return normal / other if other > 0 else float("nan")

    def theoretical_speedup(self, mode: str) -> float:
        """Normal's multiplications over ``mode``'s, for the latest frame's design."""
        result = self.last_result
        if result is None or "normal" not in result.results or mode not in result.results:
            return float("nan")
        return (
            result.results["normal"].cost.multiplications
            / result.results[mode].cost.multiplications
        )


def explain_gap(history: TimingHistory, analysis=None) -> str:
    """One line on why measured speed-ups differ from the multiplication counts.

    ``analysis`` (:class:`~.roofline.Analysis`, from this machine's measured peaks) names
    the cause; without it the line states the measured shares and names no cause, since a
    large share alone does not say whether memory, arithmetic or a stall took the time.
    """
    result = history.last_result
    if result is None:
        return "No frames yet."
    runs = result.results
    if "normal" not in runs or len(runs) < 2:
        return "Enable normal convolution and a separable mode to compare their costs."
    normal = runs["normal"]
    notes = []
    if normal.algorithm == "fft":
        notes.append(
            "normal ran by FFT: its cost no longer grows with k², so the separable "
            "advantage shrinks"
        )
    elif normal.algorithm == "gemm":
        notes.append(
            "normal ran as one BLAS matrix product, which does many more "
            "multiplications per second than sliding filters"
        )
    for mode in ("spatial", "depthwise"):
        if mode not in runs:
            continue
        total = history.median(mode, current_design=True)
        for stage in STAGES[mode]:
            share = history.median(f"{mode}.{stage}", current_design=True) / total
            if not (total > 0 and share > 0.5 and len(STAGES[mode]) > 1):
                continue
            text = f"the {stage} step takes {100 * share:.0f} % of {mode}-separable time"
            found = analysis.verdict_of(mode, stage) if analysis is not None else None
            if found is not None and found.kind != "unknown":
                text += f": {found.short}; the Roofline tab says why"
            notes.append(text)
    for mode in ("spatial", "depthwise"):
        if mode in runs:
            measured, theory = history.measured_speedup(mode), history.theoretical_speedup(mode)
            if np.isfinite(measured) and measured < 0.5 * theory and not notes:
                text = f"{mode} reaches {measured:.1f}× of a possible {theory:.1f}×"
                stages = _stage_labels(analysis, mode)
                text += f" ({stages})" if stages else "; the Roofline tab shows why"
                notes.append(text)
    if not notes:
        return "Measured speed-ups track the multiplication counts."
    text = "; ".join(notes)
    return text[0].upper() + text[1:] + "."


def _stage_labels(analysis, mode: str) -> str:
    """'vertical memory-bound, horizontal overhead-bound', or '' without measured peaks."""
    if analysis is None:
        return ""
    found = [(f.stage, v.label) for f, v in analysis.for_mode(mode) if v.kind != "unknown"]
    return ", ".join(f"{stage} {label}" for stage, label in found)
