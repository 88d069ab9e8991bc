"""The cost of the current design, per mode and per stage, with its formula filled in.

Multiplications per output pixel position, from the like-for-like formulas of
:mod:`..measure.explain` (the one place they are written): normal k²·C·P, spatial-separable
(kh+kw)·r·C against the per-channel k×k filter it replaces, depthwise-separable
k²·C·M + C·M·P against the normal bank from the same C to the same P, a ratio of
M/P + M/k² (1/P + 1/k² at M = 1). Each mode is counted at its own kernel size: per-channel or
fitted depthwise kernels (and the equivalent bank made of them) and an imported bank need not be
the size of the base kernel. Shown for the design
as it is edited, before any frame has run; the Cost dock adds what each mode measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from ...app.design_weights import channels_for
from ...app.state import Design, DesignError
from ...engine import MODES
from ..measure.explain import (
    MODE_NAMES,
    DesignShape,
    _taps,
    comparison,
    depthwise_count,
    fmt,
    kernel_sizes,
    normal_count,
    spatial_count,
)

COUNTED_AS = "direct"  # the formulas' own count, whatever algorithm the engine picks


@dataclass(frozen=True)
class Stage:
    name: str  # the engine's stage name: normal, vertical, horizontal, depthwise, pointwise
    formula: str
    numbers: str
    value: int

    @property
    def text(self) -> str:
        return f"{self.name}: {self.formula} = {self.numbers} = {fmt(self.value)}"


@dataclass(frozen=True)
class ModeCost:
    mode: str
    formula: str
    numbers: str
    total: float
    stages: tuple[Stage, ...]
    against: str = ""  # the like-for-like comparison, "" for normal (it is the reference)
    ratio: str = ""  # depthwise only: M/P + M/k² with its numbers


def mode_shapes(design: Design, source_channels: int = 3) -> dict[str, DesignShape]:
    """Each mode's DesignShape (the base kernel's for spatial; the bank's or stack's size)."""
    c = channels_for(design, source_channels)
    rank = len(design.spatial_factors()[0])
    return {
        mode: DesignShape(1, 1, c, design.out_channels, kh, kw, design.multiplier, rank)
        for mode, (kh, kw) in kernel_sizes(design).items()
    }


def _stages(mode: str, s: DesignShape) -> tuple[Stage, ...]:
    """The mode's count split by the engine's stages, from explain's kernel-size pieces."""
    taps_formula, taps_numbers, taps = _taps(s)
    if mode == "normal":
        return (
            Stage(
                "normal",
                f"{taps_formula}·C·P",
                f"{taps_numbers}·{s.channels}·{s.out_channels}",
                taps * s.channels * s.out_channels,
            ),
        )
    if mode == "spatial":
        side = ("k", "k") if s.square else ("kh", "kw")
        return tuple(
            Stage(
                name, f"{letter}·r·C", f"{size}·{s.rank}·{s.channels}", size * s.rank * s.channels
            )
            for name, letter, size in zip(("vertical", "horizontal"), side, (s.kh, s.kw))
        )
    maps = s.channels * s.multiplier
    return (
        Stage(
            "depthwise",
            f"{taps_formula}·C·M",
            f"{taps_numbers}·{s.channels}·{s.multiplier}",
            taps * maps,
        ),
        Stage(
            "pointwise",
            "C·M·P",
            f"{s.channels}·{s.multiplier}·{s.out_channels}",
            maps * s.out_channels,
        ),
    )


def design_costs(design: Design, source_channels: int = 3) -> dict[str, ModeCost]:
    """Each enabled mode's count, by stage, with its like-for-like comparison."""
    shapes = mode_shapes(design, source_channels)
    out = {}
    for mode in (m for m in MODES if m in design.modes):
        s = shapes[mode]
        if mode == "normal":
            count = normal_count(s, COUNTED_AS)
        elif mode == "spatial":
            count = spatial_count(s)
        else:
            count = depthwise_count(s, COUNTED_AS)
        stages = _stages(mode, s)
        against = ratio = ""
        if mode != "normal":
            versus = comparison(mode, s, count)
            against = (
                f"vs {versus.reference} {versus.reference_formula} → {versus.ratio:.2f}× fewer"
            )
        if mode == "depthwise":
            taps_formula, taps_numbers, taps = _taps(s)
            share = count.per_pixel / (taps * s.channels * s.out_channels)
            ratio = (
                f"depthwise / normal = M/P + M/{taps_formula} = {s.multiplier}/{s.out_channels}"
                f" + {s.multiplier}/{taps_numbers} = {share:.3g}"
            )
        out[mode] = ModeCost(
            mode, count.formula, count.numbers, count.per_pixel, stages, against, ratio
        )
    return out


def _html(costs: dict[str, ModeCost]) -> str:
    rows = []
    for cost in costs.values():
        rows.append(
            f"<tr><td><b>{MODE_NAMES[cost.mode]}</b></td><td>{cost.formula}</td>"
            f"<td>= {cost.numbers}</td><td align='right'><b>{fmt(cost.total)}</b></td></tr>"
        )
        if len(cost.stages) > 1:
            for stage in cost.stages:
                rows.append(
                    f"<tr><td>&nbsp;&nbsp;{stage.name}</td><td>{stage.formula}</td>"
                    f"<td>= {stage.numbers}</td><td align='right'>{fmt(stage.value)}</td></tr>"
                )
        for note in (cost.against, cost.ratio):
            if note:
                rows.append(f"<tr><td></td><td colspan='3'><i>{note}</i></td></tr>")
    return "<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"


class CostCard(QGroupBox):
    """Multiplications per output pixel of the design on show; no computing beyond counts."""

    def __init__(self, parent=None) -> None:
        super().__init__("Cost: multiplications per output pixel", parent)
        layout = QVBoxLayout(self)
        self.label = QLabel(wordWrap=True, textFormat=Qt.RichText)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setToolTip(
            "Counted from the formulas, per output pixel position (all channels of it). The "
            "Cost dock shows what each mode measured and what the engine really ran."
        )
        layout.addWidget(self.label)
        self.costs: dict[str, ModeCost] = {}

    def set_design(self, design: Design, source_channels: int = 3) -> None:
        try:
            self.costs = design_costs(design, source_channels)
        except DesignError as error:
            self.costs = {}
            self.label.setText(f"No count: {error}")
            return
        self.label.setText(_html(self.costs))
