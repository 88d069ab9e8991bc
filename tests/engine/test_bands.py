"""Filter calls cut into row bands over the engine's threads (engine/bands.py) give the same
numbers as the float64 reference: every border, flip, odd/even/non-square kernels, seams
that fall near the kernel's reach, more bands than threads would make."""

import zlib

import numpy as np
import pytest

from sepconv_gui import engine
from sepconv_gui.engine import bands, threads
from sepconv_gui.engine import reference as ref
from sepconv_gui.engine.validation import BORDER_MODES

KERNELS = [(3, 3), (4, 4), (2, 5), (7, 2), (9, 9), (2, 12), (11, 3), (1, 5), (5, 1)]


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


@pytest.fixture(autouse=True)
def small_bands(monkeypatch):
    # Tiny test images are never split at the production threshold: lower it, and ask for
    # more threads than the machine may have, so several seams land in every image.
    monkeypatch.setattr(bands, "MIN_BAND_VALUES", 1)
    engine.set_num_threads(4)
    yield
    engine.set_num_threads(None)


def test_edges_are_balanced_and_cover_the_rows():
    edges = bands.band_edges(720, 7, 2, 1280 * 3)
    assert edges[0] == 0 and edges[-1] == 720 and len(edges) == 3
    # Band 1 also redoes its seam (2(kh-1) = 12 rows), so band 0 gets 12 more rows.
    assert (edges[1] - edges[0]) - (edges[2] - edges[1]) == 12
    assert bands.band_edges(20, 7, 4, 10) == [0, 20]  # bands would be under 2*kh rows


def test_band_edges_respect_the_value_threshold(monkeypatch):
    monkeypatch.setattr(bands, "MIN_BAND_VALUES", 1000)
    assert len(bands.band_edges(100, 3, 4, 10)) == 2  # 1000 values: one band
    assert len(bands.band_edges(100, 3, 4, 40)) == 5


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("shape", KERNELS)
def test_spatial_in_bands_matches_reference(border, flip, shape):
    rng = seeded("spatial", border, flip, shape)
    image = rng.random((61, 23, 3)).astype(np.float32)
    column, row = rng.standard_normal(shape[0]), rng.standard_normal(shape[1])
    expected = ref.spatial(image, column, row, border, flip)
    for keep in (False, True):
        result = engine.spatial_separable_conv(
            image, column, row, border=border, flip=flip, keep_stages=keep
        )
        np.testing.assert_allclose(result.output, expected, atol=2e-5 * np.abs(expected).max())


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("shape", KERNELS)
def test_depthwise_in_bands_matches_reference(border, flip, shape):
    rng = seeded("depthwise", border, flip, shape)
    image = rng.random((58, 19, 3)).astype(np.float32)
    # 3 maps on 4 threads: maps are cut into bands; a shared kernel: one banded call.
    for depth in (
        rng.standard_normal((3,) + shape),
        np.repeat(rng.standard_normal((1,) + shape), 3, axis=0),
        rng.standard_normal((6,) + shape),
    ):
        point = rng.standard_normal((5, depth.shape[0]))
        expected = ref.depthwise(image, depth, point, border, flip)[1]
        result = engine.depthwise_separable_conv(image, depth, point, border=border, flip=flip)
        np.testing.assert_allclose(result.output, expected, atol=2e-4 * np.abs(expected).max())


def test_rank_one_depthwise_in_bands_matches_reference():
    rng = seeded("rank-one")
    image = rng.random((70, 17, 3)).astype(np.float32)
    depth = np.stack([np.outer(rng.standard_normal(7), rng.standard_normal(5)) for _ in range(3)])
    point = rng.standard_normal((4, 3))
    result = engine.depthwise_separable_conv(image, depth, point, border="reflect", flip=True)
    assert result.algorithm.startswith("sepfilter")
    expected = ref.depthwise(image, depth, point, "reflect", True)[1]
    np.testing.assert_allclose(result.output, expected, atol=2e-4 * np.abs(expected).max())


def test_a_failing_band_raises_after_the_others(monkeypatch):
    calls = []

    def body(first, last):
        calls.append(first)
        if first == 0:
            raise ValueError("band 0")

    with pytest.raises(ValueError, match="band 0"):
        threads.parallel_for(8, body, pieces=8)
    # The others are claimed but skipped once an error is known; none is left running.
    assert 0 in calls


def test_pieces_are_claimed_until_none_is_left():
    seen = []
    threads.parallel_for(10, lambda a, b: seen.extend(range(a, b)), pieces=10)
    assert sorted(seen) == list(range(10))


@pytest.mark.parametrize("channels", [1, 5, 129])  # numpy, OpenCV's split, numpy above 128
def test_channels_first_copy_in_row_blocks(channels):
    from sepconv_gui.engine.depthwise_parts import channels_first

    data = seeded("planes", channels).random((300, 64, channels)).astype(np.float32)
    np.testing.assert_array_equal(channels_first(data), data.transpose(2, 0, 1))


@pytest.mark.parametrize("where", [0, 262143, 262144, -1])
def test_a_non_finite_value_in_any_block_is_refused(where):
    image = np.ones((300, 300, 3), np.float32)  # 270000 values: two blocks of the check
    image.reshape(-1)[where] = np.inf if where % 2 else np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        engine.spatial_separable_conv(image, [1.0], [1.0])


def test_one_band_per_thread_and_maps_cut_until_they_share_out_evenly():
    # A call splits only over idle cores, so more bands than threads only add seams.
    assert bands.band_count(2) == 2  # at every kernel size: k = 3 and 31 alike
    assert len(bands.band_edges(720, 31, bands.band_count(2), 1280 * 3)) == 3
    assert bands.band_count(1) == 1  # one thread: never split
    # Depthwise maps: the fewest bands per map that give every thread the same share.
    assert bands.bands_per_map(3, 2, 720, 3) == 2  # 6 half-maps, 3 per thread
    assert bands.bands_per_map(1, 4, 720, 3) == 4
    assert bands.bands_per_map(3, 4, 720, 3) == 4  # 12 units, 3 per thread
    assert bands.bands_per_map(5, 1, 720, 3) == 1
    # Two maps or more per thread share out within a map already.
    assert bands.bands_per_map(8, 2, 720, 3) == 1
    assert bands.bands_per_map(5, 2, 720, 31) == 1
    # Seams never redo more than a fifth of the rows: 720 rows, k = 31, 60 rows a seam.
    assert bands.bands_per_map(9, 8, 720, 31) == 1 + int(0.2 * 720 / 60)
