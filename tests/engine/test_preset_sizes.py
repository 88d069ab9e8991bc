"""Preset sizes from parameters, and derivative presets that stay readable at any size."""

import numpy as np
import pytest

from sepconv_gui.engine import preset_kernel
from sepconv_gui.engine.kernels import preset_size


@pytest.mark.parametrize("sigma, side", [(0.1, 3), (1.0, 7), (1.01, 9), (2.0, 13), (5.0, 31)])
def test_gaussian_sizes(sigma, side):
    assert preset_size("gaussian", sigma=sigma) == (side, side)


@pytest.mark.parametrize("length", [1, 2, 3, 5, 8, 13, 21])
@pytest.mark.parametrize("angle", [0, 30, 45, 90, 135, -60])
def test_a_motion_blur_at_its_size_loses_nothing_off_the_edges(length, angle):
    kh, kw = preset_size("motion_blur", length=length, angle=angle)
    assert kh % 2 == kw % 2 == 1
    roomy = preset_kernel("motion_blur", 31, length=length, angle=angle)
    fitted = preset_kernel("motion_blur", (kh, kw), length=length, angle=angle)
    top, left = 15 - kh // 2, 15 - kw // 2
    np.testing.assert_allclose(roomy[top : top + kh, left : left + kw], fitted, atol=1e-12)
    assert roomy.sum() == pytest.approx(roomy[top : top + kh, left : left + kw].sum())


def test_presets_sized_by_hand_have_no_natural_size():
    assert preset_size("sobel_x") is None and preset_size("box") is None


RAMP_X = np.tile(np.arange(31.0), (31, 1))


@pytest.mark.parametrize("name, response", [("sobel_x", 8), ("scharr_x", 32), ("prewitt_x", 6)])
@pytest.mark.parametrize("size", [3, 5, 9, 31])
def test_derivatives_answer_a_unit_ramp_alike_at_every_size(name, response, size):
    kernel = preset_kernel(name, size)
    ramp = RAMP_X[:size, :size]
    # Correlated with a slope-1 ramp the textbook 3×3 gives -response (positive tap first).
    assert np.sum(kernel * ramp) == pytest.approx(-response)
    assert np.abs(kernel).max() <= 10  # readable: a 31×31 Sobel used to reach 1.6e16


@pytest.mark.parametrize("size", [3, 5, 15, 31])
def test_laplacian_gives_four_on_a_paraboloid_at_every_size(size):
    x = np.arange(size) - size // 2
    paraboloid = x[None, :] ** 2 + x[:, None] ** 2
    assert np.sum(preset_kernel("laplacian", size) * paraboloid) == pytest.approx(4.0)
