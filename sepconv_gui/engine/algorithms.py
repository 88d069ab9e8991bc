"""The ways :func:`normal_conv` can compute a full ``(P, C, kh, kw)`` convolution.

Each function takes a float32 ``(H, W, C)`` image, float32 weights ``(P, C, kh, kw)`` already
oriented for correlation, their anchor ``(row, col)`` and a border name, and returns float32
``(H, W, P)``. They all compute the same numbers; they differ in how the work grows:

direct
    One OpenCV ``filter2D`` per (output, input) pair, summed: the textbook sliding sum whose
    cost is the multiplication count. (OpenCV itself switches to a DFT inside ``filter2D`` for
    kernels of about 11x11 and larger, so "direct" stops growing with k^2 there.)
gemm
    im2col in row tiles (bounded memory) and one BLAS matrix product per tile.
fft
    Each padded input channel and each kernel transformed once; products summed per output
    channel in the frequency domain; one inverse transform per output channel.
"""

from __future__ import annotations

import numpy as np

from .filtering import correlate_plane, pad_plane

# scipy.fft: multi-threaded, keeps float32 as complex64, and knows fast transform lengths.
import scipy.fft as _fft

ALGORITHMS: tuple[str, ...] = ("auto", "direct", "gemm", "fft")

#: Largest im2col tile, in bytes; keeps GEMM memory bounded whatever the image size.
GEMM_TILE_BYTES = 16 * 2**20


def planes(image: np.ndarray) -> list[np.ndarray]:
    """The channels of an ``(H, W, C)`` image as contiguous 2-D planes."""
    return [np.ascontiguousarray(image[:, :, c]) for c in range(image.shape[2])]


def stack_channels(maps: list[np.ndarray]) -> np.ndarray:
    """Stack 2-D planes into a contiguous channels-last ``(H, W, n)`` array."""
    out = np.empty(maps[0].shape + (len(maps),), dtype=np.float32)
    for index, plane in enumerate(maps):
        out[:, :, index] = plane
    return out


def direct(image, weights, anchor, border):
    channel_planes = planes(image)
    outputs = []
    for kernels in weights:
        acc = correlate_plane(channel_planes[0], kernels[0], anchor, border)
        for plane, kernel in zip(channel_planes[1:], kernels[1:]):
            acc += correlate_plane(plane, kernel, anchor, border)
        outputs.append(acc)
    return stack_channels(outputs)


def gemm(image, weights, anchor, border):
    height, width, channels = image.shape
    p, _, kh, kw = weights.shape
    padded = pad_plane(image, anchor, (kh, kw), border)
    if padded.ndim == 2:  # OpenCV drops a single channel axis
        padded = padded[:, :, np.newaxis]
    taps = kh * kw * channels
    # Patch columns ordered (i, j, c) so every tap copies a contiguous (rows, W, C) block.
    matrix = np.ascontiguousarray(weights.transpose(2, 3, 1, 0).reshape(taps, p))
    out = np.empty((height, width, p), dtype=np.float32)
    rows = max(1, GEMM_TILE_BYTES // (width * taps * 4))
    cols = np.empty((rows, width, kh, kw, channels), dtype=np.float32)
    for top in range(0, height, rows):
        n = min(rows, height - top)
        tile = cols[:n]
        for i in range(kh):
            for j in range(kw):
                tile[:, :, i, j, :] = padded[top + i : top + i + n, j : j + width, :]
        np.matmul(tile.reshape(n * width, taps), matrix, out=out[top : top + n].reshape(-1, p))
    return out


def fft_sizes(height: int, width: int) -> tuple[int, int]:
    return _fft.next_fast_len(height, True), _fft.next_fast_len(width, True)


def fft(image, weights, anchor, border):
    height, width, channels = image.shape
    p, _, kh, kw = weights.shape
    padded = pad_plane(image, anchor, (kh, kw), border)
    if padded.ndim == 2:
        padded = padded[:, :, np.newaxis]
    shape = fft_sizes(padded.shape[0], padded.shape[1])
    workers = {"workers": -1}
    spectra = _fft.rfft2(padded.transpose(2, 0, 1), s=shape, axes=(1, 2), **workers)
    out = np.empty((height, width, p), dtype=np.float32)
    for index in range(p):
        # Correlation is convolution with the kernel rotated by 180 degrees.
        rotated = weights[index, :, ::-1, ::-1]
        kernel_spectra = _fft.rfft2(rotated, s=shape, axes=(1, 2), **workers)
        product = np.einsum("chw,chw->hw", spectra, kernel_spectra)
        full = _fft.irfft2(product, s=shape, **workers)
        out[:, :, index] = full[kh - 1 : kh - 1 + height, kw - 1 : kw - 1 + width]
    return out


def choose(height: int, width: int, channels: int, out_channels: int, kh: int, kw: int) -> str:
    """The algorithm "auto" runs: a cost model fitted to measurements (see docs/performance.md).

    direct costs ~P*C*H*W*min(kh*kw, ~120) (OpenCV caps it with its own DFT), gemm ~
    H*W*C*kh*kw*P at BLAS speed plus the im2col copy, fft ~ (C + P*C + P) transforms.
    """
    taps = kh * kw
    if taps >= 121 and out_channels * channels >= 4:
        return "fft"
    if out_channels * channels <= 2:
        return "direct"
    return "gemm"


FUNCTIONS = {"direct": direct, "gemm": gemm, "fft": fft}
