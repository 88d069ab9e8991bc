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

import cv2
import numpy as np

# scipy.fft: multi-threaded, keeps float32 as complex64, and knows fast transform lengths.
import scipy.fft as _fft

from .filtering import CV_MAX_CHANNELS, correlate_plane, pad_plane
from .threads import num_threads, parallel_for

ALGORITHMS: tuple[str, ...] = ("auto", "direct", "gemm", "fft")

#: Largest im2col tile, in bytes; keeps GEMM memory bounded whatever the image size. 2-4 MiB
#: measured fastest (the tile is still in cache when BLAS reads it); 16 MiB was 10-40% slower.
GEMM_TILE_BYTES = 4 * 2**20

#: Largest batch of output spectra the FFT path holds at once, in bytes.
FFT_CHUNK_BYTES = 32 * 2**20


def planes(image: np.ndarray) -> list[np.ndarray]:
    """The channels of an ``(H, W, C)`` image as contiguous 2-D planes."""
    return [np.ascontiguousarray(image[:, :, c]) for c in range(image.shape[2])]


def stack_channels(maps: list[np.ndarray]) -> np.ndarray:
    """Stack 2-D planes into a contiguous channels-last ``(H, W, n)`` array.

    ``cv2.merge`` interleaves in one C++ pass, twice as fast as numpy's per-plane strided
    copies; past OpenCV's channel limit (CV_MAX_CHANNELS) numpy does it.
    """
    height, width = maps[0].shape
    if len(maps) <= CV_MAX_CHANNELS:
        return cv2.merge(maps).reshape(height, width, len(maps))
    out = np.empty((height, width, len(maps)), dtype=np.float32)
    for index, plane in enumerate(maps):
        out[:, :, index] = plane
    return out


def direct(image, weights, anchor, border):
    channel_planes = planes(image)
    outputs: list[np.ndarray | None] = [None] * weights.shape[0]

    def run(first: int, last: int) -> None:
        # Output channels are independent: the engine's threads take a share each.
        for index in range(first, last):
            kernels = weights[index]
            acc = correlate_plane(channel_planes[0], kernels[0], anchor, border)
            for plane, kernel in zip(channel_planes[1:], kernels[1:]):
                acc += correlate_plane(plane, kernel, anchor, border)
            outputs[index] = acc

    parallel_for(len(outputs), run)
    return stack_channels(outputs)


def padded_planes(image: np.ndarray, anchor, shape, border) -> np.ndarray:
    """The image padded for a 'valid' correlation, channels first: ``(C, H+kh-1, W+kw-1)``."""
    height, width, channels = image.shape
    out = np.empty((channels, height + shape[0] - 1, width + shape[1] - 1), dtype=np.float32)
    # Chunks of channels keep the padded channels-last copy small and within OpenCV's limit.
    for first in range(0, channels, CV_MAX_CHANNELS):
        last = min(channels, first + CV_MAX_CHANNELS)
        padded = pad_plane(np.ascontiguousarray(image[:, :, first:last]), anchor, shape, border)
        out[first:last] = padded.reshape(out.shape[1:] + (last - first,)).transpose(2, 0, 1)
    return out


def _gemm_tiles(height: int, width: int, taps: int):
    """``(top, rows, left, cols)`` output tiles whose im2col block fits GEMM_TILE_BYTES."""
    per_pixel = taps * 4
    rows = GEMM_TILE_BYTES // (per_pixel * width)
    if rows >= 1:
        for top in range(0, height, rows):
            yield top, min(rows, height - top), 0, width
        return
    # Huge kernels on wide images: even one output row is too big, so split rows too.
    cols = max(1, GEMM_TILE_BYTES // per_pixel)
    for top in range(height):
        for left in range(0, width, cols):
            yield top, 1, left, min(cols, width - left)


def gemm(image, weights, anchor, border):
    height, width, channels = image.shape
    p, _, kh, kw = weights.shape
    source = padded_planes(image, anchor, (kh, kw), border)
    taps = channels * kh * kw
    # The im2col block is tap-major, (C*kh*kw, pixels): each tap's row is a plain copy of a
    # shifted image window (long contiguous runs), the whole tile is one strided np.copyto,
    # and BLAS reads it transposed, which OpenBLAS's sgemm handles at full speed. Tiles of a
    # few MiB stay in L2/L3 between the copy and the product: 5x faster than one 16 MiB
    # pixel-major tile, where every tap wrote C floats at a stride of C*kh*kw.
    matrix = np.ascontiguousarray(weights.reshape(p, taps).T)
    out = np.empty((height, width, p), dtype=np.float32)
    plane_stride, row_stride, item = source.strides
    tiles = list(_gemm_tiles(height, width, taps))

    def run(first: int, last: int) -> None:
        # Each thread copies and multiplies its own tiles in its own buffer (single-threaded
        # BLAS per tile: no hand-offs inside a product).
        largest = max(rows * cols for _, rows, _, cols in tiles[first:last])
        buffer = np.empty(taps * largest, dtype=np.float32)
        for top, rows, left, cols in tiles[first:last]:
            window = np.lib.stride_tricks.as_strided(
                source[:, top:, left:],
                shape=(channels, kh, kw, rows, cols),
                strides=(plane_stride, row_stride, item, row_stride, item),
                writeable=False,
            )
            tile = buffer[: taps * rows * cols].reshape(taps, rows * cols)
            np.copyto(tile.reshape(channels, kh, kw, rows, cols), window)
            target = out[top : top + rows, left : left + cols].reshape(rows * cols, p)
            np.matmul(tile.T, matrix, out=target)

    parallel_for(len(tiles), run)
    return out


def smooth_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n.

    scipy's next_fast_len also accepts factors 7 and 11, but pocketfft is up to 4x slower on
    those: 1280 + 30 padded to 1323 = 3^3 7^2 took 6 ns per pixel, 1350 = 2 3^3 5^2 took 1.4.
    """
    best = 2 * n
    power2 = 1
    while power2 < best:
        power23 = power2
        while power23 < best:
            length = power23
            while length < n:
                length *= 5
            best = min(best, length)
            power23 *= 3
        power2 *= 2
    return best


def fft_sizes(height: int, width: int) -> tuple[int, int]:
    return smooth_length(height), smooth_length(width)


def _workers() -> int:
    """FFT threads: the engine's own setting (scipy's workers block, they do not spin)."""
    return num_threads()


def _dft_matrix(length: int, taps: int, half: bool) -> np.ndarray:
    """``exp(-2 pi i u t / length)`` for frequencies u and taps t, as complex64."""
    frequencies = np.arange(length // 2 + 1 if half else length)
    angles = -2.0 * np.pi * np.outer(frequencies, np.arange(taps)) / length
    return np.exp(1j * angles).astype(np.complex64)


def fft(image, weights, anchor, border):
    height, width, channels = image.shape
    p, _, kh, kw = weights.shape
    source = padded_planes(image, anchor, (kh, kw), border)
    fh, fw = fft_sizes(source.shape[1], source.shape[2])
    workers = _workers()
    spectra = _fft.rfft2(source, s=(fh, fw), axes=(1, 2), workers=workers)
    # Correlation is convolution with the kernel rotated by 180 degrees.
    rotated = np.ascontiguousarray(weights[:, :, ::-1, ::-1])
    # A kh x kw kernel's spectrum is two small DFT-matrix products (BLAS), not an FFT of a
    # mostly-zero fh x fw array: 3-10x cheaper for every kernel size in the grid.
    rows_dft = _dft_matrix(fh, kh, half=False)  # (fh, kh)
    cols_dft = _dft_matrix(fw, kw, half=True).T  # (kw, fw//2 + 1)
    out = np.empty((height, width, p), dtype=np.float32)
    # Outputs go through the inverse FFT in chunks: batched transforms thread well, and the
    # chunk's spectra bound the memory whatever P is.
    chunk = max(1, min(p, FFT_CHUNK_BYTES // (fh * (fw // 2 + 1) * 8)))
    products = np.empty((chunk, fh, fw // 2 + 1), dtype=np.complex64)
    kernel_spectra = np.empty_like(spectra)
    for first in range(0, p, chunk):
        count = min(chunk, p - first)
        for index in range(count):
            half = rotated[first + index] @ cols_dft  # (C, kh, fw/2+1)
            for c in range(channels):
                # One 2-D product per channel: numpy's broadcasting matmul (2-D @ 3-D) skips
                # BLAS and was 35x slower.
                np.matmul(rows_dft, half[c], out=kernel_spectra[c])
            kernel_spectra *= spectra
            np.sum(kernel_spectra, axis=0, out=products[index])
        full = _fft.irfft2(products[:count], s=(fh, fw), axes=(1, 2), workers=workers)
        valid = full[:, kh - 1 : kh - 1 + height, kw - 1 : kw - 1 + width]
        out[:, :, first : first + count] = valid.transpose(1, 2, 0)
    return out


#: Cost model of "auto", in nanoseconds per output pixel, fitted to interleaved medians on
#: 640x480 images, C in {1, 3}, P in {1, 3, 8, 32}, k in {3..15}, 2 threads (the command and
#: table are in docs/performance.md). Only the ranking matters, so rough constants do.
DIRECT_NS_PER_PAIR = 0.4  # one filter2D call per (output, input) pair, per pixel ...
DIRECT_NS_PER_TAP = 0.035  # ... plus this per kernel tap
GEMM_NS_FIXED = 3.0  # padding, transposes and small-matrix overhead of the tiles
GEMM_NS_PER_TAP_COPY = 0.11  # im2col: every tap of every input channel is copied once
GEMM_NS_PER_MAC = 0.0128  # BLAS sgemm, multiply-accumulates per pixel
FFT_NS_PER_TRANSFORM = 5.3  # C forward and P inverse transforms
FFT_NS_PER_PRODUCT = 0.46  # P*C complex spectrum products and sums


def estimated_ns_per_pixel(
    algorithm: str, channels: int, out_channels: int, kh: int, kw: int
) -> float:
    """The cost model behind ``choose``: estimated nanoseconds per output pixel."""
    taps, pairs = kh * kw, channels * out_channels
    if algorithm == "direct":
        return pairs * (DIRECT_NS_PER_PAIR + DIRECT_NS_PER_TAP * taps)
    if algorithm == "gemm":
        return GEMM_NS_FIXED + channels * taps * (
            GEMM_NS_PER_TAP_COPY + GEMM_NS_PER_MAC * out_channels
        )
    if algorithm == "fft":
        return FFT_NS_PER_TRANSFORM * (channels + out_channels) + FFT_NS_PER_PRODUCT * pairs
    raise ValueError(f"no cost model for algorithm {algorithm!r}")


def choose(height: int, width: int, channels: int, out_channels: int, kh: int, kw: int) -> str:
    """The algorithm "auto" runs: the cheapest under ``estimated_ns_per_pixel``.

    All three costs grow with H*W alike, so the image size does not change the ranking;
    it is accepted so a future model can account for cache effects on large frames.
    """
    del height, width
    costs = {
        name: estimated_ns_per_pixel(name, channels, out_channels, kh, kw)
        for name in ("direct", "gemm", "fft")
    }
    return min(costs, key=costs.get)


def choose_within_budget(
    height: int,
    width: int,
    channels: int,
    out_channels: int,
    kh: int,
    kw: int,
    wrap: bool = True,
    extra: int = 0,
) -> tuple[str, int]:
    """The algorithm "auto" runs and its predicted peak bytes.

    The fastest under the cost model among those whose memory estimate fits the budget; when
    none fits, the one needing least memory (the caller then refuses it with the numbers).
    ``extra`` is memory the call needs whatever runs (the input's float32 copy).
    """
    from .memory import _normal_bytes, memory_budget, with_slack

    names = ("direct", "gemm", "fft")
    needs = {
        n: with_slack(extra + _normal_bytes(n, height, width, channels, out_channels, kh, kw, wrap))
        for n in names
    }
    budget = memory_budget()
    fitting = [n for n in names if needs[n] <= budget]
    if not fitting:
        smallest = min(names, key=needs.get)
        return smallest, needs[smallest]
    costs = {n: estimated_ns_per_pixel(n, channels, out_channels, kh, kw) for n in fitting}
    best = min(costs, key=costs.get)
    return best, needs[best]


FUNCTIONS = {"direct": direct, "gemm": gemm, "fft": fft}
