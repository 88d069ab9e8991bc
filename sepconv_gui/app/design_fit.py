"""Fitting a depthwise-separable design to a design's normal bank ("Fit depthwise-separable").

Given a normal convolution (usually an independent bank: random, or imported from a real
layer) the question is how well a depthwise-separable one approximates it, and at what cost.
The engine's :func:`~sepconv_gui.engine.factorize_depthwise_separable` gives the best
approximation at each depth multiplier M (per input channel, a rank-M SVD); here its result
becomes a design (per-map depthwise kernels and a custom pointwise matrix), and a trade-off
table lists relative error against multiplications per output pixel. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import conv_cost, factorize_depthwise_separable
from .design_weights import channels_for
from .state import MAX_MULTIPLIER, Design


@dataclass(frozen=True)
class FitPoint:
    multiplier: int
    relative_error: float  # ||bank - approximation||_F / ||bank||_F
    multiplications: int  # per output pixel, depthwise + pointwise
    normal_multiplications: int  # per output pixel, the normal bank itself
    applicable: bool  # M fits a design (M <= MAX_MULTIPLIER)


def fit_depthwise(
    design: Design, multiplier: int, channels: int | None = None
) -> tuple[Design, float]:
    """The design whose depthwise-separable mode best approximates ``design``'s normal bank.

    Everything else (the normal bank included) is kept, so the normal and depthwise modes
    then show the bank and its approximation side by side. Returns the new design and the
    relative Frobenius error of the approximation. Raises DesignError (e.g. M > 16).
    ``channels`` defaults to ``design_weights.channels_for(design)`` (an imported bank's C).
    """
    bank = design.normal_weights(channels or channels_for(design))
    depth, point, error = factorize_depthwise_separable(bank, multiplier)
    fitted = design.with_changes(
        multiplier=multiplier,
        depthwise_kind="per_map",
        depthwise_custom=depth,
        pointwise="custom",
        pointwise_custom=point,
    )
    return fitted, error


def fit_tradeoff(design: Design, channels: int | None = None, max_multiplier: int | None = None):
    """FitPoints for M = 1 .. min(kh*kw, P) (or ``max_multiplier``): the trade-off plot.

    Beyond min(kh*kw, P) the fit is exact and only costs more.
    """
    bank = design.normal_weights(channels or channels_for(design))
    p, c, kh, kw = bank.shape
    top = max_multiplier or min(kh * kw, p)
    normal = conv_cost("normal", 1, 1, c, p, kh, kw).multiplications
    points = []
    for m in range(1, top + 1):
        error = factorize_depthwise_separable(bank, m)[2]
        cost = conv_cost("depthwise", 1, 1, c, p, kh, kw, multiplier=m).multiplications
        points.append(FitPoint(m, error, cost, normal, m <= MAX_MULTIPLIER))
    return points


def channel_singular_values(bank, should_stop=None, on_channel=None):
    """Singular values of every input channel's ``P × kh·kw`` slice, ``(C, min(P, kh·kw))``.

    One SVD per channel serves every M: the rank-M fit of a channel drops exactly its singular
    values past the M-th (Eckart-Young), so the trade-off needs no refit per M. Returns None
    when ``should_stop()`` turns true between channels; ``on_channel(done, total)`` after each.
    """
    p, c, kh, kw = bank.shape
    values = np.zeros((c, min(p, kh * kw)))
    for channel in range(c):
        if should_stop is not None and should_stop():
            return None
        values[channel] = np.linalg.svd(bank[:, channel].reshape(p, kh * kw), compute_uv=False)
        if on_channel is not None:
            on_channel(channel + 1, c)
    return values


def tradeoff_points(values, shape: tuple[int, int, int, int]) -> list[FitPoint]:
    """FitPoints for M = 1 .. min(kh·kw, P) from :func:`channel_singular_values`.

    The relative error at M is sqrt(sum of the squared singular values past M, over all
    channels) / ||bank||_F, the same number ``factorize_depthwise_separable`` reports.
    """
    p, c, kh, kw = shape
    energy = np.asarray(values, dtype=np.float64) ** 2
    total = float(energy.sum())
    # tails[m] = energy every channel loses when it keeps only m singular values
    tails = energy.sum(axis=0)[::-1].cumsum()[::-1]
    normal = conv_cost("normal", 1, 1, c, p, kh, kw).multiplications
    points = []
    for m in range(1, min(kh * kw, p) + 1):
        lost = float(tails[m]) if m < len(tails) else 0.0
        error = float(np.sqrt(max(lost, 0.0) / total)) if total > 0 else 0.0
        cost = conv_cost("depthwise", 1, 1, c, p, kh, kw, multiplier=m).multiplications
        points.append(FitPoint(m, error, cost, normal, m <= MAX_MULTIPLIER))
    return points
