"""Kernel presets: shapes, classic values, normalization, exact separable factors, errors."""

import dataclasses

import cv2
import numpy as np
import pytest

from sepconv_gui.engine import (
    MAX_KERNEL_SIZE,
    PRESETS,
    analyze_kernel,
    normal_conv,
    preset_factors,
    preset_kernel,
    spatial_separable_conv,
)
from sepconv_gui.engine.kernel_pieces import (
    derivative,
    gaussian_1d,
    second_derivative,
    smoothing,
)

SIZES = [1, 2, 3, 4, 7, (3, 5), (6, 2), 31]
SEPARABLE = [name for name, spec in PRESETS.items() if spec.separable]
NOT_SEPARABLE = [name for name, spec in PRESETS.items() if not spec.separable]
# Which axis (0 = rows, 1 = columns) each derivative preset differentiates along.
DERIVATIVE_AXIS = {
    "sobel_x": 1,
    "sobel_y": 0,
    "scharr_x": 1,
    "scharr_y": 0,
    "prewitt_x": 1,
    "prewitt_y": 0,
}


def shape_of(size):
    return (size, size) if isinstance(size, int) else size


def is_zero_sum(kernel):
    return abs(kernel.sum()) <= 1e-12 * max(np.abs(kernel).sum(), 1.0)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_has_the_requested_shape_and_finite_float64_values(name, size):
    kernel = preset_kernel(name, size)
    assert kernel.shape == shape_of(size)
    assert kernel.dtype == np.float64
    assert np.isfinite(kernel).all()


def test_the_registry_lists_every_preset_the_issue_asks_for():
    assert list(PRESETS) == [
        "identity",
        "box",
        "gaussian",
        "sobel_x",
        "sobel_y",
        "scharr_x",
        "scharr_y",
        "prewitt_x",
        "prewitt_y",
        "laplacian",
        "laplacian_of_gaussian",
        "difference_of_gaussians",
        "sharpen",
        "unsharp_mask",
        "emboss",
        "motion_blur",
        "gabor",
        "random",
    ]
    assert set(SEPARABLE) == {"identity", "box", "gaussian", *DERIVATIVE_AXIS}


CLASSIC_3X3 = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box": np.full((3, 3), 1 / 9),
    "sobel_x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "sobel_y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "scharr_x": [[3, 0, -3], [10, 0, -10], [3, 0, -3]],
    "scharr_y": [[3, 10, 3], [0, 0, 0], [-3, -10, -3]],
    "prewitt_x": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "prewitt_y": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


@pytest.mark.parametrize("name", list(CLASSIC_3X3))
def test_classic_3x3_kernels_come_out_exactly(name):
    np.testing.assert_array_equal(preset_kernel(name, 3), np.asarray(CLASSIC_3X3[name], float))


def test_classic_3x3_factors_are_the_textbook_rows():
    pairs = {
        "sobel_x": ([1, 2, 1], [1, 0, -1]),
        "scharr_x": ([3, 10, 3], [1, 0, -1]),
        "prewitt_x": ([1, 1, 1], [1, 0, -1]),
        "sobel_y": ([1, 0, -1], [1, 2, 1]),
    }
    for name, (column, row) in pairs.items():
        got = preset_factors(name, 3)
        np.testing.assert_array_equal(got[0], column)
        np.testing.assert_array_equal(got[1], row)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_sums_as_its_metadata_says(name, size):
    kernel = preset_kernel(name, size)
    rule = PRESETS[name].normalization
    assert rule in {"sum 1", "sum 0", "none"}
    if rule == "sum 1":
        assert kernel.sum() == pytest.approx(1.0, abs=1e-12)
    elif rule == "sum 0":
        assert is_zero_sum(kernel)


def test_blurs_sum_to_one_and_derivatives_to_zero():
    for name in ["identity", "box", "gaussian", "motion_blur", "sharpen", "unsharp_mask"]:
        assert PRESETS[name].normalization == "sum 1"
    for name in [*DERIVATIVE_AXIS, "laplacian", "laplacian_of_gaussian", "difference_of_gaussians"]:
        assert PRESETS[name].normalization == "sum 0"
        assert is_zero_sum(preset_kernel(name, 9))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", SEPARABLE)
def test_separable_factors_reproduce_the_kernel_exactly(name, size):
    kh, kw = shape_of(size)
    column, row = preset_factors(name, size)
    assert column.shape == (kh,) and row.shape == (kw,)
    kernel = preset_kernel(name, size)
    np.testing.assert_array_equal(np.outer(column, row), kernel)
    if name in DERIVATIVE_AXIS and (kh, kw)[DERIVATIVE_AXIS[name]] == 1:
        # One tap cannot difference anything: the honest derivative is zero.
        assert not kernel.any() and analyze_kernel(kernel).is_separable
    else:
        assert analyze_kernel(kernel).rank == 1


@pytest.mark.parametrize("name", SEPARABLE)
def test_factors_run_the_spatial_separable_mode_like_the_full_kernel(name):
    image = np.random.default_rng(3).random((12, 13, 2), dtype=np.float32)
    column, row = preset_factors(name, (5, 4))
    kernel = preset_kernel(name, (5, 4))
    per_channel = np.einsum("pc,hw->pchw", np.eye(2), kernel)  # channel c feeds output c only
    full = normal_conv(image, per_channel).output
    split = spatial_separable_conv(image, column, row).output
    np.testing.assert_allclose(split, full, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("name", NOT_SEPARABLE)
def test_presets_not_separable_in_general_have_no_factors(name):
    assert preset_factors(name, 7) is None
    # Motion blur and Gabor are rank 1 at 0 degrees, so ask for an oblique angle.
    extra = {"motion_blur": {"angle": 30}, "gabor": {"theta": 30}}.get(name, {})
    assert analyze_kernel(preset_kernel(name, 7, **extra)).rank >= 2


@pytest.mark.parametrize("size", [3, 4, 5, (3, 5), (6, 4), 31])
def test_laplacian_is_rank_two(size):
    analysis = analyze_kernel(preset_kernel("laplacian", size))
    assert analysis.rank == 2 and not analysis.is_separable


@pytest.mark.parametrize("n", range(3, 32, 2))
def test_sobel_pieces_follow_opencv_up_to_the_documented_sign(n):
    kx, ky = cv2.getDerivKernels(1, 0, n, ktype=cv2.CV_64F)
    np.testing.assert_array_equal(derivative(n), -kx.ravel())
    np.testing.assert_array_equal(smoothing(n), ky.ravel())
    np.testing.assert_array_equal(second_derivative(n), cv2.getDerivKernels(2, 0, n)[0].ravel())


def test_scharr_3x3_matches_opencv_up_to_the_documented_sign():
    kx, ky = cv2.getDerivKernels(1, 0, cv2.FILTER_SCHARR, ktype=cv2.CV_64F)
    np.testing.assert_array_equal(preset_kernel("scharr_x", 3), -np.outer(ky, kx))


def test_sign_convention_correlating_gives_minus_d_dx_and_convolving_plus_d_dx():
    ramp = np.tile(np.arange(9, dtype=np.float32), (9, 1))  # brightness rises to the right
    sobel = preset_kernel("sobel_x", 3)[None, None]
    assert normal_conv(ramp, sobel).output[4, 4, 0] == pytest.approx(-8.0)
    assert normal_conv(ramp, sobel, flip=True).output[4, 4, 0] == pytest.approx(8.0)


@pytest.mark.parametrize("n", [3, 4, 7, 8, 31])
def test_x_and_y_presets_are_transposes(n):
    for family in ["sobel", "scharr", "prewitt"]:
        x_kernel = preset_kernel(f"{family}_x", n)
        np.testing.assert_array_equal(preset_kernel(f"{family}_y", n), x_kernel.T)


@pytest.mark.parametrize("size", [(4, 4), (6, 6), (8, 8)])
def test_identity_leaves_the_image_unshifted_at_even_sizes(size):
    image = np.random.default_rng(0).random((10, 11), dtype=np.float32)
    out = normal_conv(image, preset_kernel("identity", size)[None, None]).output[..., 0]
    np.testing.assert_array_equal(out, image)


@pytest.mark.parametrize("size", [1, 2, 4, 7, (3, 6), (8, 5), 31])
@pytest.mark.parametrize("sigma", [0.5, 1.0, 3.0])
def test_gaussian_is_symmetric_and_matches_opencv(size, sigma):
    kernel = preset_kernel("gaussian", size, sigma=sigma)
    np.testing.assert_allclose(kernel, kernel[::-1], atol=1e-15)
    np.testing.assert_allclose(kernel, kernel[:, ::-1], atol=1e-15)
    if kernel.shape[0] == kernel.shape[1]:
        np.testing.assert_allclose(kernel, kernel.T, atol=1e-15)
    kh, kw = shape_of(size)
    if kh % 2 and kw % 2:  # OpenCV centres even sizes its own way, so compare odd ones only
        expected = np.outer(cv2.getGaussianKernel(kh, sigma), cv2.getGaussianKernel(kw, sigma))
        np.testing.assert_allclose(kernel, expected, atol=1e-12)


def test_gaussian_1d_survives_a_sigma_far_below_a_pixel():
    np.testing.assert_array_equal(gaussian_1d(4, 1e-3), [0, 0.5, 0.5, 0])


def test_motion_blur_at_zero_degrees_is_a_horizontal_line():
    kernel = preset_kernel("motion_blur", 7, length=5, angle=0)
    expected = np.zeros((7, 7))
    expected[3, 1:6] = 0.2
    np.testing.assert_allclose(kernel, expected, atol=1e-15)


def test_motion_blur_turns_counter_clockwise_and_clips_to_the_window():
    vertical = preset_kernel("motion_blur", (5, 4), length=3, angle=90)
    expected = np.zeros((5, 4))
    expected[1:4, 2] = 1 / 3  # on the anchor column of an even width
    np.testing.assert_allclose(vertical, expected, atol=1e-15)
    diagonal = preset_kernel("motion_blur", 5, length=6, angle=45)
    assert diagonal[0, 4] > 0 and diagonal[4, 0] > 0 and diagonal[0, 0] == 0
    clipped = preset_kernel("motion_blur", 3, length=30)
    np.testing.assert_allclose(clipped[1], 1 / 3)


def test_laplacian_of_gaussian_has_a_negative_centre_and_reads_four_on_a_paraboloid():
    kernel = preset_kernel("laplacian_of_gaussian", 9, sigma=1.4)
    assert kernel[4, 4] == kernel.min() < 0
    y, x = np.mgrid[-4:5, -4:5]
    assert float(np.sum(kernel * (x**2 + y**2))) == pytest.approx(4.0)
    np.testing.assert_array_equal(preset_kernel("laplacian_of_gaussian", 1), [[0.0]])


def test_difference_of_gaussians_is_narrow_minus_wide():
    kernel = preset_kernel("difference_of_gaussians", 9, sigma1=1.0, sigma2=2.0)
    assert kernel[4, 4] == kernel.max() > 0 and kernel[0, 0] < 0


def test_unsharp_mask_is_identity_plus_amount_times_detail():
    amount, sigma = 1.5, 1.2
    blur = preset_kernel("gaussian", 5, sigma=sigma)
    expected = preset_kernel("identity", 5) + amount * (preset_kernel("identity", 5) - blur)
    np.testing.assert_allclose(
        preset_kernel("unsharp_mask", 5, amount=amount, sigma=sigma), expected, atol=1e-15
    )


def test_gabor_matches_opencv_with_its_mirrored_angles():
    ours = preset_kernel("gabor", 7, theta=30, wavelength=5, sigma=2, gamma=0.7, psi=20)
    theirs = cv2.getGaborKernel(
        (7, 7), 2, np.deg2rad(-30), 5, 0.7, np.deg2rad(-20), ktype=cv2.CV_64F
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    assert preset_kernel("gabor", (4, 6)).shape == (4, 6)


def test_random_is_reproducible_per_seed_and_differs_between_seeds():
    first = preset_kernel("random", (5, 6), seed=7)
    np.testing.assert_array_equal(first, preset_kernel("random", (5, 6), seed=7))
    assert not np.array_equal(first, preset_kernel("random", (5, 6), seed=8))
    assert first.min() >= -1 and first.max() < 1


@pytest.mark.parametrize("name", list(PRESETS))
def test_metadata_is_complete_and_defaults_are_in_range(name):
    spec = PRESETS[name]
    assert spec.name == name and spec.label and spec.description
    for param in spec.params:
        assert param.minimum <= param.default <= param.maximum and param.step > 0
    np.testing.assert_array_equal(preset_kernel(name, 5, **spec.defaults()), preset_kernel(name, 5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.label = "changed"


def test_parameters_change_the_kernel():
    assert not np.array_equal(
        preset_kernel("gaussian", 7, sigma=1), preset_kernel("gaussian", 7, sigma=2)
    )
    assert not np.array_equal(preset_kernel("sharpen", 5, amount=0.5), preset_kernel("sharpen", 5))
    np.testing.assert_array_equal(
        preset_kernel("sharpen", 5, amount=0), preset_kernel("identity", 5)
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: preset_kernel("sobel", 3), r"name='sobel' is not a kernel preset.*sobel_x"),
        (lambda: preset_kernel(3, 3), r"name=3 is not a kernel preset"),
        (lambda: preset_factors("nope", 3), r"name='nope' is not a kernel preset"),
        (lambda: preset_kernel("box", 0), r"size=0 is not allowed.*from 1 to 31"),
        (lambda: preset_kernel("box", MAX_KERNEL_SIZE + 1), r"size=32 is not allowed"),
        (lambda: preset_kernel("box", 3.0), r"size=3\.0 is not allowed.*whole numbers"),
        (lambda: preset_kernel("box", True), r"size=True is not allowed"),
        (lambda: preset_kernel("box", (3,)), r"size=\(3,\) is not allowed.*\(kh, kw\) pair"),
        (lambda: preset_kernel("box", (3, 0)), r"size=\(3, 0\) is not allowed"),
        (lambda: preset_kernel("box", "3"), r"size='3' is not allowed"),
        (
            lambda: preset_kernel("gaussian", 3, sigmaa=1),
            r"gaussian has no parameter 'sigmaa'; its parameters are sigma",
        ),
        (lambda: preset_kernel("box", 3, sigma=1), r"box has no parameter 'sigma'; it takes none"),
        (
            lambda: preset_kernel("gaussian", 3, sigma=0),
            r"gaussian: sigma=0 is out of range; give a number from 0\.1 to 32",
        ),
        (lambda: preset_kernel("gaussian", 3, sigma="2"), r"sigma='2' is not allowed"),
        (lambda: preset_kernel("gaussian", 3, sigma=np.nan), r"sigma=nan is not allowed"),
        (lambda: preset_kernel("gabor", 3, wavelength=1), r"wavelength=1 is out of range"),
        (lambda: preset_kernel("motion_blur", 3, angle=270), r"angle=270 is out of range"),
        (lambda: preset_kernel("random", 3, seed=1.5), r"seed=1\.5 is not allowed; give a whole"),
        (lambda: preset_kernel("random", 3, seed=-1), r"seed=-1 is out of range"),
        (
            lambda: preset_kernel("difference_of_gaussians", 3, sigma1=2, sigma2=2),
            r"sigma1 and sigma2 must differ",
        ),
        (lambda: derivative(0), r"n=0 is not a tap count"),
        (lambda: gaussian_1d(3, -1.0), r"sigma=-1\.0 is not allowed"),
    ],
)
def test_bad_input_raises_a_value_error_that_says_what_is_allowed(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_whole_float_seed_and_numpy_sizes_are_accepted():
    np.testing.assert_array_equal(
        preset_kernel("random", np.int64(3), seed=4.0), preset_kernel("random", 3, seed=4)
    )
    assert preset_kernel("box", (np.int32(2), 5)).shape == (2, 5)
