"""Slow, plain float64 versions of every mode: the truth the fast paths are tested against.

Written for obviousness, not speed: pad with ``numpy.pad``, then add up one shifted copy of the
image per kernel tap (all channels of a tap at once, so hundreds of channels stay quick).
Nothing here calls OpenCV.
"""

from __future__ import annotations

import numpy as np

_NUMPY_PAD_MODE = {
    "reflect101": "reflect",  # OpenCV's BORDER_REFLECT_101: gfedcb|abcdefgh|gfedcba
    "reflect": "symmetric",  # OpenCV's BORDER_REFLECT: fedcba|abcdefgh|hgfedcb
    "replicate": "edge",
    "constant": "constant",
    "wrap": "wrap",
}


def correlate(plane: np.ndarray, kernel: np.ndarray, border: str, flip: bool) -> np.ndarray:
    """Correlate (or, with ``flip``, convolve) one 2-D plane with one 2-D kernel, in float64."""
    plane = np.asarray(plane, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    ay, ax = kh // 2, kw // 2
    if flip:
        # True convolution: out[y, x] = sum K[i, j] * I[y - (i - ay), x - (j - ax)].
        kernel = kernel[::-1, ::-1]
        ay, ax = kh - 1 - ay, kw - 1 - ax
    padded = np.pad(plane, ((ay, kh - 1 - ay), (ax, kw - 1 - ax)), mode=_NUMPY_PAD_MODE[border])
    height, width = plane.shape
    out = np.zeros((height, width))
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * padded[i : i + height, j : j + width]
    return out


def _channels_last(image) -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
    return image[:, :, None] if image.ndim == 2 else image


def _pair(value) -> tuple[int, int]:
    return (value, value) if np.ndim(value) == 0 else tuple(value)


def _shifted_windows(image: np.ndarray, kh: int, kw: int, border: str, flip: bool, **grid):
    """Yield ``(i, j, window)``: the ``(H, W, C)`` image shifted for kernel tap ``(i, j)``.

    The same padding and tap order as :func:`correlate`, for every channel at once, so the
    channel sums below are plain array arithmetic (fast enough for hundreds of channels).
    ``grid`` may give ``stride`` and ``dilation``: tap (i, j) of output (y, x) then reads
    ``(sy*y + dy*(i - ay), sx*x + dx*(j - ax))``, windows of ``ceil(H/sy) x ceil(W/sx)``.
    """
    (sy, sx), (dy, dx) = _pair(grid.get("stride", 1)), _pair(grid.get("dilation", 1))
    ay, ax = kh // 2, kw // 2
    if flip:
        ay, ax = kh - 1 - ay, kw - 1 - ax
    pads = ((dy * ay, dy * (kh - 1 - ay)), (dx * ax, dx * (kw - 1 - ax)), (0, 0))
    padded = np.pad(image, pads, mode=_NUMPY_PAD_MODE[border])
    height, width = image.shape[:2]
    for i in range(kh):
        for j in range(kw):
            # With flip, tap (i, j) of the rotated kernel is K[kh-1-i, kw-1-j].
            ki, kj = (kh - 1 - i, kw - 1 - j) if flip else (i, j)
            yield ki, kj, padded[dy * i : dy * i + height : sy, dx * j : dx * j + width : sx]


def _grid_shape(image: np.ndarray, grid: dict) -> tuple[int, int]:
    (sy, sx) = _pair(grid.get("stride", 1))
    return -(-image.shape[0] // sy), -(-image.shape[1] // sx)


def normal(image, weights, border="reflect101", flip=False, **grid) -> np.ndarray:
    """``out[..., p] = sum_c correlate(image[..., c], weights[p, c])``.

    ``grid``: optional ``stride`` and ``dilation`` (see :func:`_shifted_windows`).
    """
    image, weights = _channels_last(image), np.asarray(weights, dtype=np.float64)
    kh, kw = weights.shape[2:]
    out = np.zeros(_grid_shape(image, grid) + (weights.shape[0],))
    for i, j, window in _shifted_windows(image, kh, kw, border, flip, **grid):
        out += window @ weights[:, :, i, j].T
    return out


def spatial(image, column, row, border="reflect101", flip=False, **grid) -> np.ndarray:
    """The spatial-separable result computed as one 2-D kernel: sum of outer products."""
    columns, rows = np.atleast_2d(column), np.atleast_2d(row)
    kernel = sum(np.outer(c, r) for c, r in zip(columns, rows))
    image = _channels_last(image)
    if grid:
        out = np.zeros(_grid_shape(image, grid) + image.shape[2:])
        for i, j, window in _shifted_windows(image, *kernel.shape, border, flip, **grid):
            out += kernel[i, j] * window
        return out
    return np.stack(
        [correlate(image[:, :, i], kernel, border, flip) for i in range(image.shape[2])], axis=2
    )


def depthwise(image, depthwise_kernels, pointwise, border="reflect101", flip=False, **grid):
    """Depthwise maps ``(H, W, C*M)`` and pointwise output ``(H, W, P)`` (``grid`` as normal)."""
    image = _channels_last(image)
    depthwise_kernels = np.asarray(depthwise_kernels, dtype=np.float64)
    maps_count, kh, kw = depthwise_kernels.shape
    multiplier = maps_count // image.shape[2]
    # Map k filters channel k // M: repeat each channel M times, then one kernel per map.
    repeated = np.repeat(image, multiplier, axis=2)
    maps = np.zeros(_grid_shape(image, grid) + (maps_count,))
    for i, j, window in _shifted_windows(repeated, kh, kw, border, flip, **grid):
        maps += window * depthwise_kernels[:, i, j]
    pointwise = np.asarray(pointwise, dtype=np.float64)
    return maps, np.einsum("hwk,pk->hwp", maps, pointwise)
