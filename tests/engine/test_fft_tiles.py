"""The FFT path in overlap-save tiles, used when a bank's full-frame spectra would not fit the
cache: the same numbers as the float64 reference, tile-sized spectra kept, memory estimated."""

import zlib

import numpy as np
import pytest

from sepconv_gui import engine
from sepconv_gui.engine import BORDER_MODES, algorithms, fft_path, memory, normal_conv
from sepconv_gui.engine import reference as ref

from .test_memory import traced_peak


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


@pytest.fixture
def small_cache(monkeypatch):
    # A 40x50 frame's spectra then overflow the cap, tiles of 16-25 values fit it, and a tile
    # may give as few as 4 outputs a side: many tiles, ragged at the right and bottom edges.
    fft_path.CACHE.clear()
    monkeypatch.setattr(fft_path.CACHE, "capacity", 3 * 4 * 25 * 13 * 8)
    monkeypatch.setattr(fft_path, "MIN_TILE_OUTPUT", 4)
    yield
    fft_path.CACHE.clear()


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("size", [(1, 1), (3, 3), (4, 2), (2, 5), (6, 6), (7, 4)])
def test_tiles_match_the_reference(small_cache, border, flip, size):
    rng = seeded("tiles", border, flip, size)
    image = rng.random((40, 50, 4), dtype=np.float32)
    weights = rng.standard_normal((3, 4) + size).astype(np.float32)
    tiles = fft_path.tile_sizes(40, 50, 3, 4, *size)
    assert tiles is not None and tiles[0] < 40 + size[0] - 1
    expected = ref.normal(image, weights, border, flip)
    cold = normal_conv(image, weights, border=border, flip=flip, algorithm="fft").output
    np.testing.assert_allclose(cold, expected, atol=2e-4)
    # The tile-sized spectra were kept; the next frame reuses them and gets the same numbers.
    assert 0 < fft_path.CACHE.nbytes <= fft_path.CACHE.capacity
    oriented = weights[:, :, ::-1, ::-1] if flip else weights
    assert fft_path.is_cached(np.ascontiguousarray(oriented), 40, 50)
    warm = normal_conv(image, weights, border=border, flip=flip, algorithm="fft").output
    np.testing.assert_array_equal(warm, cold)


def test_tiles_with_several_threads_and_chunks(small_cache, monkeypatch):
    monkeypatch.setattr(fft_path, "FFT_CHUNK_BYTES", 1)  # one output per inverse batch
    engine.set_num_threads(3)
    try:
        rng = seeded("threads")
        image = rng.random((41, 37, 2), dtype=np.float32)
        weights = rng.standard_normal((5, 2, 5, 4)).astype(np.float32)
        out = normal_conv(image, weights, algorithm="fft", border="wrap").output
    finally:
        engine.set_num_threads(None)
    np.testing.assert_allclose(out, ref.normal(image, weights, "wrap"), atol=2e-4)


def test_no_tiles_when_the_full_frame_fits_or_no_tile_can():
    assert fft_path.tile_sizes(40, 50, 3, 4, 3, 3) is None  # the default cap holds it
    # 4K, C = P = 256: even the smallest useful tile's spectra overflow the cap.
    assert fft_path.tile_sizes(2160, 3840, 256, 256, 31, 31) is None
    tiles = fft_path.tile_sizes(2160, 3840, 64, 32, 15, 15)
    assert tiles is not None
    assert fft_path.spectra_bytes(64, 32, *tiles) <= fft_path.CACHE.capacity
    assert fft_path.tile_overlap(2160, 3840, 64, 32, 15, 15) > 1.0


def test_tiled_memory_estimate_is_an_upper_bound_and_far_below_full_frames(small_cache):
    rng = seeded("memory")
    image = rng.random((40, 50, 4), dtype=np.float32)
    weights = rng.standard_normal((3, 4, 5, 5)).astype(np.float32)
    predicted = engine.estimate_memory(
        "normal", 40, 50, 4, 3, 5, 5, algorithm="fft", copies_input=False, border="reflect101"
    )
    peak = traced_peak(lambda: normal_conv(image, weights, algorithm="fft"))
    assert peak <= predicted
    # At 4K with C = 32, P = 64 the full-frame spectra alone would be 17 GB.
    full = fft_path.spectra_bytes(64, 32, *fft_path.fft_sizes(2160 + 14, 3840 + 14))
    tiled = engine.estimate_memory("normal", 2160, 3840, 32, 64, 15, 15, algorithm="fft")
    assert full > 15e9 and tiled < full / 4


def test_auto_counts_the_overlap_of_tiles():
    plain = algorithms.estimated_ns_per_pixel("fft", 32, 64, 15, 15, cached=True)
    tiled = algorithms.estimated_ns_per_pixel("fft", 32, 64, 15, 15, cached=True, overlap=1.5)
    assert tiled == pytest.approx(1.5 * plain)
    assert memory.estimate_memory("normal", 2160, 3840, 32, 64, 15, 15) > 0


def test_tiled_buffers_counted_without_slack(monkeypatch):
    # Large enough that the tiles' buffers, not the fixed slack, decide: the counted buffers
    # alone (no allocator slack) must cover what numpy and scipy allocate.
    fft_path.CACHE.clear()
    monkeypatch.setattr(fft_path.CACHE, "capacity", 8 * 6 * 128 * 65 * 8)
    rng = seeded("raw")
    image = rng.random((300, 420, 6), dtype=np.float32)
    weights = rng.standard_normal((8, 6, 9, 9)).astype(np.float32)
    assert fft_path.tile_sizes(300, 420, 8, 6, 9, 9) == (128, 128)
    engine.set_num_threads(1)  # one tile at a time: a peak that does not depend on timing
    try:
        counted = memory._normal_bytes("fft", 300, 420, 6, 8, 9, 9, wrap=False)
        peak = traced_peak(lambda: normal_conv(image, weights, algorithm="fft"))
    finally:
        engine.set_num_threads(None)
        fft_path.CACHE.clear()
    assert peak <= counted <= 1.3 * peak
