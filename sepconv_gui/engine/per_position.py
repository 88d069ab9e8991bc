"""What one output position costs in each stage of a mode, before any image size comes in.

:func:`~.cost.conv_cost` scales these by H x W (at stride 1 every stage computes every
pixel), :func:`~.grid.strided_cost` by the positions each stage of a strided call really
computes, and the pixel inspector shows them as its "per pixel" count: one table, so the
three cannot drift apart. The counting conventions are :mod:`.cost`'s.
"""

from __future__ import annotations

from typing import NamedTuple

MODES: tuple[str, ...] = ("normal", "spatial", "depthwise")


class StageWork(NamedTuple):
    """One stage at one output position, over all of its output channels."""

    multiplications: int
    additions: int
    parameters: int  # the weights the stage stores: not scaled by positions


def stage_work(mode: str, c: int, p: int, kh: int, kw: int, m=1, r=1, *, passes=False) -> dict:
    """Each stage of ``mode`` at one output position, in execution order, as ``{stage:
    StageWork}``: C inputs, P outputs, a kh x kw kernel, depth multiplier M, spatial rank r,
    ``passes`` when the depthwise kernels run as two 1-D passes (arguments as
    :func:`~.cost.conv_cost`'s, which checks them)."""
    if mode == "normal":
        taps = c * kh * kw
        return {"normal": StageWork(p * taps, p * (taps - 1), p * taps)}
    if mode == "spatial":
        return {
            "vertical": StageWork(c * r * kh, c * r * (kh - 1), r * kh),
            "horizontal": StageWork(c * r * kw, c * (r * (kw - 1) + r - 1), r * kw),
        }
    if mode == "depthwise":
        maps = c * m
        if passes:
            depth = StageWork(maps * (kh + kw), maps * (kh + kw - 2), maps * (kh + kw))
        else:
            depth = StageWork(maps * kh * kw, maps * (kh * kw - 1), maps * kh * kw)
        return {"depthwise": depth, "pointwise": StageWork(p * maps, p * (maps - 1), p * maps)}
    raise ValueError(f"mode={mode!r} is not a convolution mode; use one of {', '.join(MODES)}")


def multiplications_per_position(mode: str, *shape: int) -> int:
    """All stages' multiplications at one output position (``shape`` as :func:`stage_work`)."""
    return sum(stage.multiplications for stage in stage_work(mode, *shape).values())
