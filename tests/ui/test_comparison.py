"""The numpy behind the stage grid, difference view and pixel inspector, checked exactly."""

import math

import cv2
import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.engine import preset_kernel
from sepconv_gui.ui.views.comparison import (
    border_band,
    border_report,
    difference_stats,
    format_values,
    kernel_shape,
    pixel_report,
    stage_levels,
    thumbnail_size,
    thumbnails,
    to_rgb8,
)
from tests.ui.readouts import every_array


def kernel(name, size):
    return tuple(map(tuple, preset_kernel(name, size)))


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(3).random((36, 44, 3)).astype(np.float32)


def test_thumbnail_size_keeps_aspect_and_never_enlarges():
    assert thumbnail_size(480, 640, 128) == (128, 96)
    assert thumbnail_size(640, 480, 128) == (96, 128)
    assert thumbnail_size(40, 50, 128) == (50, 40)
    assert thumbnail_size(3000, 2, 128) == (1, 128)


def test_thumbnails_equal_opencv_area_resize_of_each_channel():
    stage = np.random.default_rng(0).standard_normal((300, 410, 9)).astype(np.float32)
    small = thumbnails(stage, 2, 9, max_side=100)
    assert small.shape == (73, 100, 7)
    for index, channel in enumerate(range(2, 9)):
        expected = cv2.resize(
            np.ascontiguousarray(stage[:, :, channel]), (100, 73), interpolation=cv2.INTER_AREA
        )
        np.testing.assert_allclose(small[:, :, index], expected, rtol=0, atol=1e-6)
    tiny = stage[:20, :30]
    np.testing.assert_array_equal(thumbnails(tiny, 0, 9, max_side=100), tiny)


def test_thumbnails_at_whole_number_scales_take_many_channels_at_once():
    stage = np.random.default_rng(2).standard_normal((240, 384, 20)).astype(np.float32)
    small = thumbnails(stage, 3, 20, max_side=128)  # exactly a third: 3 x 3 block means
    assert small.shape == (80, 128, 17)
    for index, channel in enumerate(range(3, 20)):
        expected = cv2.resize(
            np.ascontiguousarray(stage[:, :, channel]),
            small.shape[1::-1],
            interpolation=cv2.INTER_AREA,
        )
        np.testing.assert_allclose(small[:, :, index], expected, rtol=0, atol=1e-6)


def test_stage_levels_per_mapping():
    small = np.random.default_rng(1).uniform(-2.0, 1.0, (40, 40, 10)).astype(np.float32)
    assert stage_levels(small, "clip") == (0.0, 1.0)
    low, high = stage_levels(small, "signed")
    assert low == -high and 1.95 < high < 2.0  # symmetric; a sliver of peaks saturates
    low, high = stage_levels(small, "normalize")
    assert -2.0 < low < -1.95 and 0.95 < high < 1.0
    assert stage_levels(np.zeros((4, 4, 2), np.float32), "signed") == (-1.0, 1.0)


def test_to_rgb8_maps_levels_to_the_ends_of_the_table():
    lut = np.stack([np.arange(256)] * 3, axis=1).astype(np.uint8)
    lut[:, 2] = 255 - lut[:, 0]
    plane = np.array([[-1.0, 0.0, 1.0, 5.0]], np.float32)
    rgb = to_rgb8(plane, (-1.0, 1.0), lut)
    assert rgb.shape == (1, 4, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    assert rgb[0, :, 0].tolist() == [0, 127, 255, 255]
    assert rgb[0, :, 2].tolist() == [255, 128, 0, 0]


def test_difference_stats_match_numpy():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((30, 40, 3)).astype(np.float32)
    b = (a + 0.01 * rng.standard_normal((30, 40, 3))).astype(np.float32)
    b[7, 11, 2] += 0.5
    stats = difference_stats(a, b)
    a3 = a.astype(np.float64)
    diff = np.abs(a3 - b)
    mse = np.mean(diff**2)
    peak = np.abs(a3).max()  # PSNR against the peak of |A|
    assert stats.max_abs == pytest.approx(diff.max(), rel=1e-6)
    assert stats.rms == pytest.approx(math.sqrt(mse), rel=1e-6)
    assert stats.psnr == pytest.approx(10 * math.log10(peak**2 / mse), rel=1e-6)
    assert stats.relative == pytest.approx(np.linalg.norm(diff) / np.linalg.norm(a3), rel=1e-6)
    assert stats.peak == pytest.approx(peak, rel=1e-6)
    assert stats.worst == (7, 11, 2)
    np.testing.assert_allclose(stats.error_map, diff.max(axis=2), atol=1e-6)
    assert not stats.equal


def test_identical_outputs_have_infinite_psnr():
    a = np.random.default_rng(5).random((10, 12, 3)).astype(np.float32)
    stats = difference_stats(a, a.copy())
    assert stats.max_abs == 0 and stats.rms == 0 and stats.relative == 0
    assert stats.psnr == math.inf and stats.equal
    with pytest.raises(ValueError, match="different shapes"):
        difference_stats(a, a[:5])
    with pytest.raises(ValueError, match="different shapes"):
        difference_stats(a, a[:, :, :2])


def test_rounding_counts_as_equal_relative_to_the_peak():
    a = np.full((8, 8, 2), 1000.0, np.float32)
    b = a + np.float32(0.05)  # 5e-5 of the peak: rounding
    stats = difference_stats(a, b)
    assert stats.peak == 1000.0 and stats.max_abs > 0 and stats.equal
    assert not difference_stats(a, a + np.float32(0.5)).equal


def test_border_report_names_the_parts_that_stand_out():
    error = np.full((40, 50), 1e-3)
    error[:2, 10:20] = 0.5  # along the top edge, away from the corners
    error[38:, 48:] = 0.2  # the bottom-right corner square only
    report = border_report(error, 2, tolerance=1e-4)
    assert report.band == 2 and report.interior_max == pytest.approx(1e-3)
    assert report.flagged == ("top", "bottom-right")
    assert report.sides["top"] == 0.5 and report.sides["bottom-right"] == 0.2
    assert report.sides["left"] == pytest.approx(1e-3)
    assert report.border_max == 0.5


def test_border_report_ignores_errors_no_larger_than_inside_or_rounding():
    error = np.full((20, 20), 0.3)
    assert border_report(error, 3).flagged == ()
    tiny = np.zeros((20, 20))
    tiny[0, 5] = 1e-9
    assert border_report(tiny, 1, tolerance=1e-6).flagged == ()
    assert border_report(tiny, 1, tolerance=0.0).flagged == ("top",)
    assert border_report(error, 0).band == 0
    whole = border_report(np.ones((4, 4)), 5)  # the band is clamped; no interior is left
    assert whole.band == 2 and whole.interior_max is None


@pytest.mark.parametrize(
    "modes, expected",
    [
        (("normal", "spatial", "depthwise"), (5, 3)),  # exact from the 1-D passes
        (("normal", "depthwise"), (5, 3)),  # product kh*kw and sum kh+kw, solved
        (("normal",), (5, 3)),  # only kh*kw = 15: the factor pair nearest square
    ],
)
def test_kernel_shape_from_parameter_counts(image, modes, expected):
    result = run_design(image, Design(kernel=kernel("box", (5, 3)), preset="box", modes=modes))
    assert kernel_shape(result) == expected
    assert border_band(result) == 2


def test_kernel_shape_of_square_kernels_and_of_nothing(image):
    result = run_design(
        image,
        Design(
            kernel=kernel("laplacian", 7),
            preset="laplacian",
            modes=("depthwise",),
            multiplier=2,
            out_channels=4,
        ),
    )
    assert kernel_shape(result) == (7, 7) and border_band(result) == 3
    result.results.clear()
    assert kernel_shape(result) is None and border_band(result) == 0


def parse(text):
    return [float(v) for v in text.split(", ") if not v.startswith("…")]


def test_pixel_report_reads_every_stage_at_row_y_column_x(image):
    design = Design(multiplier=2, out_channels=5, pointwise="random")
    result = run_design(image, design)
    x, y = 17, 9
    rows = {row.name: row for row in pixel_report(result, x + 0.7, y + 0.2)}
    expected = every_array(result)
    assert list(rows) == list(expected)
    for name, array in expected.items():
        np.testing.assert_array_equal(rows[name].values, array[y, x])
        np.testing.assert_allclose(parse(rows[name].text), array[y, x], rtol=1e-3, atol=1e-6)
    assert pixel_report(result, -0.5, 3) == [] and pixel_report(result, 3, 36) == []


def test_pixel_report_truncates_long_channel_lists(image):
    result = run_design(image, Design(out_channels=20, pointwise="random", modes=("normal",)))
    row = {row.name: row for row in pixel_report(result, 0, 0, limit=6)}["Normal out"]
    assert row.text.endswith("… (+14 more)") and row.values.size == 20
    np.testing.assert_allclose(
        parse(row.text), result.results["normal"].output[0, 0, :6], rtol=1e-3, atol=1e-6
    )
    assert format_values(np.array([1.0, -2.5])) == "1, -2.5"


def test_difference_stats_of_single_channel_outputs():
    rng = np.random.default_rng(6)
    a = rng.random((9, 13, 1)).astype(np.float32)
    b = a.copy()
    b[4, 12, 0] -= 0.25
    stats = difference_stats(a, b)
    assert stats.worst == (4, 12, 0) and stats.max_abs == pytest.approx(0.25)
    np.testing.assert_array_equal(stats.error_map, np.abs(a - b)[:, :, 0])
