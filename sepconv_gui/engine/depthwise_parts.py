"""The building blocks of depthwise-separable convolution: filtering every map into a
channels-first buffer over the engine's threads, the pointwise mix, and the rank-1 test that
lets a depthwise kernel run as two 1-D passes. ``separable.depthwise_separable_conv`` puts
them together; the strided path (strided_taps) reuses the mix.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from .bands import apply_seams, band_edges, bands_per_map, run_band
from .filtering import CV_MAX_CHANNELS, anchor_of, filter_into, oriented, sep_filter_into
from .threads import parallel_for, shares, usable_threads

#: A depthwise kernel counts as rank 1 when its second singular value is this small relative
#: to the first: below float32 resolution, so the 1-D passes change nothing visible.
RANK_ONE_TOLERANCE = 1e-6


def uses_transform(maps: int, out_channels: int) -> bool:
    """Whether the pointwise step runs through ``cv2.transform`` rather than a BLAS matmul.

    OpenCV has tuned kernels for small square mixes (and for mixing into one channel); there
    it beat the matmul at 1280x720: 0.30 against 0.91 ms for 3 -> 3, 0.15 against 0.58 for
    2 -> 2, 0.17 against 0.26 for 3 -> 1. Anything else takes its generic per-pixel loop,
    3-8x slower than the matmul (7.9 against 1.1 ms for 3 -> 8). It needs channels-last maps,
    so only the shared-kernel path (which filters all channels in one call) can use it.
    """
    return maps <= 4 and out_channels <= 4 and out_channels in (maps, 1)


#: Pixels per pointwise block: below this a thread's share costs more to hand out than to do.
POINTWISE_GRAIN = 16384


def mix_rows(flat: np.ndarray, mix: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = flat @ mix.T`` for ``(pixels, K)`` ``flat`` (any strides BLAS reads), in row
    blocks over the engine's threads."""
    matrix = np.ascontiguousarray(mix.T)

    def run(first: int, last: int) -> None:
        np.matmul(flat[first:last], matrix, out=out[first:last])

    parallel_for(flat.shape[0], run, grain=POINTWISE_GRAIN, pieces=shares(flat.shape[0]))
    return out


def pointwise_mix(maps: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """``out[..., p] = sum_k mix[p, k] * maps[..., k]`` for channels-last ``(H, W, K)`` maps."""
    height, width, count = maps.shape
    if uses_transform(count, mix.shape[0]):
        return cv2.transform(maps, mix).reshape(height, width, mix.shape[0])
    out = np.empty((height, width, mix.shape[0]), dtype=np.float32)
    mix_rows(maps.reshape(-1, count), mix, out.reshape(-1, mix.shape[0]))
    return out


def channels_first(data: np.ndarray, on_rows=None, planes: np.ndarray | None = None) -> np.ndarray:
    """A contiguous ``(C, H, W)`` copy of ``(H, W, C)`` ``data``, in row blocks over the
    engine's threads. OpenCV's split de-interleaves with SIMD into the planes given to it:
    0.41 ms at 1280x720x3 on one thread, against 0.81 ms for numpy's strided copy (which
    stays for more channels than OpenCV takes). ``on_rows(first, last)`` runs after each
    block on the thread that copied it, while the block is in its cache (the image's
    finiteness check: validation.FiniteCheck.rows). ``planes``: the ``(C, H, W)`` buffer to
    copy into (allocated when None)."""
    height, width, channels = data.shape
    if planes is None:
        planes = np.empty((channels, height, width), dtype=np.float32)
    by_opencv = 1 < channels <= CV_MAX_CHANNELS

    def run(first: int, last: int) -> None:
        if by_opencv:
            cv2.split(data[first:last], [plane[first:last] for plane in planes])
        else:
            np.copyto(planes[:, first:last], data[first:last].transpose(2, 0, 1))
        if on_rows is not None:
            on_rows(first, last)

    parallel_for(height, run, grain=max(1, POINTWISE_GRAIN // width), pieces=shares(height))
    return planes


#: Kernel banks whose rank-1 answer is kept (a live design sends the same bank every frame).
FACTOR_CACHE_SIZE = 4

_factor_cache: dict[tuple, tuple[np.ndarray, np.ndarray] | None] = {}
_factor_lock = threading.Lock()


def rank_one_factors(kernels: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_rank_one_factors_of` ``kernels``, remembered for the last FACTOR_CACHE_SIZE
    banks: the SVD was a fifth of a small call's fixed cost (53 of 254 us, C=3, 7x7)."""
    key = (kernels.shape, kernels.dtype.str, kernels.tobytes())
    with _factor_lock:
        if key in _factor_cache:
            return _factor_cache[key]
    factors = _rank_one_factors_of(kernels)
    if factors is not None:
        for array in factors:
            array.flags.writeable = False  # shared by every call with this bank
    with _factor_lock:
        _factor_cache[key] = factors
        while len(_factor_cache) > FACTOR_CACHE_SIZE:
            del _factor_cache[next(iter(_factor_cache))]
    return factors


def _rank_one_factors_of(kernels: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Column and row factors of every kernel, or None if any kernel is not rank 1."""
    u, s, vt = np.linalg.svd(kernels.astype(np.float64))
    if kernels.shape[1] > 1 and kernels.shape[2] > 1:
        tail = s[:, 1:].max(axis=1)
        if np.any(tail > RANK_ONE_TOLERANCE * np.maximum(s[:, 0], np.finfo(np.float64).tiny)):
            return None
    scale = np.sqrt(s[:, 0])
    columns = (u[:, :, 0] * scale[:, None]).astype(np.float32)
    rows = (vt[:, 0, :] * scale[:, None]).astype(np.float32)
    return columns, rows


class DepthwisePass:
    """One depthwise kernel (2-D, or its column and row factors), oriented for correlation."""

    def __init__(self, kernels: np.ndarray, factors, flip: bool) -> None:
        self.kernels, self.factors, self.flip = kernels, factors, flip

    def run(
        self, index: int, src: np.ndarray, border: str, dst: np.ndarray, parts=1, on_rows=None
    ) -> None:
        kh, kw = self.kernels.shape[1:]
        if self.factors is None:
            kernel, anchor = oriented(self.kernels[index], self.flip)
            filter_into(src, kernel, anchor, border, dst, parts, on_rows)
            return
        column, _ = oriented(self.factors[0][index].reshape(kh, 1), self.flip)
        row, _ = oriented(self.factors[1][index].reshape(1, kw), self.flip)
        anchor = anchor_of(kh, kw, self.flip)
        sep_filter_into(src, column, row, anchor, border, dst, parts, on_rows)

    def run_planes(self, planes, multiplier: int, border: str, buffer: np.ndarray) -> None:
        """Filter every map into its plane of the channels-first ``buffer``, over the engine's
        threads: maps cut into row bands until the units share out evenly (3 maps on 2
        threads: 6 half-maps), claimed one at a time."""
        maps, height, width = buffer.shape
        kh, kw = self.kernels.shape[1:]
        threads = usable_threads()
        bands = bands_per_map(maps, threads, height, kh) if border != "wrap" else 1
        edges = band_edges(height, kh, bands, width) if bands > 1 else [0, height]
        per_map = len(edges) - 1
        fixes: list = [None] * (maps * per_map)
        ay = anchor_of(kh, kw, self.flip)[0]

        def run(first: int, last: int) -> None:
            for unit in range(first, last):
                index, band = divmod(unit, per_map)
                src = planes[index // multiplier]

                def call(source, target, index=index):
                    self.run(index, source, border, target)

                fixes[unit] = run_band(call, src, buffer[index], edges, band, kh, ay)

        parallel_for(maps * per_map, run, pieces=maps * per_map)
        for index in range(maps):
            apply_seams(buffer[index], fixes[index * per_map : (index + 1) * per_map])
