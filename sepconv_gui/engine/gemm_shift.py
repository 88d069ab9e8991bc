"""Normal convolution as one matrix product per row band, the horizontal taps summed after.

Every one of the P * C * kh * kw products of the sliding sum is still computed once per
output pixel; only the order of the sums changes. For an output pixel (y, x):

    out[y, x, p] = sum_dx  Y[dx, p][y, x + dx]
    Y[dx, p][y, x'] = sum_(c, dy)  w[p, c, dy, dx] * pad[c, y + dy, x']

Y is one BLAS product: the (kw * P, C * kh) weight matrix times the band's (C * kh, rows *
padded width) matrix of vertically shifted source rows. Those rows are plain contiguous copies
of the padded image (a band's C * kh row windows), far cheaper than a full im2col, which
copies all C * kh * kw taps of every pixel. The kw horizontal taps become column offsets into
Y, summed with long contiguous adds; the finished band is interleaved into its rows of the
channels-last output.

Where it pays (measured on one thread, 640x480, k=5, P=8, same run, interleaved): C=8 20 ms
against 27 (direct, banded filter2D) and 40 (gemm, full im2col); C=16 40 against 59 and 72.
With few input channels the product is too thin for BLAS (C=3: about even with direct) and
with many outputs the kw * P partial maps cost more to sum than a full im2col costs to copy
(P=32: gemm wins); ``auto``'s cost model (algorithms.py) decides.
"""

from __future__ import annotations


import numpy as np

from .direct import _interleave
from .threads import PerThread, parallel_for, shares

#: Values of the partial maps Y per band (kw * P rows of rows * padded-width values). About
#: 1 MiB keeps them in the core's L2 cache between the product and the sums: at 640x480x8,
#: P=8, k=5 bands of 8 and 16 rows (0.8 and 1.6 MiB) timed alike, 32 rows 5% slower.
PARTIAL_VALUES = 256 * 1024


def band_rows(height: int, padded_width: int, out_channels: int, kw: int) -> int:
    """Output rows per band: Y within PARTIAL_VALUES, at least 1, at most the image."""
    rows = PARTIAL_VALUES // (kw * out_channels * padded_width)
    return max(1, min(height, rows))


def weight_matrix(weights: np.ndarray) -> np.ndarray:
    """The ``(kw * P, C * kh)`` matrix: row (dx, p), column (c, dy) holds ``w[p, c, dy, dx]``."""
    outputs, channels, kh, kw = weights.shape
    return np.ascontiguousarray(weights.transpose(3, 0, 1, 2).reshape(kw * outputs, channels * kh))


def gemm_shift(image, weights, anchor, border, padded_planes) -> np.ndarray:
    """``out[..., p] = sum_c corr(image[..., c], weights[p, c])`` (see algorithms.py).

    ``padded_planes(image, anchor, shape, border)`` gives the ``(C, H+kh-1, W+kw-1)`` image
    padded for a 'valid' correlation.
    """
    height, width, channels = image.shape
    outputs, _, kh, kw = weights.shape
    source = padded_planes(image, anchor, (kh, kw), border)
    padded_width = width + kw - 1
    matrix = weight_matrix(weights)
    taps = channels * kh
    rows = band_rows(height, padded_width, outputs, kw)
    bands = -(-height // rows)
    out = np.empty((height, width, outputs), dtype=np.float32)
    plane_stride, row_stride, item = source.strides
    values = rows * padded_width
    scratch = PerThread(
        lambda: (
            np.empty(taps * values, dtype=np.float32),
            np.empty(kw * outputs * values, dtype=np.float32),
            np.empty(outputs * rows * width, dtype=np.float32),
        )
    )

    def run(first: int, last: int) -> None:
        shifted, partial, summed = scratch.get()
        for band in range(first, last):
            top = band * rows
            count = min(rows, height - top)
            values = count * padded_width
            # Row (c, dy) of the band's matrix: plane c's rows top + dy .. top + dy + count.
            windows = np.lib.stride_tricks.as_strided(
                source[:, top:],
                shape=(channels, kh, count, padded_width),
                strides=(plane_stride, row_stride, row_stride, item),
                writeable=False,
            )
            block = shifted[: taps * values].reshape(taps, values)
            np.copyto(block.reshape(windows.shape), windows)
            maps = partial[: kw * outputs * values].reshape(kw * outputs, values)
            np.matmul(matrix, block, out=maps)
            maps = maps.reshape(kw, outputs, count, padded_width)
            # Tap dx reads its partial map dx columns to the right; a row's last kw - 1
            # columns only ever feed pixels left of them, never the next row.
            if kw == 1:
                planes = maps[0, :, :, :width]
            else:
                planes = summed[: outputs * count * width].reshape(outputs, count, width)
                np.add(maps[0, :, :, :width], maps[1, :, :, 1 : 1 + width], out=planes)
                for dx in range(2, kw):
                    np.add(planes, maps[dx, :, :, dx : dx + width], out=planes)
            _interleave(list(planes), out[top : top + count], 0)

    parallel_for(bands, run, pieces=shares(bands))
    return out
