"""Normal convolution through the FFT, with the kernels' spectra kept between calls.

For every output p the product ``sum_c K[p, c] * X[c]`` of kernel spectra K and image spectra X
is formed in the frequency domain (the sum over the C inputs fused into the product, so only
P spectra go through the inverse transform), the inverses of a chunk of outputs run as one
batched ``irfft2``, and each chunk's valid part is copied once into the channels-last output.

A kernel's spectrum depends only on the weights and the transform size, so a design that stays
the same from frame to frame pays for it once: spectra are kept in a small least-recently-used
cache keyed by a digest of the weights and the transform size, capped at FFT_CACHE_BYTES.
Banks whose spectra would not fit are transformed on the fly, output by output, on every call.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np

# scipy.fft: multi-threaded, keeps float32 as complex64, and knows fast transform lengths.
import scipy.fft as _fft

from .threads import parallel_for, usable_threads

#: Largest batch of output spectra the FFT path holds at once, in bytes.
FFT_CHUNK_BYTES = 32 * 2**20

#: The most memory kept kernel spectra may hold, all designs together.
FFT_CACHE_BYTES = 256 * 2**20

COMPLEX = 8


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


def spectra_bytes(outputs: int, channels: int, fh: int, fw: int) -> int:
    """Bytes of the kernel spectra of a ``(P, C)`` bank at transform size ``fh x fw``."""
    return outputs * channels * fh * (fw // 2 + 1) * COMPLEX


class SpectraCache:
    """Kernel spectra by key, least recently used first out, within a byte cap."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(item.nbytes for item in self._items.values())

    def get(self, key: tuple) -> np.ndarray | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, spectra: np.ndarray) -> None:
        if spectra.nbytes > self.capacity:
            return
        with self._lock:
            self._items[key] = spectra
            self._items.move_to_end(key)
            total = sum(item.nbytes for item in self._items.values())
            while total > self.capacity:
                _, dropped = self._items.popitem(last=False)
                total -= dropped.nbytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = SpectraCache(FFT_CACHE_BYTES)


def cache_key(weights: np.ndarray, fh: int, fw: int) -> tuple:
    """What identifies a bank's spectra: its exact bytes (digested), shape and transform size."""
    digest = hashlib.blake2b(weights.tobytes(), digest_size=16).hexdigest()
    return (digest, weights.shape, fh, fw)


#: The fewest output rows (and columns) a tile must give: below this the kh - 1 rows every
#: tile transforms again cost more than full-frame spectra computed on the fly.
MIN_TILE_OUTPUT = 32


def _smooth_lengths(limit: int) -> list[int]:
    """Every 2^a 3^b 5^c up to ``limit``, ascending."""
    found, power2 = [], 1
    while power2 <= limit:
        power23 = power2
        while power23 <= limit:
            length = power23
            while length <= limit:
                found.append(length)
                length *= 5
            power23 *= 3
        power2 *= 2
    return sorted(found)


def tile_sizes(height: int, width: int, p: int, c: int, kh: int, kw: int):
    """The transform size ``(th, tw)`` of overlap-save tiles, or None for one full frame.

    Tiles are used when the full-frame kernel spectra would not fit the cache's cap (they
    would be recomputed at every call, and take P*C frame-sized spectra of memory): then the
    largest square-ish tiles whose spectra do fit, as long as a tile still gives at least
    MIN_TILE_OUTPUT rows and columns of output (else full frames, spectra on the fly).
    """
    fh, fw = fft_sizes(height + kh - 1, width + kw - 1)
    if spectra_bytes(p, c, fh, fw) <= CACHE.capacity:
        return None
    best = None
    for length in _smooth_lengths(max(fh, fw)):
        th, tw = min(length, fh), min(length, fw)
        if th - kh + 1 < min(MIN_TILE_OUTPUT, height) or tw - kw + 1 < min(MIN_TILE_OUTPUT, width):
            continue
        if spectra_bytes(p, c, th, tw) > CACHE.capacity:
            break
        best = (th, tw)
    return best


def transform_size(height: int, width: int, p: int, c: int, kh: int, kw: int):
    """``(fh, fw, tiled)``: the size the kernels' spectra are computed at for this call."""
    tiles = tile_sizes(height, width, p, c, kh, kw)
    if tiles is not None:
        return tiles[0], tiles[1], True
    fh, fw = fft_sizes(height + kh - 1, width + kw - 1)
    return fh, fw, False


def tile_overlap(height: int, width: int, p: int, c: int, kh: int, kw: int) -> float:
    """Transformed values per output value of the tiled path relative to one full frame
    (1.0 when the call is not tiled): what tiling adds to the FFT's cost."""
    tiles = tile_sizes(height, width, p, c, kh, kw)
    if tiles is None:
        return 1.0
    th, tw = tiles
    fh, fw = fft_sizes(height + kh - 1, width + kw - 1)
    count = -(-height // (th - kh + 1)) * -(-width // (tw - kw + 1))
    return count * th * tw / (fh * fw)


def is_cached(weights: np.ndarray, height: int, width: int) -> bool:
    """Whether the spectra of ``weights`` (already oriented) at this image size are kept."""
    p, c, kh, kw = weights.shape
    fh, fw, _ = transform_size(height, width, p, c, kh, kw)
    if spectra_bytes(p, c, fh, fw) > CACHE.capacity:
        return False  # never kept, and digesting a big bank costs time
    return CACHE.get(cache_key(weights, fh, fw)) is not None


def _dft_matrix(length: int, taps: int, half: bool) -> np.ndarray:
    """``exp(-2 pi i u t / length)`` for frequencies u and taps t, as complex64."""
    frequencies = np.arange(length // 2 + 1 if half else length)
    angles = -2.0 * np.pi * np.outer(frequencies, np.arange(taps)) / length
    return np.exp(1j * angles).astype(np.complex64)


class _KernelSpectra:
    """Spectra of a bank's kernels: from the cache, or two small DFT-matrix products each.

    A kh x kw kernel's spectrum is ``rows_dft @ K @ cols_dft``, cheaper than an FFT of a
    mostly-zero fh x fw array by 3-10x for every kernel size in the benchmark grid.
    """

    def __init__(self, weights: np.ndarray, fh: int, fw: int, cached: np.ndarray | None):
        kh, kw = weights.shape[2:]
        # Correlation is convolution with the kernel rotated by 180 degrees.
        self.rotated = np.ascontiguousarray(weights[:, :, ::-1, ::-1])
        self.rows_dft = _dft_matrix(fh, kh, half=False)  # (fh, kh)
        self.cols_dft = np.ascontiguousarray(_dft_matrix(fw, kw, half=True).T)  # (kw, F)
        self.cached = cached

    def of(self, output: int, channel: int, out: np.ndarray) -> np.ndarray:
        if self.cached is not None:
            return self.cached[output, channel]
        half = self.rotated[output, channel] @ self.cols_dft  # (kh, F)
        return np.matmul(self.rows_dft, half, out=out)

    def all(self) -> np.ndarray:
        """Every spectrum, ``(P, C, fh, F)``, computed over the engine's threads."""
        p, c = self.rotated.shape[:2]
        fh, half_width = self.rows_dft.shape[0], self.cols_dft.shape[1]
        spectra = np.empty((p, c, fh, half_width), dtype=np.complex64)

        def run(first: int, last: int) -> None:
            for index in range(first * c, last * c):
                self.of(index // c, index % c, spectra[index // c, index % c])

        parallel_for(p, run)
        return spectra


def _kernel_spectra(weights: np.ndarray, fh: int, fw: int) -> _KernelSpectra:
    """The bank's spectra at ``fh x fw``: kept in the cache when they fit its cap, else
    computed output by output as they are needed."""
    p, c = weights.shape[:2]
    kernels = _KernelSpectra(weights, fh, fw, None)
    if spectra_bytes(p, c, fh, fw) <= CACHE.capacity:
        key = cache_key(weights, fh, fw)
        kernels.cached = CACHE.get(key)
        if kernels.cached is None:
            kernels.cached = kernels.all()
            CACHE.put(key, kernels.cached)
    return kernels


def _inverse_into(spectra, kernels, out, fh, fw, kh, kw, *, workers: int, share: bool):
    """Sum the C products per output, inverse-transform in chunks, write the valid part.

    ``out`` is the ``(rows, cols, P)`` view the valid part goes to; ``share`` spreads each
    chunk's outputs over the engine's threads (off when the caller already runs per thread).
    """
    channels = spectra.shape[0]
    rows, cols, p = out.shape
    half_width = fw // 2 + 1
    # Outputs go through the inverse FFT in chunks: batched transforms thread well, and the
    # chunk's spectra bound the memory whatever P is.
    chunk = max(1, min(p, FFT_CHUNK_BYTES // (fh * half_width * COMPLEX)))
    products = np.empty((chunk, fh, half_width), dtype=np.complex64)
    for first in range(0, p, chunk):
        count = min(chunk, p - first)

        def run(start: int, stop: int) -> None:
            # Each thread sums the C products of its own outputs in the frequency domain.
            kernel = np.empty((fh, half_width), dtype=np.complex64)
            term = np.empty((fh, half_width), dtype=np.complex64)
            for index in range(start, stop):
                target = products[index]
                for c in range(channels):
                    spectrum = kernels.of(first + index, c, kernel)
                    if c == 0:
                        np.multiply(spectrum, spectra[0], out=target)
                    else:
                        np.multiply(spectrum, spectra[c], out=term)
                        target += term

        if share:
            parallel_for(count, run)
        else:
            run(0, count)
        full = _fft.irfft2(products[:count], s=(fh, fw), axes=(1, 2), workers=workers)
        valid = full[:, kh - 1 : kh - 1 + rows, kw - 1 : kw - 1 + cols]
        out[:, :, first : first + count] = valid.transpose(1, 2, 0)


def fft(image, weights, anchor, border, padded_planes):
    """Normal convolution of float32 ``(H, W, C)`` ``image`` by oriented ``weights``."""
    height, width, channels = image.shape
    p, _, kh, kw = weights.shape
    source = padded_planes(image, anchor, (kh, kw), border)
    out = np.empty((height, width, p), dtype=np.float32)
    tiles = tile_sizes(height, width, p, channels, kh, kw)
    workers = usable_threads()
    if tiles is None:
        fh, fw = fft_sizes(source.shape[1], source.shape[2])
        spectra = _fft.rfft2(source, s=(fh, fw), axes=(1, 2), workers=workers)
        del source
        kernels = _kernel_spectra(weights, fh, fw)
        _inverse_into(spectra, kernels, out, fh, fw, kh, kw, workers=workers, share=True)
        return out
    # Overlap-save: each tile transforms th x tw source values and keeps the th-kh+1 by
    # tw-kw+1 outputs no circular wrap-around reached; the kernel spectra are tile-sized, so
    # they stay in the cache for big banks too. Tiles are shared over the engine's threads.
    th, tw = tiles
    kernels = _kernel_spectra(weights, th, tw)
    rows, cols = th - kh + 1, tw - kw + 1
    origins = [(y, x) for y in range(0, height, rows) for x in range(0, width, cols)]

    def run(first: int, last: int) -> None:
        for y, x in origins[first:last]:
            block = source[:, y : y + th, x : x + tw]
            spectra = _fft.rfft2(block, s=(th, tw), axes=(1, 2), workers=1)
            view = out[y : y + rows, x : x + cols]
            _inverse_into(spectra, kernels, view, th, tw, kh, kw, workers=1, share=False)

    parallel_for(len(origins), run)
    return out
