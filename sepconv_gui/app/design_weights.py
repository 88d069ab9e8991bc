"""The engine inputs a design stands for: depthwise stack, pointwise matrix, normal bank.

Pure functions of a Design and the input channel count C (known only once the source is),
so the UI can show the matrices it edits and tests can compare them with hand-built arrays.
Sizes that do not fit C raise DesignError saying what is needed.
"""

from __future__ import annotations

import numpy as np

from .design_checks import DesignError

LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601


def channels_for(design, source_channels: int = 3) -> int:
    """The input channel count C the design runs with on a source of ``source_channels``.

    Its synthesized C when it has one; else an imported bank's C (a bank fixes C); else the
    source's, 1 with grayscale.
    """
    if design.channels:
        return design.channels
    if design.normal_kind == "file":
        return design.normal_bank.shape[1]
    return 1 if design.grayscale else source_channels


def turned_copies(kernel: np.ndarray, multiplier: int) -> list[np.ndarray]:
    """The M maps of one kernel: turned 0, 1, 2, 3 quarter turns clockwise, and so on.

    Sobel x turns into Sobel y (the ``sobel_y`` preset), then -Sobel x, -Sobel y. A
    non-square kernel cannot turn in place, so it repeats unturned.
    """
    if kernel.shape[0] != kernel.shape[1]:
        return [kernel] * multiplier
    return [np.rot90(kernel, -m) for m in range(multiplier)]


def depthwise_stack(design, channels: int) -> np.ndarray:
    """``(C*M, kh, kw)``; map ``c*M + m`` is channel c's m-th kernel."""
    m = design.multiplier
    if design.depthwise_kind == "shared":
        turns = turned_copies(design.kernel_array(), m)
        return np.stack([turns[i] for _ in range(channels) for i in range(m)])
    custom = design.depthwise_custom.array
    if design.depthwise_kind == "per_channel":
        if len(custom) != channels:
            raise DesignError(
                f"depthwise_custom has {len(custom)} per-channel kernels but the input has "
                f"C = {channels} channels; give one kernel per channel"
            )
        return np.stack([t for kernel in custom for t in turned_copies(kernel, m)])
    if len(custom) != channels * m:
        raise DesignError(
            f"depthwise_custom has {len(custom)} per-map kernels but C*M = {channels}*{m} = "
            f"{channels * m} maps need one each"
        )
    return np.array(custom)


def check_sizes(design, channels: int) -> None:
    """Raise DesignError if the design's weights do not fit C = ``channels`` (shapes only)."""
    p, m = design.out_channels, design.multiplier
    custom = design.depthwise_custom
    if design.depthwise_kind == "per_channel" and len(custom) != channels:
        depthwise_stack(design, channels)  # raises with the explanation
    if design.depthwise_kind == "per_map" and len(custom) != channels * m:
        depthwise_stack(design, channels)
    if design.pointwise == "custom" or (design.pointwise == "luma" and channels != 3):
        shape = None if design.pointwise_custom is None else design.pointwise_custom.shape
        if design.pointwise == "luma" or shape != (p, channels * m):
            pointwise_weights(design, channels)
    if design.normal_kind == "file" and design.normal_bank.shape[:2] != (p, channels):
        normal_bank(design, channels)


def pointwise_matrix(kind: str, out_channels: int, channels: int, multiplier: int, seed=0):
    """A ``(P, C*M)`` pointwise preset.

    identity
        output p is channel ``p mod C``'s first (unturned) map.
    swap
        output p is channel ``C - 1 - (p mod C)``'s first map (RGB becomes BGR).
    luma
        every output is the BT.601 luma of channels 0, 1, 2's first maps (needs C = 3).
    average
        every output is the mean of all C*M maps.
    random
        standard normal / sqrt(C*M) from ``numpy.random.default_rng(seed)``.
    """
    p, c, m = out_channels, channels, multiplier
    weights = np.zeros((p, c * m))
    rows = np.arange(p)
    if kind == "identity":
        weights[rows, (rows % c) * m] = 1.0
    elif kind == "swap":
        weights[rows, (c - 1 - rows % c) * m] = 1.0
    elif kind == "luma":
        if c != 3:
            raise DesignError(f"pointwise 'luma' needs C = 3 input channels; got C = {c}")
        weights[:, [0, m, 2 * m]] = LUMA
    elif kind == "average":
        weights[:] = 1.0 / (c * m)
    elif kind == "random":
        weights = np.random.default_rng(seed).standard_normal((p, c * m)) / np.sqrt(c * m)
    else:
        raise DesignError(f"pointwise {kind!r} is not a preset")
    return weights


def pointwise_weights(design, channels: int) -> np.ndarray:
    p, maps = design.out_channels, channels * design.multiplier
    if design.pointwise != "custom":
        return pointwise_matrix(
            design.pointwise, p, channels, design.multiplier, design.pointwise_seed
        )
    custom = design.pointwise_custom
    shape = None if custom is None else custom.shape
    if shape != (p, maps):
        raise DesignError(
            f"the custom pointwise matrix is {shape} but this design needs "
            f"({p}, {maps}) = (P, C*M); edit it or pick another pointwise kind"
        )
    return np.array(custom.array)


def normal_bank(design, channels: int) -> np.ndarray:
    """The ``(P, C, kh, kw)`` normal-mode weights.

    equivalent
        ``bank[p, c] = sum_m pointwise[p, c*M + m] * depthwise[c*M + m]``: the bank the
        depthwise-separable design equals, so both modes give the same output.
    random
        an independent bank of the base kernel's size, standard normal / sqrt(C*kh*kw) from
        ``numpy.random.default_rng(normal_seed)``.
    file
        the imported bank, which must be ``(P, C, ...)`` for this P and C.
    """
    p = design.out_channels
    if design.normal_kind == "equivalent":
        depth = depthwise_stack(design, channels)
        kh, kw = depth.shape[1:]
        depth = depth.reshape(channels, design.multiplier, kh, kw)
        point = pointwise_weights(design, channels).reshape(p, channels, design.multiplier)
        return np.einsum("pcm,cmhw->pchw", point, depth)
    if design.normal_kind == "random":
        kh, kw = design.kernel_array().shape
        rng = np.random.default_rng(design.normal_seed)
        return rng.standard_normal((p, channels, kh, kw)) / np.sqrt(channels * kh * kw)
    bank = design.normal_bank.array
    if bank.shape[:2] != (p, channels):
        raise DesignError(
            f"the imported normal bank is {bank.shape[0]} x {bank.shape[1]} (P x C) but this "
            f"design has P = {p} and C = {channels}"
        )
    return np.array(bank)
