"""Spatial- and depthwise-separable with stride or dilation: numpy tap loops that compute the
output positions only (the grid: :mod:`.grid`).

* spatial: the vertical pass only on the output rows (``ceil(H/sy) x W``), the horizontal pass
  only on the output columns, tap by tap;
* depthwise: the depthwise maps only at the output positions, tap by tap, then the pointwise
  matmul on them.

:mod:`.geometry` routes here, and only when stride or dilation is not 1.
"""

from __future__ import annotations

import numpy as np

from .errors import keeps_the_contract
from .filtering import CV_MAX_CHANNELS, oriented, pad_plane
from .grid import (
    as_pair,
    check_extent,
    dilated_window,
    extent,
    oriented_bank,
    output_size,
    strided_cost,
)
from .memory import FLOAT, check_fits, with_slack
from .result import ConvResult, StageTimer
from .threads import parallel_for
from .validation import as_image, check_border, depthwise_inputs

#: Output rows per thread share of the numpy tap loops.
ROW_GRAIN = 16


def _pad(data: np.ndarray, anchor, shape, border: str) -> np.ndarray:
    """Channels-last padding that keeps the channel axis even for a single channel."""
    padded = pad_plane(data, anchor, shape, border)
    height, width = data.shape[0] + shape[0] - 1, data.shape[1] + shape[1] - 1
    return padded.reshape(height, width, data.shape[2])


def _rows(padded: np.ndarray, offset: int, step: int, count: int) -> np.ndarray:
    return padded[offset : offset + step * (count - 1) + 1 : step]


def _cols(padded: np.ndarray, offset: int, step: int, count: int) -> np.ndarray:
    return padded[:, offset : offset + step * (count - 1) + 1 : step]


def _chunk_copies(height: int, width: int, channels: int) -> int:
    return 2 * height * width * CV_MAX_CHANNELS * FLOAT if channels > CV_MAX_CHANNELS else 0


# ---------------------------------------------------------------------------------- spatial


def spatial_need(height, width, channels, kh, kw, rank, stride, dilation, copied) -> int:
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
    needed = spatial_need(height, width, channels, kh, kw, rank, stride, dilation, copied)
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
        "spatial", height, width, channels, channels, kh, kw, 1, rank, stride=stride
    )
    return ConvResult(output, stages, timer.seconds, cost, "strided 1-D passes")


# -------------------------------------------------------------------------------- depthwise


def depthwise_need(height, width, channels, p, kh, kw, multiplier, stride, dilation, copied):
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
    from .depthwise_parts import mix_rows

    stride, dilation = as_pair("stride", stride), as_pair("dilation", dilation)
    data, kernels, mix, border = depthwise_inputs(image, depthwise, pointwise, border)
    height, width, channels = data.shape
    maps, kh, kw = kernels.shape
    check_extent(kh, kw, dilation, height, width)
    multiplier, p = maps // channels, mix.shape[0]
    ho, wo = output_size(height, width, stride)
    copied = not (isinstance(image, np.ndarray) and np.may_share_memory(image, data))
    needed = depthwise_need(
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
        padded = _pad(data, *dilated_window(anchor, (kh, kw), dilation), border)
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
