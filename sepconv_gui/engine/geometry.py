"""Stride and dilation for all three modes: what runs on a layer's sampling grid (:mod:`.grid`).

What runs, and what :func:`~.grid.strided_cost` counts for it:

* normal ``gemm``: im2col reads only the strided positions at the dilated taps, so every
  multiplication counted is one that produces an output;
* normal ``direct`` and ``fft``: the full stride-1 output of the dilated kernel (zeros
  between the taps; OpenCV's direct filter2D skips zero taps), then every sy-th row and
  sx-th column — counted at H x W, the work that really ran;
* spatial and depthwise: numpy tap loops at the output positions only
  (:mod:`.strided_taps`).

The mode functions call in here only when stride or dilation is not 1, so the stride-1 paths
are untouched.
"""

from __future__ import annotations

import numpy as np

from . import algorithms
from .errors import keeps_the_contract
from .grid import (  # noqa: F401 - is_plain: the mode functions ask geometry.is_plain
    as_pair,
    check_extent,
    dilate,
    dilated_window,
    extent,
    is_plain,
    oriented_bank,
    output_size,
    strided_cost,
)
from .memory import FLOAT, _normal_bytes, check_fits, memory_budget, with_slack
from .result import ConvResult, StageTimer
from .strided_taps import (  # noqa: F401 - the mode functions call geometry.spatial_conv, ...
    depthwise_conv,
    depthwise_need,
    spatial_conv,
    spatial_need,
)
from .threads import parallel_for
from .validation import normal_inputs


# ----------------------------------------------------------------------------------- normal


def _gemm(data, bank, anchor, border, stride, dilation, out_shape):
    """im2col over the strided positions and dilated taps only, in row tiles, one matmul each."""
    channels = data.shape[2]
    p, _, kh, kw = bank.shape
    (sy, sx), (dy, dx) = stride, dilation
    ho, wo = out_shape
    pad_anchor, pad_shape = dilated_window(anchor, (kh, kw), dilation)
    source = algorithms.padded_planes(data, pad_anchor, pad_shape, border)
    taps = channels * kh * kw
    matrix = np.ascontiguousarray(bank.reshape(p, taps).T)
    out = np.empty((ho, wo, p), dtype=np.float32)
    plane_stride, row_stride, item = source.strides
    rows_per_tile = max(1, algorithms.GEMM_TILE_BYTES // (taps * FLOAT * wo))

    def run(first: int, last: int) -> None:
        for top in range(first * rows_per_tile, min(ho, last * rows_per_tile), rows_per_tile):
            rows = min(rows_per_tile, ho - top)
            window = np.lib.stride_tricks.as_strided(
                source[:, top * sy :],
                shape=(channels, kh, kw, rows, wo),
                strides=(plane_stride, dy * row_stride, dx * item, sy * row_stride, sx * item),
                writeable=False,
            )
            tile = np.ascontiguousarray(window).reshape(taps, rows * wo)
            np.matmul(tile.T, matrix, out=out[top : top + rows].reshape(rows * wo, p))

    parallel_for(-(-ho // rows_per_tile), run)
    return out


def _normal_pixels(algorithm: str, height: int, width: int, stride) -> int:
    """Positions an algorithm computes: gemm only the strided ones, the others all."""
    ho, wo = output_size(height, width, stride)
    return ho * wo if algorithm == "gemm" else height * width


def _normal_need(algorithm, height, width, channels, p, kh, kw, dilation, wrap, extra) -> int:
    eh, ew = extent(kh, kw, dilation)
    # Upper bound: the stride-1 path at the dilated extent, plus the strided copy.
    raw = _normal_bytes(algorithm, height, width, channels, p, eh, ew, wrap)
    return with_slack(extra + raw + height * width * p * FLOAT)


def choose(height, width, channels, p, kh, kw, stride, dilation, wrap, extra) -> tuple[str, int]:
    """What "auto" runs with stride or dilation: the fastest by the cost model per computed
    pixel among those within the memory budget (the smallest when none fits)."""
    eh, ew = extent(kh, kw, dilation)
    names = algorithms.candidates(eh, ew)
    needs = {
        n: _normal_need(n, height, width, channels, p, kh, kw, dilation, wrap, extra) for n in names
    }
    fitting = [n for n in names if needs[n] <= memory_budget()] or [min(names, key=needs.get)]

    def cost(name: str) -> float:
        rows = eh if name == "fft" else kh  # the fft transforms the dilated kernel
        per_pixel = algorithms.estimated_ns_per_pixel(name, channels, p, rows, kw)
        return per_pixel * _normal_pixels(name, height, width, stride)

    best = min(fitting, key=cost)
    return best, needs[best]


@keeps_the_contract
def normal_conv(image, weights, *, border, flip, algorithm, stride, dilation) -> ConvResult:
    """:func:`~sepconv_gui.engine.normal_conv` with stride and dilation (module docstring)."""
    stride, dilation = as_pair("stride", stride), as_pair("dilation", dilation)
    data, bank, border = normal_inputs(image, weights, border, algorithm, algorithms.ALGORITHMS)
    height, width, channels = data.shape
    p, c, kh, kw = bank.shape
    check_extent(kh, kw, dilation, height, width)
    bank, anchor = oriented_bank(bank, flip)
    copied = not (isinstance(image, np.ndarray) and np.may_share_memory(image, data))
    extra = data.nbytes if copied else 0
    wrap = border == "wrap"
    if algorithm == "auto":
        chosen, needed = choose(height, width, channels, p, kh, kw, stride, dilation, wrap, extra)
    else:
        chosen = algorithm
        needed = _normal_need(chosen, height, width, channels, p, kh, kw, dilation, wrap, extra)
    shape = f"{chosen}, {height}x{width}, C={channels}, P={p}, {kh}x{kw} kernel"
    check_fits("normal", needed, f"{shape}, stride {stride}, dilation {dilation}")
    ho, wo = output_size(height, width, stride)
    timer = StageTimer()
    with timer.stage("normal"):
        if chosen == "gemm":
            output = _gemm(data, bank, anchor, border, stride, dilation, (ho, wo))
            ran = "gemm"
        else:
            pad_anchor, _ = dilated_window(anchor, (kh, kw), dilation)
            full = algorithms.FUNCTIONS[chosen](data, dilate(bank, dilation), pad_anchor, border)
            output = np.ascontiguousarray(full[:: stride[0], :: stride[1]])
            ran = chosen + ("+subsample" if stride != (1, 1) else "")
    cost = strided_cost("normal", height, width, channels, p, kh, kw, stride=stride, full=ran)
    return ConvResult(output, {"normal": output}, timer.seconds, cost, ran)


# ------------------------------------------------------------------------------------- cost


def estimate_memory(
    mode,
    height,
    width,
    channels,
    out_channels,
    kh,
    kw,
    multiplier=1,
    rank=1,
    *,
    stride,
    dilation,
    algorithm="auto",
    border="wrap",
    copies_input=True,
) -> int:
    """:func:`~sepconv_gui.engine.estimate_memory` for a call with stride or dilation."""
    stride, dilation = as_pair("stride", stride), as_pair("dilation", dilation)
    args = (height, width, channels)
    if mode == "normal":
        wrap, extra = border == "wrap", height * width * channels * FLOAT if copies_input else 0
        if algorithm == "auto":
            return choose(*args, out_channels, kh, kw, stride, dilation, wrap, extra)[1]
        return _normal_need(algorithm, *args, out_channels, kh, kw, dilation, wrap, extra)
    if mode == "spatial":
        return spatial_need(*args, kh, kw, rank, stride, dilation, copies_input)
    if mode == "depthwise":
        return depthwise_need(
            *args, out_channels, kh, kw, multiplier, stride, dilation, copies_input
        )
    raise ValueError(f"mode={mode!r} is not a convolution mode; use normal, spatial or depthwise")
