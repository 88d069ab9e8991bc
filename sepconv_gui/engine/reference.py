"""Slow, plain float64 versions of every mode: the truth the fast paths are tested against.

Written for obviousness, not speed: pad with ``numpy.pad``, then add up one shifted copy of the
image per kernel tap. Nothing here calls OpenCV.
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


def normal(image, weights, border="reflect101", flip=False) -> np.ndarray:
    image, weights = _channels_last(image), np.asarray(weights, dtype=np.float64)
    p, c = weights.shape[:2]
    out = np.zeros(image.shape[:2] + (p,))
    for o in range(p):
        for i in range(c):
            out[:, :, o] += correlate(image[:, :, i], weights[o, i], border, flip)
    return out


def spatial(image, column, row, border="reflect101", flip=False) -> np.ndarray:
    """The spatial-separable result computed as one 2-D kernel: sum of outer products."""
    columns, rows = np.atleast_2d(column), np.atleast_2d(row)
    kernel = sum(np.outer(c, r) for c, r in zip(columns, rows))
    image = _channels_last(image)
    return np.stack(
        [correlate(image[:, :, i], kernel, border, flip) for i in range(image.shape[2])], axis=2
    )


def depthwise(image, depthwise_kernels, pointwise, border="reflect101", flip=False):
    """Depthwise maps ``(H, W, C*M)`` and pointwise output ``(H, W, P)``."""
    image = _channels_last(image)
    depthwise_kernels = np.asarray(depthwise_kernels, dtype=np.float64)
    multiplier = depthwise_kernels.shape[0] // image.shape[2]
    maps = np.stack(
        [
            correlate(image[:, :, k // multiplier], kernel, border, flip)
            for k, kernel in enumerate(depthwise_kernels)
        ],
        axis=2,
    )
    pointwise = np.asarray(pointwise, dtype=np.float64)
    return maps, np.einsum("hwk,pk->hwp", maps, pointwise)
