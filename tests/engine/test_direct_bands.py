"""The banded direct path (engine/direct.py) against the float64 reference.

The other reference tests use images a single band covers; here the bands are made a few
rows high so every band edge, the last short band and the output-channel groups are crossed.
"""

import zlib

import numpy as np
import pytest

from sepconv_gui.engine import BORDER_MODES
from sepconv_gui.engine import direct as direct_path

from .normal_checks import matches_reference, same_on_thread_count


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


@pytest.fixture
def small_bands(monkeypatch):
    # 40 values per band plane, reach factor 2: bands of max(2(kh - 1), 8) rows on these
    # narrow images, so every test image crosses several band edges.
    monkeypatch.setattr(direct_path, "BAND_VALUES", 40)
    monkeypatch.setattr(direct_path, "REACH_FACTOR", 2)


def check(image, weights, border, flip):
    assert matches_reference(image, weights, "direct", border, flip).algorithm == "direct"


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("kernel_shape", [(1, 1), (3, 3), (4, 2), (2, 5), (5, 5)])
@pytest.mark.parametrize("height", [37, 33, 5])
def test_many_bands_match_reference(small_bands, border, flip, kernel_shape, height):
    rng = seeded("bands", border, flip, kernel_shape, height)
    # Bands of 8 rows: 37 leaves a short last band, 33 a single row (its reflection reads
    # rows of the band above); 5 rows is one band no taller than the largest kernel.
    image = rng.random((height, 9, 3)).astype(np.float32)
    weights = rng.standard_normal((5, 3) + kernel_shape)
    check(image, weights, border, flip)


@pytest.mark.parametrize("outputs", [16, 17, 40])
def test_output_groups_match_reference(small_bands, outputs):
    # More outputs than one group: staged interleave, a short last group.
    rng = seeded("groups", outputs)
    image = rng.random((21, 7, 2)).astype(np.float32)
    weights = rng.standard_normal((outputs, 2, 3, 4))
    check(image, weights, "reflect", True)


def test_many_input_channels_pad_the_whole_image(small_bands):
    rng = seeded("many-inputs", 17)
    image = rng.random((29, 8, 17)).astype(np.float32)
    weights = rng.standard_normal((3, 17, 3, 3)).astype(np.float32) / 4
    check(image, weights, "reflect101", False)


def test_channels_above_opencv_limit_match_reference(small_bands):
    rng = seeded("wide", 130)
    image = rng.random((19, 6, 130)).astype(np.float32)
    weights = rng.standard_normal((131, 130, 3, 2)).astype(np.float32) / 30
    check(image, weights, "wrap", False)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_same_numbers_on_any_thread_count(small_bands, threads):
    rng = seeded("threads", threads)
    image = rng.random((45, 11, 3)).astype(np.float32)
    weights = rng.standard_normal((6, 3, 5, 3)).astype(np.float32)
    same_on_thread_count(image, weights, "direct", threads)


def test_band_rows_cover_the_kernel_reach():
    assert direct_path.band_rows(480, 644, 5) == direct_path.BAND_VALUES // 644
    # REACH_FACTOR * (kh - 1) rows when the value budget gives fewer.
    assert direct_path.band_rows(720, 1310, 31) == direct_path.REACH_FACTOR * 30
    assert direct_path.band_rows(10, 644, 5) == 10  # never more than the image
