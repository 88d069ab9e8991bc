"""Exact operation counts of each convolution mode, without running anything.

Counting conventions (the same for every mode, so ratios are fair):

* A k-tap correlation of one output value costs ``k`` multiplications and ``k - 1`` additions.
* Summing ``n`` partial maps into one costs ``n - 1`` additions per pixel.
* Border pixels are counted like interior ones: every output pixel uses every tap (the padded
  values are real operands), which is what OpenCV and the frameworks compute.
* No bias term. Parameters are the weights a layer stores.

normal (P x C kernels of kh x kw)
    multiplications ``H W P C kh kw``; additions ``H W P (C kh kw - 1)``;
    parameters ``P C kh kw``.
spatial-separable (rank r, every one of the C channels)
    multiplications ``H W C r (kh + kw)``; additions ``H W C (r (kh - 1 + kw - 1) + r - 1)``;
    parameters ``r (kh + kw)``.
depthwise-separable (multiplier M, P outputs)
    depthwise: multiplications ``H W C M kh kw``, additions ``H W C M (kh kw - 1)``,
    parameters ``C M kh kw``; pointwise: multiplications ``H W P C M``,
    additions ``H W P (C M - 1)``, parameters ``P C M``.
    With M = 1 the ratio to normal is ``1 / P + 1 / (kh kw)`` (MobileNet, section 3.1).
    When each depthwise kernel runs as two 1-D passes, its ``kh kw`` becomes ``kh + kw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .per_position import MODES, StageWork, stage_work  # noqa: F401 - MODES is named here too


@dataclass(frozen=True)
class StageCost:
    """What one stage of a convolution costs."""

    multiplications: int
    additions: int
    parameters: int


@dataclass(frozen=True)
class ConvCost:
    """Per-stage costs in execution order, and their totals."""

    stages: dict[str, StageCost] = field(default_factory=dict)

    @property
    def multiplications(self) -> int:
        return sum(s.multiplications for s in self.stages.values())

    @property
    def additions(self) -> int:
        return sum(s.additions for s in self.stages.values())

    @property
    def parameters(self) -> int:
        return sum(s.parameters for s in self.stages.values())

    @property
    def flops(self) -> int:
        """Multiplications plus additions: what GFLOP/s figures divide by."""
        return self.multiplications + self.additions


def _positive(**values: int) -> None:
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {value!r}")


def conv_cost(
    mode: str,
    height: int,
    width: int,
    channels: int,
    out_channels: int,
    kh: int,
    kw: int,
    multiplier: int = 1,
    rank: int = 1,
    *,
    depthwise_separable_passes: bool = False,
) -> ConvCost:
    """Exact multiplications, additions and parameters of one convolution.

    Parameters
    ----------
    mode : {"normal", "spatial", "depthwise"}
        The convolution mode; "depthwise" is depthwise-separable (depthwise then pointwise).
    height, width, channels, out_channels, kh, kw : int
        Image size, input channels C, output channels P (ignored by "spatial", whose output
        has C channels), kernel height and width.
    multiplier : int
        Depth multiplier M of the depthwise step.
    rank : int
        Number of 1-D pass pairs r of the spatial-separable mode.
    depthwise_separable_passes : bool
        The depthwise kernels run as a vertical and a horizontal 1-D pass each.

    Examples
    --------
    >>> n = conv_cost("normal", 720, 1280, 3, 32, 3, 3).multiplications
    >>> d = conv_cost("depthwise", 720, 1280, 3, 32, 3, 3).multiplications
    >>> round(d / n, 4) == round(1 / 32 + 1 / 9, 4)
    True
    """
    _positive(
        height=height,
        width=width,
        channels=channels,
        out_channels=out_channels,
        kh=kh,
        kw=kw,
        multiplier=multiplier,
        rank=rank,
    )
    shape = (channels, out_channels, kh, kw, multiplier, rank)
    work = stage_work(mode, *shape, passes=depthwise_separable_passes)
    return at_positions(work, height * width)


def at_positions(work: dict[str, StageWork], positions: int | dict[str, int]) -> ConvCost:
    """The cost of ``work`` (:func:`~.per_position.stage_work`) computed at ``positions``
    output positions: one number for every stage, or one per stage."""
    stages = {}
    for name, stage in work.items():
        count = positions[name] if isinstance(positions, dict) else positions
        stages[name] = StageCost(
            count * stage.multiplications, count * stage.additions, stage.parameters
        )
    return ConvCost(stages)
