"""The sampling grid of a layer with stride and dilation, as networks define it.

Convention (PyTorch / ONNX with 'same'-style padding, in the engine's border modes): tap
``(i, j)`` of a kernel for output ``(y, x)`` reads the input at

    ``(sy * y + dy * (i - ay), sx * x + dx * (j - ax))``

with the engine's usual anchor ``(ay, ax) = (kh // 2, kw // 2)`` (the rotated kernel's anchor
with ``flip=True``), the border mode filling reads outside the image. The output is
``ceil(H / sy) x ceil(W / sx)``: stride-1 output position ``(sy * y, sx * x)``. For an odd
kernel this is exactly a framework layer with ``pads = dilation * (k - 1) / 2`` (zeros being
``border="constant"``); the dilated extent ``dy (kh - 1) + 1`` must fit in the image.

:func:`strided_cost` counts what a call on this grid computes; :mod:`.geometry` says which
path computes it.
"""

from __future__ import annotations

import math

import numpy as np

from .cost import at_positions, conv_cost
from .per_position import stage_work

#: Largest stride or dilation accepted (beyond it a layer samples too little to show anything).
MAX_STEP = 64


def as_pair(name: str, value) -> tuple[int, int]:
    """``value`` as ``(vertical, horizontal)``: an int, or two ints, each 1..MAX_STEP."""
    items = value if isinstance(value, (tuple, list, np.ndarray)) else (value, value)
    if len(items) != 2:
        raise ValueError(f"{name} must be one int or a pair (vertical, horizontal); got {value!r}")
    pair = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer)):
            raise TypeError(f"{name} must be whole numbers; got {value!r}")
        if not 1 <= int(item) <= MAX_STEP:
            raise ValueError(f"{name} must be between 1 and {MAX_STEP}; got {value!r}")
        pair.append(int(item))
    return pair[0], pair[1]


def is_plain(stride, dilation) -> bool:
    """True when both are 1 (the mode runs its usual path); checks them either way."""
    return as_pair("stride", stride) == (1, 1) and as_pair("dilation", dilation) == (1, 1)


def output_size(height: int, width: int, stride) -> tuple[int, int]:
    sy, sx = as_pair("stride", stride)
    return math.ceil(height / sy), math.ceil(width / sx)


def extent(kh: int, kw: int, dilation) -> tuple[int, int]:
    """Rows and columns a dilated kernel spans."""
    dy, dx = as_pair("dilation", dilation)
    return dy * (kh - 1) + 1, dx * (kw - 1) + 1


def check_extent(kh: int, kw: int, dilation, height: int, width: int) -> None:
    eh, ew = extent(kh, kw, dilation)
    if eh > height or ew > width:
        raise ValueError(
            f"kernel {kh}x{kw} at dilation {as_pair('dilation', dilation)} spans {eh}x{ew}, "
            f"more than the image {height}x{width}; use a smaller dilation, kernel, or a "
            "larger image"
        )


def dilate(kernels: np.ndarray, dilation) -> np.ndarray:
    """Zeros inserted between the taps of the last two axes."""
    dy, dx = as_pair("dilation", dilation)
    kh, kw = kernels.shape[-2:]
    out = np.zeros(kernels.shape[:-2] + extent(kh, kw, (dy, dx)), dtype=kernels.dtype)
    out[..., ::dy, ::dx] = kernels
    return out


def dilated_window(anchor, shape, dilation) -> tuple:
    """Anchor and extent of the dilated kernel, for pad_plane."""
    (ay, ax), (kh, kw) = anchor, shape
    dy, dx = dilation
    return (dy * ay, dx * ax), extent(kh, kw, dilation)


def oriented_bank(bank: np.ndarray, flip: bool) -> tuple[np.ndarray, tuple[int, int]]:
    kh, kw = bank.shape[-2:]
    if not flip:
        return bank, (kh // 2, kw // 2)
    return np.ascontiguousarray(bank[..., ::-1, ::-1]), (kh - 1 - kh // 2, kw - 1 - kw // 2)


def strided_cost(mode: str, height: int, width: int, c, p, kh, kw, m=1, r=1, *, stride=1, full=""):
    """What a strided call multiplies and adds: the positions that really get computed.

    Dilation spreads the taps but adds none, so it does not appear. ``full`` is the normal
    algorithm that ran: "direct" and "fft" compute every stride-1 position and subsample,
    so they are counted at ``height x width``; "gemm" (and "" for the ideal count) at the
    output positions only. Spatial counts its vertical pass on ``ceil(H/sy) x W`` and its
    horizontal pass on the output; depthwise counts both stages at the output positions.
    C, P, kh, kw, M and r are :func:`~.cost.conv_cost`'s; returns a :class:`~.cost.ConvCost`.
    """
    ho, wo = output_size(height, width, stride)
    if mode == "normal":
        computes_all = full.split("+")[0] in ("direct", "fft")
        h, w = (height, width) if computes_all else (ho, wo)
        return conv_cost("normal", h, w, c, p, kh, kw)
    if mode == "depthwise":
        return conv_cost("depthwise", ho, wo, c, p, kh, kw, m)
    if mode == "spatial":
        work = stage_work("spatial", c, p, kh, kw, 1, r)
        return at_positions(work, {"vertical": ho * width, "horizontal": ho * wo})
    return conv_cost(mode, height, width, c, p, kh, kw)  # raises for it
