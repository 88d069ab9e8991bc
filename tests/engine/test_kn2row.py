"""The kn2row path (engine/gemm_shift.py) against the float64 reference and the other paths.

The partial maps are made small here so every image runs in bands of a row or two: every band
edge, the short last band and the horizontal offsets at a row's end are crossed.
"""

import zlib

import numpy as np
import pytest

from sepconv_gui.engine import BORDER_MODES, algorithms, normal_conv
from sepconv_gui.engine import gemm_shift

from .normal_checks import matches_reference, same_on_thread_count, scale_of


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


@pytest.fixture
def small_bands(monkeypatch):
    # On these narrow images: bands of one to a few rows.
    monkeypatch.setattr(gemm_shift, "PARTIAL_VALUES", 400)


def check(image, weights, border="reflect101", flip=False, **options):
    return matches_reference(image, weights, "kn2row", border, flip, **options)


def test_bands_are_one_row_or_more_and_bound_the_partial_maps(small_bands):
    assert gemm_shift.band_rows(37, 13, 4, 3) == 400 // (3 * 4 * 13)  # 2 rows of 156 values
    assert gemm_shift.band_rows(37, 13, 40, 3) == 1  # never zero rows
    assert gemm_shift.band_rows(5, 13, 1, 1) == 5  # never more than the image


def test_weight_matrix_layout():
    # Row (dx, p), column (c, dy) holds w[p, c, dy, dx]: checked entry by entry.
    weights = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    matrix = gemm_shift.weight_matrix(weights)
    assert matrix.shape == (5 * 2, 3 * 4)
    for p, c, dy, dx in np.ndindex(weights.shape):
        assert matrix[dx * 2 + p, c * 4 + dy] == weights[p, c, dy, dx]


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("kernel_shape", [(1, 1), (3, 3), (4, 2), (2, 5), (5, 5), (1, 4)])
@pytest.mark.parametrize("height", [11, 6, 2])
def test_many_bands_match_reference(small_bands, border, flip, kernel_shape, height):
    rng = seeded("kn2row", border, flip, kernel_shape, height)
    image = rng.random((height, 9, 3)).astype(np.float32)
    weights = rng.standard_normal((4, 3) + kernel_shape)
    if kernel_shape[0] > height:
        with pytest.raises(ValueError):
            check(image, weights, border, flip)
        return
    assert check(image, weights, border, flip).algorithm == "kn2row"


def test_gray_image_and_single_output(small_bands):
    rng = seeded("gray")
    image = rng.random((7, 10)).astype(np.float32)
    check(image, rng.standard_normal((1, 1, 3, 4)), "constant", True)


def test_channels_above_opencv_limit_match_reference(small_bands):
    # C and P above OpenCV's 128 channels: the source is padded in chunks and the band is
    # interleaved into the output with numpy.
    rng = seeded("wide", 130)
    image = rng.random((6, 5, 130)).astype(np.float32)
    weights = rng.standard_normal((131, 130, 3, 2)).astype(np.float32) / 30
    check(image, weights, "wrap", False)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_same_numbers_on_any_thread_count(small_bands, threads):
    rng = seeded("threads", threads)
    image = rng.random((23, 11, 3)).astype(np.float32)
    weights = rng.standard_normal((6, 3, 5, 3)).astype(np.float32)
    same_on_thread_count(image, weights, "kn2row", threads)


@pytest.mark.parametrize("stride, dilation", [(2, 1), ((1, 3), 1), (1, 2), (2, (2, 1))])
def test_stride_and_dilation_run_the_full_output_then_sample(small_bands, stride, dilation):
    rng = seeded("strided", stride, dilation)
    image = rng.random((13, 12, 2)).astype(np.float32)
    weights = rng.standard_normal((3, 2, 3, 2))
    result = check(image, weights, "reflect", False, stride=stride, dilation=dilation)
    assert result.algorithm.startswith("kn2row")


def test_agrees_with_the_other_paths(small_bands):
    rng = seeded("paths")
    image = rng.random((19, 23, 5)).astype(np.float32)
    weights = rng.standard_normal((7, 5, 5, 4)).astype(np.float32)
    ours = normal_conv(image, weights, algorithm="kn2row").output
    for other in ("direct", "gemm", "fft"):
        theirs = normal_conv(image, weights, algorithm=other).output
        np.testing.assert_allclose(ours, theirs, atol=1e-5 * scale_of(image, weights))


def test_is_among_the_choices_of_auto():
    assert "kn2row" in algorithms.CHOSEN and "kn2row" in algorithms.FUNCTIONS
    assert algorithms.estimated_ns_per_pixel("kn2row", 8, 8, 5, 5) > 0
