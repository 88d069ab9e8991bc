"""Stride and dilation for all three modes: the sampling grid of a layer as networks define it.

Convention (PyTorch / ONNX with 'same'-style padding, in the engine's border modes): tap
``(i, j)`` of a kernel for output ``(y, x)`` reads the input at

    ``(sy * y + dy * (i - ay), sx * x + dx * (j - ax))``

with the engine's usual anchor ``(ay, ax) = (kh // 2, kw // 2)`` (the rotated kernel's anchor
with ``flip=True``), the border mode filling reads outside the image. The output is
``ceil(H / sy) x ceil(W / sx)``: stride-1 output position ``(sy * y, sx * x)``. For an odd
kernel this is exactly a framework layer with ``pads = dilation * (k - 1) / 2`` (zeros being
``border="constant"``); the dilated extent ``dy (kh - 1) + 1`` must fit in the image.

What runs, and what :func:`strided_cost` counts for it:

* normal ``gemm``: im2col reads only the strided positions at the dilated taps, so every
  multiplication counted is one that produces an output;
* normal ``direct`` and ``fft``: the full stride-1 output of the dilated kernel (zeros
  between the taps; OpenCV's direct filter2D skips zero taps), then every sy-th row and
  sx-th column — counted at H x W, the work that really ran;
* spatial: the vertical pass only on the output rows (``ceil(H/sy) x W``), the horizontal pass
  only on the output columns, tap by tap in numpy;
* depthwise: the depthwise maps only at the output positions, tap by tap in numpy, then the
  pointwise matmul on them.

The mode functions call in here only when stride or dilation is not 1, so the stride-1 paths
are untouched.
"""

from __future__ import annotations

import math

import numpy as np

from . import algorithms
from .cost import ConvCost, StageCost, conv_cost
from .errors import keeps_the_contract
from .filtering import CV_MAX_CHANNELS, oriented, pad_plane
from .memory import FLOAT, _normal_bytes, check_fits, memory_budget, with_slack
from .result import ConvResult, StageTimer
from .threads import parallel_for
from .validation import as_image, as_weights, check_border, normal_inputs

#: Largest stride or dilation accepted (beyond it a layer samples too little to show anything).
MAX_STEP = 64

#: Output rows per thread share of the numpy tap loops.
ROW_GRAIN = 16


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


def _padded(anchor, shape, dilation) -> tuple:
    """Anchor and extent of the dilated kernel, for pad_plane."""
    (ay, ax), (kh, kw) = anchor, shape
    dy, dx = dilation
    return (dy * ay, dx * ax), extent(kh, kw, dilation)


def _pad(data: np.ndarray, anchor, shape, border: str) -> np.ndarray:
    """Channels-last padding that keeps the channel axis even for a single channel."""
    padded = pad_plane(data, anchor, shape, border)
    height, width = data.shape[0] + shape[0] - 1, data.shape[1] + shape[1] - 1
    return padded.reshape(height, width, data.shape[2])


def _rows(padded: np.ndarray, offset: int, step: int, count: int) -> np.ndarray:
    return padded[offset : offset + step * (count - 1) + 1 : step]


def _cols(padded: np.ndarray, offset: int, step: int, count: int) -> np.ndarray:
    return padded[:, offset : offset + step * (count - 1) + 1 : step]


# ----------------------------------------------------------------------------------- normal


def _gemm(data, bank, anchor, border, stride, dilation, out_shape):
    """im2col over the strided positions and dilated taps only, in row tiles, one matmul each."""
    channels = data.shape[2]
    p, _, kh, kw = bank.shape
    (sy, sx), (dy, dx) = stride, dilation
    ho, wo = out_shape
    pad_anchor, pad_shape = _padded(anchor, (kh, kw), dilation)
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
    names = ("direct", "gemm", "fft")
    needs = {
        n: _normal_need(n, height, width, channels, p, kh, kw, dilation, wrap, extra) for n in names
    }
    fitting = [n for n in names if needs[n] <= memory_budget()] or [min(names, key=needs.get)]
    eh, _ = extent(kh, kw, dilation)

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
            pad_anchor, _ = _padded(anchor, (kh, kw), dilation)
            full = algorithms.FUNCTIONS[chosen](data, dilate(bank, dilation), pad_anchor, border)
            output = np.ascontiguousarray(full[:: stride[0], :: stride[1]])
            ran = chosen + ("+subsample" if stride != (1, 1) else "")
    cost = strided_cost("normal", height, width, channels, p, kh, kw, stride=stride, full=ran)
    return ConvResult(output, {"normal": output}, timer.seconds, cost, ran)


def oriented_bank(bank: np.ndarray, flip: bool) -> tuple[np.ndarray, tuple[int, int]]:
    kh, kw = bank.shape[-2:]
    if not flip:
        return bank, (kh // 2, kw // 2)
    return np.ascontiguousarray(bank[..., ::-1, ::-1]), (kh - 1 - kh // 2, kw - 1 - kw // 2)


# ---------------------------------------------------------------------------------- spatial


def _chunk_copies(height: int, width: int, channels: int) -> int:
    return 2 * height * width * CV_MAX_CHANNELS * FLOAT if channels > CV_MAX_CHANNELS else 0


def _spatial_need(height, width, channels, kh, kw, rank, stride, dilation, copied) -> int:
    ho, wo = output_size(height, width, stride)
    eh, ew = extent(kh, kw, dilation)
    plane = channels * FLOAT
    return with_slack(
        (height * width * plane if copied else 0)
        + (height + eh) * width * plane  # the row-padded input
        + 3 * ho * (width + ew) * plane  # vertical pass, its column-padded copy, scratch
        + (rank + 2) * ho * width * plane  # the kept vertical stage and its joined copy
        + 3 * ho * wo * plane  # output, one factor's result, scratch
        + _chunk_copies(height, width, channels)
    )


def _vertical(data, column, anchor_y, border, stride_y, dilation_y, rows_out):
    """One column filter at the output rows only: ``(rows_out, W, C)``."""
    kh = column.size
    padded = _pad(data, (dilation_y * anchor_y, 0), ((kh - 1) * dilation_y + 1, 1), border)
    out = np.empty((rows_out,) + data.shape[1:], dtype=np.float32)

    def run(first: int, last: int) -> None:
        target, scratch = out[first:last], np.empty_like(out[first:last])
        part = padded[first * stride_y :]
        np.multiply(_rows(part, 0, stride_y, last - first), column[0], out=target)
        for i in range(1, kh):
            np.multiply(_rows(part, dilation_y * i, stride_y, last - first), column[i], scratch)
            target += scratch

    parallel_for(rows_out, run, grain=ROW_GRAIN)
    return out


def _horizontal(data, row, anchor_x, border, stride_x, dilation_x, cols_out):
    """One row filter at the output columns only: ``(rows, cols_out, C)``."""
    kw = row.size
    padded = _pad(data, (0, dilation_x * anchor_x), (1, (kw - 1) * dilation_x + 1), border)
    out = np.empty((data.shape[0], cols_out, data.shape[2]), dtype=np.float32)

    def run(first: int, last: int) -> None:
        target, scratch = out[first:last], np.empty_like(out[first:last])
        part = padded[first:last]
        np.multiply(_cols(part, 0, stride_x, cols_out), row[0], out=target)
        for j in range(1, kw):
            np.multiply(_cols(part, dilation_x * j, stride_x, cols_out), row[j], scratch)
            target += scratch

    parallel_for(data.shape[0], run, grain=ROW_GRAIN)
    return out


@keeps_the_contract
def spatial_conv(image, column, row, *, border, flip, keep_stages, stride, dilation):
    """:func:`~sepconv_gui.engine.spatial_separable_conv` with stride and dilation."""
    from .separable import _as_factor_pairs

    stride, dilation = as_pair("stride", stride), as_pair("dilation", dilation)
    data, _ = as_image(image)
    columns, rows = _as_factor_pairs(column, row)
    border = check_border(border)
    height, width, channels = data.shape
    rank, kh, kw = columns.shape[0], columns.shape[1], rows.shape[1]
    check_extent(kh, kw, dilation, height, width)
    ho, wo = output_size(height, width, stride)
    copied = not (isinstance(image, np.ndarray) and np.may_share_memory(image, data))
    needed = _spatial_need(height, width, channels, kh, kw, rank, stride, dilation, copied)
    check_fits("spatial", needed, f"{height}x{width}, C={channels}, rank {rank}, {kh}x{kw} kernel")
    timer = StageTimer()
    output = None
    kept = []
    for col, rw in zip(columns, rows):
        # Rotating outer(col, row) by 180 degrees rotates each factor and moves the anchor.
        col_k, (ay, _) = oriented(col.reshape(kh, 1), flip)
        row_k, (_, ax) = oriented(rw.reshape(1, kw), flip)
        with timer.stage("vertical"):
            vertical = _vertical(data, col_k.ravel(), ay, border, stride[0], dilation[0], ho)
        with timer.stage("horizontal"):
            part = _horizontal(vertical, row_k.ravel(), ax, border, stride[1], dilation[1], wo)
            output = part if output is None else np.add(output, part, out=output)
        if keep_stages:
            kept.append(vertical)
    stages = {"horizontal": output}
    if keep_stages:
        stages = {"vertical": np.concatenate(kept, axis=2), "horizontal": output}
    cost = strided_cost(
        "spatial", height, width, channels, channels, kh, kw, rank=rank, stride=stride
    )
    return ConvResult(output, stages, timer.seconds, cost, "strided 1-D passes")


# -------------------------------------------------------------------------------- depthwise


def _depthwise_need(height, width, channels, p, kh, kw, multiplier, stride, dilation, copied):
    ho, wo = output_size(height, width, stride)
    eh, ew = extent(kh, kw, dilation)
    maps = channels * multiplier
    return with_slack(
        (height * width * channels * FLOAT if copied else 0)
        + (height + eh) * (width + ew) * channels * FLOAT  # the padded input
        + 2 * ho * wo * maps * FLOAT  # the maps and a scratch of the same size
        + ho * wo * p * FLOAT
        + _chunk_copies(height, width, channels)
    )


@keeps_the_contract
def depthwise_conv(image, depthwise, pointwise, *, border, flip, keep_stages, stride, dilation):
    """:func:`~sepconv_gui.engine.depthwise_separable_conv` with stride and dilation.

    The depthwise maps are computed as 2-D taps at the output positions (``one_d_passes`` has
    no effect here: at a stride the 2-D taps already touch only the output positions).
    """
    from .separable import mix_rows

    stride, dilation = as_pair("stride", stride), as_pair("dilation", dilation)
    data, _ = as_image(image)
    kernels = as_weights("depthwise", depthwise, 3, "(C*M, kh, kw)")
    mix = as_weights("pointwise", pointwise, 2, "(P, C*M)")
    border = check_border(border)
    height, width, channels = data.shape
    maps, kh, kw = kernels.shape
    if maps % channels:
        raise ValueError(
            f"depthwise has {maps} kernels (shape {kernels.shape}) but the image has {channels} "
            f"channels; it needs C*M kernels, a multiple of {channels}"
        )
    if mix.shape[1] != maps:
        raise ValueError(
            f"pointwise is {mix.shape} but there are {maps} depthwise maps; "
            f"pointwise must be (P, {maps})"
        )
    check_extent(kh, kw, dilation, height, width)
    multiplier, p = maps // channels, mix.shape[0]
    ho, wo = output_size(height, width, stride)
    copied = not (isinstance(image, np.ndarray) and np.may_share_memory(image, data))
    needed = _depthwise_need(
        height, width, channels, p, kh, kw, multiplier, stride, dilation, copied
    )
    note = f"{height}x{width}, C={channels}, M={multiplier}, P={p}, {kh}x{kw} kernel"
    check_fits("depthwise", needed, note)
    kernels, anchor = oriented_bank(kernels, flip)
    # (C, M, kh, kw): map c*M + m filters channel c, so each tap multiplies a (rows, cols, C, 1)
    # window by a (C, M) slice of the taps.
    taps = kernels.reshape(channels, multiplier, kh, kw)
    (sy, sx), (dy, dx) = stride, dilation
    timer = StageTimer()
    with timer.stage("depthwise"):
        padded = _pad(data, *_padded(anchor, (kh, kw), dilation), border)
        depth = np.empty((ho, wo, channels, multiplier), dtype=np.float32)

        def run(first: int, last: int) -> None:
            target, scratch = depth[first:last], np.empty_like(depth[first:last])
            part = padded[first * sy :]
            for i in range(kh):
                rows = _rows(part, dy * i, sy, last - first)
                for j in range(kw):
                    window = _cols(rows, dx * j, sx, wo)[..., None]
                    if i == 0 and j == 0:
                        np.multiply(window, taps[:, :, 0, 0], out=target)
                    else:
                        np.multiply(window, taps[:, :, i, j], out=scratch)
                        target += scratch

        parallel_for(ho, run, grain=ROW_GRAIN)
        depth_maps = depth.reshape(ho, wo, maps)
    with timer.stage("pointwise"):
        output = np.empty((ho, wo, p), dtype=np.float32)
        mix_rows(depth_maps.reshape(-1, maps), mix, output.reshape(-1, p))
    cost = strided_cost("depthwise", height, width, channels, p, kh, kw, multiplier, stride=stride)
    stages = {"depthwise": depth_maps, "pointwise": output} if keep_stages else {}
    stages["pointwise"] = output
    return ConvResult(output, stages, timer.seconds, cost, "strided taps+matmul")


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
        return _spatial_need(*args, kh, kw, rank, stride, dilation, copies_input)
    if mode == "depthwise":
        return _depthwise_need(
            *args, out_channels, kh, kw, multiplier, stride, dilation, copies_input
        )
    raise ValueError(f"mode={mode!r} is not a convolution mode; use normal, spatial or depthwise")


def strided_cost(
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
    stride=1,
    full: str = "",
) -> ConvCost:
    """What a strided call multiplies and adds: the positions that really get computed.

    Dilation spreads the taps but adds none, so it does not appear. ``full`` is the normal
    algorithm that ran: "direct" and "fft" compute every stride-1 position and subsample,
    so they are counted at ``height x width``; "gemm" (and "" for the ideal count) at the
    output positions only. Spatial counts its vertical pass on ``ceil(H/sy) x W`` and its
    horizontal pass on the output; depthwise counts both stages at the output positions.
    """
    ho, wo = output_size(height, width, stride)
    if mode == "normal":
        computes_all = full.split("+")[0] in ("direct", "fft")
        h, w = (height, width) if computes_all else (ho, wo)
        return conv_cost("normal", h, w, channels, out_channels, kh, kw)
    if mode == "depthwise":
        return conv_cost("depthwise", ho, wo, channels, out_channels, kh, kw, multiplier)
    if mode == "spatial":
        c, r = channels, rank
        upper, lower = ho * width * c * r, ho * wo * c
        vertical = StageCost(upper * kh, upper * (kh - 1), r * kh)
        horizontal = StageCost(lower * r * kw, lower * (r * (kw - 1) + r - 1), r * kw)
        return ConvCost({"vertical": vertical, "horizontal": horizontal})
    return conv_cost(mode, height, width, channels, out_channels, kh, kw)  # raises for it
