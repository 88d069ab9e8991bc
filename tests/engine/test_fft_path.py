"""The FFT path: kernel spectra kept per design, fused channel sums, batched inverses."""

import zlib

import numpy as np
import pytest

from sepconv_gui import engine
from sepconv_gui.engine import BORDER_MODES, algorithms, fft_path, normal_conv
from sepconv_gui.engine import reference as ref


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


@pytest.fixture(autouse=True)
def empty_cache():
    fft_path.CACHE.clear()
    yield
    fft_path.CACHE.clear()


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("size", [(1, 1), (3, 3), (4, 2), (2, 5), (6, 6)])
def test_cold_and_cached_spectra_both_match_the_reference(border, flip, size):
    rng = seeded("fft", border, flip, size)
    image = rng.random((19, 23, 4), dtype=np.float32)
    weights = rng.standard_normal((5, 4) + size).astype(np.float32)
    expected = ref.normal(image, weights, border, flip)
    cold = normal_conv(image, weights, border=border, flip=flip, algorithm="fft").output
    assert fft_path.CACHE.nbytes > 0
    warm = normal_conv(image, weights, border=border, flip=flip, algorithm="fft").output
    np.testing.assert_allclose(cold, expected, atol=2e-4)
    np.testing.assert_array_equal(warm, cold)


def test_weights_changed_in_place_are_not_served_stale_spectra():
    rng = seeded("in-place")
    image = rng.random((16, 18, 2), dtype=np.float32)
    weights = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    normal_conv(image, weights, algorithm="fft")
    weights[1, 0, 2, 1] += 1.0  # same array object, new design
    out = normal_conv(image, weights, algorithm="fft").output
    np.testing.assert_allclose(out, ref.normal(image, weights), atol=2e-4)


def test_a_new_image_size_gets_its_own_spectra():
    rng = seeded("sizes")
    weights = rng.standard_normal((2, 1, 3, 3)).astype(np.float32)
    for shape in [(16, 16), (20, 16), (16, 16)]:
        image = rng.random(shape, dtype=np.float32)
        out = normal_conv(image, weights, algorithm="fft").output
        np.testing.assert_allclose(out, ref.normal(image, weights), atol=2e-4)


def test_banks_too_big_for_the_cache_run_uncached_and_right(monkeypatch):
    monkeypatch.setattr(fft_path.CACHE, "capacity", 1000)
    rng = seeded("uncached")
    image = rng.random((17, 19, 3), dtype=np.float32)
    weights = rng.standard_normal((70, 3, 4, 4)).astype(np.float32) / 5  # several chunks
    monkeypatch.setattr(fft_path, "FFT_CHUNK_BYTES", 1)  # one output per inverse batch
    out = normal_conv(image, weights, algorithm="fft", border="wrap").output
    assert fft_path.CACHE.nbytes == 0
    np.testing.assert_allclose(out, ref.normal(image, weights, "wrap"), atol=5e-4)
    assert not fft_path.is_cached(weights[:, :, ::-1, ::-1], 17, 19)


def test_the_cache_drops_the_least_recently_used_first():
    cache = fft_path.SpectraCache(capacity=3 * 80)
    arrays = {name: np.zeros(10, np.complex64) for name in "abcd"}  # 80 bytes each
    for name in "abc":
        cache.put((name,), arrays[name])
    assert cache.get(("a",)) is arrays["a"]  # a is now the most recent
    cache.put(("d",), arrays["d"])
    assert cache.get(("b",)) is None and cache.get(("a",)) is not None
    assert cache.nbytes == 3 * 80
    cache.put(("huge",), np.zeros(1000, np.complex64))  # bigger than the cap: not kept
    assert cache.get(("huge",)) is None and cache.nbytes == 3 * 80


def test_auto_knows_when_spectra_are_kept(monkeypatch):
    seen = []
    original = algorithms.choose_within_budget

    def spy(*args, **kwargs):
        seen.append(kwargs["cached"])
        return original(*args, **kwargs)

    monkeypatch.setattr(algorithms, "choose_within_budget", spy)
    rng = seeded("auto-cached")
    image = rng.random((30, 40, 3), dtype=np.float32)
    weights = rng.standard_normal((4, 3, 9, 9)).astype(np.float32)
    for flip in (False, True):
        normal_conv(image, weights, flip=flip)
        normal_conv(image, weights, algorithm="fft", flip=flip)
        normal_conv(image, weights, flip=flip)
    assert seen == [False, True, False, True]


def test_a_cached_design_can_tip_auto_to_fft():
    # Between the two models some case must flip; check the cost model agrees with itself.
    flips = [
        (c, p, k)
        for c in (3, 8, 32)
        for p in (8, 32)
        for k in (5, 7, 9, 11, 15)
        if algorithms.choose(480, 640, c, p, k, k) != "fft"
        and algorithms.choose(480, 640, c, p, k, k, cached=True) == "fft"
    ]
    assert flips
    assert engine.estimate_memory("normal", 480, 640, 3, 8, 9, 9, algorithm="fft") > 0
