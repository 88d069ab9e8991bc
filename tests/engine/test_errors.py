"""Bad input raises the documented error with a message a user can act on."""

import numpy as np
import pytest

from sepconv_gui.engine import (
    analyze_kernel,
    conv_cost,
    depthwise_separable_conv,
    factorize_depthwise_separable,
    normal_conv,
    spatial_separable_conv,
)

IMAGE = np.zeros((10, 12, 3), np.float32)
BANK = np.ones((2, 3, 3, 3))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: normal_conv(np.zeros((4,)), BANK),
            ValueError,
            r"image must be \(H, W\).*shape \(4,\)",
        ),
        (lambda: normal_conv(np.zeros((2, 2, 2, 2)), BANK), ValueError, r"got 4 dimensions"),
        (lambda: normal_conv(np.zeros((0, 5, 3)), BANK), ValueError, r"image is empty"),
        (lambda: normal_conv(np.zeros((5, 5), bool), BANK[:, :1]), TypeError, r"dtype bool"),
        (lambda: normal_conv(np.zeros((5, 5), complex), BANK[:, :1]), TypeError, r"complex"),
        (
            lambda: normal_conv(np.full((5, 5), np.nan), BANK[:, :1]),
            ValueError,
            r"image contains NaN",
        ),
        (
            lambda: normal_conv(IMAGE, np.full((1, 3, 3, 3), np.inf)),
            ValueError,
            r"weights contains NaN or inf",
        ),
        (
            lambda: normal_conv(IMAGE, np.ones((3, 3, 3))),
            ValueError,
            r"weights must be \(P, C, kh, kw\)",
        ),
        (lambda: normal_conv(IMAGE, np.ones((2, 4, 3, 3))), ValueError, r"C=4 .* image has 3"),
        (
            lambda: normal_conv(IMAGE, np.ones((2, 3, 11, 3))),
            ValueError,
            r"kernel 11x3 .* larger than the image 10x12",
        ),
        (lambda: normal_conv(IMAGE, np.ones((0, 3, 3, 3))), ValueError, r"weights is empty"),
        (
            lambda: normal_conv(IMAGE, BANK, border="mirror"),
            ValueError,
            r"border='mirror'.*reflect101",
        ),
        (
            lambda: normal_conv(IMAGE, BANK, algorithm="winograd"),
            ValueError,
            r"algorithm='winograd'.*gemm",
        ),
        (
            lambda: spatial_separable_conv(IMAGE, np.ones((2, 3)), np.ones((3, 3))),
            ValueError,
            r"column has 2 factors and row has 3",
        ),
        (
            lambda: spatial_separable_conv(IMAGE, np.ones(3), np.ones((1, 3))),
            ValueError,
            r"both be 1-D",
        ),
        (
            lambda: spatial_separable_conv(IMAGE, np.ones(3), np.ones(13)),
            ValueError,
            r"larger than the image",
        ),
        (
            lambda: spatial_separable_conv(IMAGE, [np.nan, 1], [1, 1]),
            ValueError,
            r"column contains NaN",
        ),
        (
            lambda: depthwise_separable_conv(IMAGE, np.ones((4, 3, 3)), np.ones((2, 4))),
            ValueError,
            r"4 kernels .* multiple of 3",
        ),
        (
            lambda: depthwise_separable_conv(IMAGE, np.ones((3, 3, 3)), np.ones((2, 4))),
            ValueError,
            r"pointwise must be \(P, 3\)",
        ),
        (
            lambda: depthwise_separable_conv(IMAGE, np.ones((3, 3)), np.ones((2, 3))),
            ValueError,
            r"depthwise must be \(C\*M, kh, kw\)",
        ),
        (
            lambda: depthwise_separable_conv(
                IMAGE,
                np.random.default_rng(0).random((3, 3, 3)),
                np.ones((2, 3)),
                one_d_passes=True,
            ),
            ValueError,
            r"rank 1",
        ),
        (
            lambda: factorize_depthwise_separable(BANK, multiplier=0),
            ValueError,
            r"multiplier M must be .* >= 1; got 0",
        ),
        (
            lambda: conv_cost("normal", 10, 10, 3, 8, 3, 3, multiplier=0),
            ValueError,
            r"multiplier must be .* >= 1",
        ),
        (lambda: conv_cost("dilated", 10, 10, 3, 8, 3, 3), ValueError, r"mode='dilated'"),
        (lambda: analyze_kernel(np.ones(3)), ValueError, r"kernel must be \(kh, kw\)"),
        (
            lambda: analyze_kernel(np.ones((3, 3))).factors(4),
            ValueError,
            r"r must be .* from 1 to 3",
        ),
        (lambda: analyze_kernel(np.ones((3, 3)), tol=-1), ValueError, r"tol must be"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_values_too_large_for_float32_are_refused_not_turned_into_inf():
    import numpy as np

    from sepconv_gui.engine import normal_conv

    image = np.ones((8, 8), dtype=np.float64)
    weights = np.full((1, 1, 3, 3), 1e39)
    with pytest.raises(ValueError, match="weights contains NaN or infinity.*3.4e38"):
        normal_conv(image, weights)
    with pytest.raises(ValueError, match="image contains NaN or infinity"):
        normal_conv(image * 1e39, np.ones((1, 1, 3, 3)))
