"""The ways :func:`normal_conv` can compute a full ``(P, C, kh, kw)`` convolution.

Each function takes a float32 ``(H, W, C)`` image, float32 weights ``(P, C, kh, kw)`` already
oriented for correlation, their anchor ``(row, col)`` and a border name, and returns float32
``(H, W, P)``. They all compute the same numbers; they differ in how the work grows:

direct
    One OpenCV ``filter2D`` per (output, input) pair, summed, in cache-sized row bands of a
    once-padded image (see direct.py): the textbook sliding sum whose cost is the
    multiplication count. (OpenCV itself switches to a DFT inside ``filter2D`` for
    kernels of about 11x11 and larger, so "direct" stops growing with k^2 there.)
gemm
    im2col in row tiles (bounded memory) and one BLAS matrix product per tile.
kn2row
    One BLAS product per row band of vertically shifted source rows against a (kw*P, C*kh)
    weight matrix, its kw partial maps summed at their horizontal offsets (see gemm_shift.py):
    every product of the sliding sum once, without a full im2col copy.
fft
    Each padded input channel transformed once, the kernels' spectra kept between calls (see
    fft_path), the sum over C fused into the frequency-domain product, one batched inverse
    transform per chunk of output channels.
"""

from __future__ import annotations


import cv2
import numpy as np

from . import direct as direct_path
from . import fft_path
from . import gemm_shift
from .filtering import CV_MAX_CHANNELS, pad_plane
from .threads import PerThread, parallel_for, shares

ALGORITHMS: tuple[str, ...] = ("auto", "direct", "gemm", "kn2row", "fft")

#: The algorithms "auto" chooses among (all but "auto").
CHOSEN: tuple[str, ...] = ALGORITHMS[1:]

#: Largest im2col tile, in bytes; keeps GEMM memory bounded whatever the image size. 2-4 MiB
#: measured fastest (the tile is still in cache when BLAS reads it); 16 MiB was 10-40% slower.
GEMM_TILE_BYTES = 4 * 2**20

# Re-exported: the FFT path and its sizes live in fft_path.
FFT_CHUNK_BYTES = fft_path.FFT_CHUNK_BYTES
fft_sizes = fft_path.fft_sizes
smooth_length = fft_path.smooth_length


def direct(image, weights, anchor, border):
    return direct_path.direct(image, weights, anchor, border, padded_planes)


def padded_planes(image: np.ndarray, anchor, shape, border) -> np.ndarray:
    """The image padded for a 'valid' correlation, channels first: ``(C, H+kh-1, W+kw-1)``."""
    height, width, channels = image.shape
    out = np.empty((channels, height + shape[0] - 1, width + shape[1] - 1), dtype=np.float32)
    # Chunks of channels keep the padded channels-last copy small and within OpenCV's limit.
    for first in range(0, channels, CV_MAX_CHANNELS):
        last = min(channels, first + CV_MAX_CHANNELS)
        padded = pad_plane(np.ascontiguousarray(image[:, :, first:last]), anchor, shape, border)
        if last - first == 1:
            out[first] = padded.reshape(out.shape[1:])
        else:
            # One OpenCV pass into the planes instead of numpy's transposed copy (strided
            # 4-byte reads): 640x480, C=16 10.8 -> 7.2 ms, C=130 339 -> 108 ms (busy machine).
            cv2.split(padded, mv=list(out[first:last]))
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

    largest = max(rows * cols for _, rows, _, cols in tiles)
    buffers = PerThread(lambda: np.empty(taps * largest, np.float32))

    def run(first: int, last: int) -> None:
        # Each thread copies and multiplies tiles in its own buffer, kept for the whole call
        # (single-threaded BLAS per tile: no hand-offs inside a product). Tiles are claimed
        # a few at a time, so a thread slowed by another process holds up few of them.
        buffer = buffers.get()
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

    parallel_for(len(tiles), run, pieces=shares(len(tiles)))
    return out


def kn2row(image, weights, anchor, border):
    return gemm_shift.gemm_shift(image, weights, anchor, border, padded_planes)


def fft(image, weights, anchor, border):
    return fft_path.fft(image, weights, anchor, border, padded_planes)


#: Cost model of "auto", in nanoseconds per output pixel. Refitted 2026-11-28 by
#: ``python -m sepconv_gui.bench.fit_auto`` (320x240, C and P in {1, 3, 32, 256}, k in
#: {3, 7, 15}, engine threads 2, BLAS single-threaded inside calls) on a machine shared with
#: other jobs: every constant came out about twice its quiet-machine value, so only the
#: ranking is meant. The fft terms are the fit without kept spectra; with them the
#: spectrum term drops out. Table and command in docs/engine.md.
# direct refitted 2026-11-28 after the banded path (direct.py): timed against gemm in the same
# run (640x480, C in {1, 3, 8}, P in {1, 8}, k in {3, 5, 7}, interleaved) and expressed in
# the gemm model's units, so the ranking against the older gemm/fft constants holds. P=32
# was left out: there gemm wins by 1.6-2.6x whatever the direct constants.
DIRECT_NS_PER_PAIR = 0.35  # one filter2D call per (output, input) pair, per pixel ...
DIRECT_NS_PER_TAP = 0.048  # ... plus this per kernel tap
GEMM_NS_FIXED = 5.7  # padding, transposes and small-matrix overhead of the tiles
GEMM_NS_PER_TAP_COPY = 0.20  # im2col: every tap of every input channel is copied once
GEMM_NS_PER_MAC = 0.0306  # BLAS sgemm, multiply-accumulates per pixel
# kn2row fitted 2026-11-28 by ``python -m sepconv_gui.bench.fit_normal`` (640x480, C in
# {1, 3, 8, 16}, P in {1, 8, 32}, k in {3, 5, 7}, one engine thread, timed against direct
# and gemm in the same run, busy machine) in the gemm model's units (a fixed term fitted to 0).
KN2ROW_NS_PER_ROW_COPY = 0.61  # the C*kh shifted source rows copied per pixel
KN2ROW_NS_PER_MAC = 0.0193  # BLAS sgemm, multiply-accumulates per pixel
KN2ROW_NS_PER_SUM = 0.44  # summing the kw*P partial maps at their offsets
#: kn2row is weighed only within the kernel sizes its terms were fitted on: at 1280x720x3,
#: k = 15 (quiet, one run, medians of 3) it took 91 ms against fft's 82 at P = 8 and 306
#: against 192 at P = 32, where the extrapolated model had picked it over fft.
KN2ROW_MAX_KERNEL = 7
FFT_NS_PER_TRANSFORM = 7.2  # C forward and P inverse transforms
FFT_NS_PER_PRODUCT = 0.90  # P*C complex spectrum products and sums
FFT_NS_PER_SPECTRUM_ROW = 0.161  # P*C kernel spectra, each kh DFT rows, when not kept


def candidates(kh: int, kw: int) -> tuple[str, ...]:
    """The algorithms ``auto`` weighs for a kh x kw kernel (see KN2ROW_MAX_KERNEL)."""
    if max(kh, kw) <= KN2ROW_MAX_KERNEL:
        return CHOSEN
    return tuple(name for name in CHOSEN if name != "kn2row")


def estimated_ns_per_pixel(
    algorithm: str,
    channels: int,
    out_channels: int,
    kh: int,
    kw: int,
    *,
    cached: bool = False,
    overlap: float = 1.0,
) -> float:
    """The cost model behind ``choose``: estimated nanoseconds per output pixel.

    ``cached`` (fft only): the kernels' spectra are already kept from an earlier call.
    ``overlap`` (fft only): transformed values per output value relative to one full frame,
    above 1 when the call runs in overlap-save tiles (``fft_path.tile_overlap``).
    """
    taps, pairs = kh * kw, channels * out_channels
    if algorithm == "direct":
        return pairs * (DIRECT_NS_PER_PAIR + DIRECT_NS_PER_TAP * taps)
    if algorithm == "gemm":
        return GEMM_NS_FIXED + channels * taps * (
            GEMM_NS_PER_TAP_COPY + GEMM_NS_PER_MAC * out_channels
        )
    if algorithm == "kn2row":
        return (
            KN2ROW_NS_PER_ROW_COPY * channels * kh
            + KN2ROW_NS_PER_MAC * pairs * taps
            + KN2ROW_NS_PER_SUM * out_channels * kw
        )
    if algorithm == "fft":
        spectra = 0.0 if cached else FFT_NS_PER_SPECTRUM_ROW * pairs * kh
        transforms = FFT_NS_PER_TRANSFORM * (channels + out_channels) + FFT_NS_PER_PRODUCT * pairs
        return overlap * transforms + spectra
    raise ValueError(f"no cost model for algorithm {algorithm!r}")


def choose(
    height: int,
    width: int,
    channels: int,
    out_channels: int,
    kh: int,
    kw: int,
    *,
    cached: bool = False,
) -> str:
    """The algorithm "auto" runs when memory is no limit: the cheapest under the cost model.

    All three costs grow with H*W alike, so the image size changes the ranking only through
    memory (see :func:`choose_within_budget`) and through the fft's tiles (big banks run in
    overlap-save tiles, which transform some values twice); ``cached`` says the fft's kernel
    spectra are kept from an earlier call.
    """
    overlap = fft_path.tile_overlap(height, width, out_channels, channels, kh, kw)
    costs = {
        name: estimated_ns_per_pixel(
            name, channels, out_channels, kh, kw, cached=cached, overlap=overlap
        )
        for name in candidates(kh, kw)
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
    *,
    cached: bool = False,
    copies_weights: bool = True,
) -> tuple[str, int]:
    """The algorithm "auto" runs and its predicted peak bytes.

    The fastest under the cost model among those whose memory estimate fits the budget; when
    none fits, the one needing least memory (the caller then refuses it with the numbers).
    ``extra`` is memory the call needs whatever runs (the input's float32 copy);
    ``copies_weights``: whether the call copies the bank (not float32, or flip=True).
    """
    from .memory import _normal_bytes, memory_budget, with_slack

    names = candidates(kh, kw)
    needs = {
        n: with_slack(
            extra
            + _normal_bytes(n, height, width, channels, out_channels, kh, kw, wrap, copies_weights)
        )
        for n in names
    }
    budget = memory_budget()
    fitting = [n for n in names if needs[n] <= budget]
    if not fitting:
        smallest = min(names, key=needs.get)
        return smallest, needs[smallest]
    overlap = fft_path.tile_overlap(height, width, out_channels, channels, kh, kw)
    costs = {
        n: estimated_ns_per_pixel(n, channels, out_channels, kh, kw, cached=cached, overlap=overlap)
        for n in fitting
    }
    best = min(costs, key=costs.get)
    return best, needs[best]


FUNCTIONS = {"direct": direct, "gemm": gemm, "kn2row": kn2row, "fft": fft}
