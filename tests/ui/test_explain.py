"""Like-for-like counts: formulas, numbers and ratios against hand-computed values."""

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.ui.measure import explain

LAPLACIAN = ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0))  # rank 2
BOX13 = tuple(tuple([1.0 / 169] * 13) for _ in range(13))  # rank 1, 169 taps


def run(design, shape=(40, 48, 3)):
    image = np.random.default_rng(11).random(shape, dtype=np.float32)
    result = run_design(image, design)
    return explain.counts(result, design), explain.comparisons(result, design), result


def test_default_sobel_counts_and_like_for_like_ratios():
    counts, compared, _ = run(Design())  # Sobel x, C = P = 3, M = 1: rank 1
    assert counts["normal"].text == "normal: k²·C·P = 9·3·3 = 81"
    assert counts["normal"].ran == ""
    assert counts["spatial"].text == "spatial-separable: 2k·r·C = 6·1·3 = 18"
    assert counts["depthwise"].per_pixel == 9 * 3 + 3 * 3  # textbook: 36
    # Sobel is rank 1, so the engine ran the depthwise step as 1-D passes: 6*3 + 9 = 27.
    assert counts["depthwise"].ran_per_pixel == 27 and "1-D passes" in counts["depthwise"].ran
    # Spatial is compared with the same per-channel 3x3 filter: 27 / 18, the textbook 1.5x
    # (k^2 vs 2k), not normal's 81 / 18 = 4.5x.
    assert compared["spatial"].reference_per_pixel == 27
    assert compared["spatial"].ratio == pytest.approx(1.5)
    assert compared["spatial"].per_channel.endswith("9 vs 6")
    # Depthwise against the normal bank with the same C -> P: 81 / 27.
    assert compared["depthwise"].reference == "normal bank 3 → 3"
    assert compared["depthwise"].ratio == pytest.approx(3.0)


def test_rank_two_kernel_one_channel_eight_outputs():
    design = Design(kernel=LAPLACIAN, preset="custom", grayscale=True, out_channels=8, multiplier=2)
    counts, compared, _ = run(design)
    assert counts["normal"].text == "normal: k²·C·P = 9·1·8 = 72"
    # The Laplacian needs two pairs of passes: 2 * 6 * 1 = 12, more than the 9 of the 2-D filter.
    assert counts["spatial"].text == "spatial-separable: 2k·r·C = 6·2·1 = 12"
    assert compared["spatial"].ratio == pytest.approx(9 / 12)
    # Not rank 1: the depthwise step stays 2-D, 9*1*2 + 1*2*8 = 34, as the formula says.
    assert counts["depthwise"].numbers == "9·1·2 + 1·2·8"
    assert counts["depthwise"].per_pixel == 34 and counts["depthwise"].ran == ""
    assert compared["depthwise"].ratio == pytest.approx(72 / 34)


def test_non_square_kernel_names_both_sides():
    kernel = tuple(tuple(float(c + 1) for c in range(5)) for _ in range(3))  # 3 x 5, rank 1
    counts, compared, _ = run(Design(kernel=kernel, preset="custom"))
    assert counts["normal"].text == "normal: kh·kw·C·P = 3·5·3·3 = 135"
    assert counts["spatial"].text == "spatial-separable: (kh+kw)·r·C = (3+5)·1·3 = 24"
    assert compared["spatial"].reference == "per-channel 3×5 filter"
    assert compared["spatial"].ratio == pytest.approx(45 / 24)


def test_large_direct_kernel_says_opencv_ran_a_dft():
    counts, compared, _ = run(Design(kernel=BOX13, preset="custom", algorithm="direct"))
    normal = counts["normal"]
    assert normal.per_pixel == 169 * 9
    assert "DFT" in normal.ran and "9 filters" in normal.ran
    # A DFT's cost grows with log(image size), far below 169 taps per filter.
    assert normal.ran_per_pixel < normal.per_pixel / 4
    assert compared["spatial"].ratio == pytest.approx(169 / 26)
    # 11 x 11 = 121 taps stays below OpenCV's threshold: the textbook count is what ran.
    eleven = tuple(row[:11] for row in BOX13[:11])
    assert run(Design(kernel=eleven, preset="custom", algorithm="direct"))[0]["normal"].ran == ""


def test_fft_and_gemm_say_what_ran():
    fft = run(Design(algorithm="fft"))[0]["normal"]
    assert fft.ran.startswith("FFT") and fft.ran_per_pixel > 0
    gemm = run(Design(algorithm="gemm"))[0]["normal"]
    assert "BLAS" in gemm.ran and gemm.ran_per_pixel == 81


def test_each_mode_is_counted_at_its_own_kernel_size():
    """A 3x3 base kernel, 5x5 per-channel depthwise kernels and an imported 7x7 normal bank:
    the Cost dock must count normal at 7x7, depthwise at 5x5 and spatial at 3x3."""
    from sepconv_gui.app.state import FrozenArray

    rng = np.random.default_rng(3)
    design = Design(
        out_channels=4,
        depthwise_kind="per_channel",
        depthwise_custom=FrozenArray(rng.standard_normal((3, 5, 5))),
        normal_kind="file",
        normal_bank=FrozenArray(rng.standard_normal((4, 3, 7, 7))),
    )
    counts, compared, result = run(design)
    assert counts["normal"].text == "normal: k²·C·P = 49·3·4 = 588"
    assert counts["spatial"].text == "spatial-separable: 2k·r·C = 6·1·3 = 18"  # Sobel, rank 1
    assert counts["depthwise"].per_pixel == 25 * 3 + 3 * 4
    # Depthwise replaces a normal bank of its own kernels' size: 25*3*4 / (25*3 + 3*4).
    assert compared["depthwise"].ratio == pytest.approx(300 / 87)
    # The same numbers as the engine's own exact count of what ran.
    for mode in ("normal", "depthwise"):
        pixels = result.image.shape[0] * result.image.shape[1]
        engine_count = result.results[mode].cost.multiplications / pixels
        assert counts[mode].per_pixel == pytest.approx(engine_count)
