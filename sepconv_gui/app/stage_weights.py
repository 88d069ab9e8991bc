"""The weights that made one map of one stage: what a clicked stage thumbnail opens with.

Plain numpy, no Qt. A depthwise map was made by one k×k kernel, a pointwise output by one
row of the pointwise matrix, a spatial pass by one 1-D factor, a normal output by C kernels
(one per input channel); an input channel by nothing. The arrays come from the same engine
inputs the modes ran with (:func:`.pixel_math.engine_inputs`), upright as designed (a
``flip`` design is noted, not turned, since the kernel editor shows it upright too).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pixel_math import EngineInputs


@dataclass
class StageWeights:
    """``kind`` says how to draw ``weights``:

    ``"kernels"``
        ``(n, kh, kw)`` heat maps, ``labels`` names each ("c1", ...).
    ``"vector"``
        ``(n,)`` bars, ``labels`` names each tap or map.
    ``"none"``
        an input channel: nothing made it.
    """

    kind: str
    weights: np.ndarray
    labels: list[str]
    caption: str


def _map_label(k: int, multiplier: int) -> str:
    c, m = divmod(k, multiplier)
    return f"c{c + 1}·m{m + 1}" if multiplier > 1 else f"c{c + 1}"


def stage_weights(inputs: EngineInputs, channels: int, stage: str, index: int) -> StageWeights:
    """Weights behind map ``index`` (from 0) of ``stage`` ("input", "normal", "vertical",
    "horizontal", "depthwise", "pointwise") on ``channels`` input channels.

    Raises ValueError for a stage the inputs do not have.
    """
    flip = " (flip is on: the engine turns it 180° before sliding it)" if inputs.flip else ""
    if stage == "input":
        return StageWeights("none", np.zeros(0), [], f"Input channel c{index + 1}: no weights")
    if stage == "normal" and inputs.normal is not None:
        kernels = np.asarray(inputs.normal[index], dtype=np.float64)
        labels = [f"c{c + 1}" for c in range(kernels.shape[0])]
        caption = (
            f"Output p{index + 1} = Σ over the C = {kernels.shape[0]} input channels of channel "
            f"c through its own {kernels.shape[1]}×{kernels.shape[2]} kernel{flip}"
        )
        return StageWeights("kernels", kernels, labels, caption)
    if stage in ("vertical", "horizontal") and inputs.column is not None:
        rank = inputs.column.shape[0]
        if stage == "vertical":
            pair, channel = divmod(index, channels)
            factor = np.asarray(inputs.column[pair], dtype=np.float64)
            which = f"pair {pair + 1}'s " if rank > 1 else ""
            caption = (
                f"Vertical pass of c{channel + 1}: {which}column factor ({factor.size} taps) "
                f"slid down the channel{flip}"
            )
            return StageWeights(
                "vector", factor, [f"row {i + 1}" for i in range(factor.size)], caption
            )
        factors = np.asarray(inputs.row, dtype=np.float64)
        labels = [
            f"pair {i // factors.shape[1] + 1} · col {i % factors.shape[1] + 1}"
            if rank > 1
            else f"col {i + 1}"
            for i in range(factors.size)
        ]
        summed = f"; the output adds the {rank} pairs' passes" if rank > 1 else ""
        caption = (
            f"Horizontal pass of c{index + 1}: the row factor ({factors.shape[1]} taps) slid "
            f"along the vertical pass{summed}{flip}"
        )
        return StageWeights("vector", factors.ravel(), labels, caption)
    if stage == "depthwise" and inputs.depthwise is not None:
        maps = inputs.depthwise.shape[0]
        multiplier = maps // channels
        kernel = np.asarray(inputs.depthwise[index], dtype=np.float64)
        c, m = divmod(index, multiplier)
        caption = (
            f"Depthwise map {_map_label(index, multiplier)}: input channel c{c + 1} through "
            f"its kernel {m + 1} ({kernel.shape[0]}×{kernel.shape[1]}){flip}"
        )
        return StageWeights("kernels", kernel[np.newaxis], [_map_label(index, multiplier)], caption)
    if stage == "pointwise" and inputs.pointwise is not None:
        row = np.asarray(inputs.pointwise[index], dtype=np.float64)
        multiplier = row.size // channels
        labels = [_map_label(k, multiplier) for k in range(row.size)]
        caption = (
            f"Pointwise output p{index + 1}: row {index + 1} of the pointwise matrix, one "
            f"1×1 weight per depthwise map ({row.size} maps)"
        )
        return StageWeights("vector", row, labels, caption)
    raise ValueError(f"no weights for stage {stage!r} in these engine inputs")
