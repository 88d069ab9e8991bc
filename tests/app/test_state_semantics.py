"""What a design means, checked against arrays typed out by hand (not against Design methods).

The expectations here are written down literally, so a change in the direction of the
depth-multiplier turns, in which map identity pointwise picks, or in how the normal bank is
summed shows up as a failure instead of agreeing with itself.
"""

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.engine import conv_cost, reference

SOBEL_X = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
SOBEL_Y = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
# A kernel with no symmetry, so every turn and every mix-up of taps is visible.
ODD = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.5]])
ODD_CLOCKWISE = np.array([[7.0, 4.0, 1.0], [8.0, 5.0, 2.0], [9.5, 6.0, 3.0]])
ODD_HALF = np.array([[9.5, 8.0, 7.0], [6.0, 5.0, 4.0], [3.0, 2.0, 1.0]])
ODD_ANTICLOCKWISE = np.array([[3.0, 6.0, 9.5], [2.0, 5.0, 8.0], [1.0, 4.0, 7.0]])


def image(seed: int, shape=(12, 13, 3)) -> np.ndarray:
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def kernel(array) -> tuple:
    return tuple(map(tuple, array))


def test_sobel_x_with_two_maps_gives_sobel_x_then_sobel_y():
    design = Design(kernel=kernel(SOBEL_X), preset="sobel_x", multiplier=2, out_channels=3)
    expected = np.stack([SOBEL_X, SOBEL_Y] * 3)
    np.testing.assert_array_equal(design.depthwise_kernels(3), expected)
    # ... and the engine really computes them in that order: map c*M + m.
    data = image(11)
    maps = run_design(data, design).results["depthwise"].stages["depthwise"]
    for c in range(3):
        for m, sobel in enumerate((SOBEL_X, SOBEL_Y)):
            np.testing.assert_allclose(
                maps[:, :, 2 * c + m],
                reference.correlate(data[:, :, c], sobel, "reflect101", False),
                atol=1e-5,
            )


def test_the_m_maps_are_clockwise_quarter_turns():
    design = Design(kernel=kernel(ODD), preset="custom", multiplier=5)
    expected = [ODD, ODD_CLOCKWISE, ODD_HALF, ODD_ANTICLOCKWISE, ODD]
    np.testing.assert_array_equal(design.depthwise_kernels(2), np.stack(expected * 2))


def test_non_square_kernels_repeat_instead_of_turning():
    wide = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    design = Design(kernel=kernel(wide), preset="custom", multiplier=3)
    np.testing.assert_array_equal(design.depthwise_kernels(1), np.stack([wide] * 3))


@pytest.mark.parametrize("multiplier", [2, 3, 4])
def test_identity_pointwise_maps_channel_c_to_output_c(multiplier):
    design = Design(kernel=kernel(ODD), preset="custom", multiplier=multiplier, out_channels=3)
    weights = np.zeros((3, 3 * multiplier))
    weights[0, 0] = weights[1, multiplier] = weights[2, 2 * multiplier] = 1.0
    np.testing.assert_array_equal(design.pointwise_weights(3), weights)
    data = image(12)
    result = run_design(data, design)
    for mode in ("normal", "depthwise"):
        for c in range(3):
            np.testing.assert_allclose(
                result.results[mode].output[:, :, c],
                reference.correlate(data[:, :, c], ODD, "reflect101", False),
                rtol=1e-5,
                atol=1e-4,
            )


def test_identity_pointwise_with_more_outputs_than_channels_cycles_through_them():
    design = Design(multiplier=2, out_channels=5)
    expected = np.zeros((5, 6))
    for p, column in enumerate([0, 2, 4, 0, 2]):
        expected[p, column] = 1.0
    np.testing.assert_array_equal(design.pointwise_weights(3), expected)


def test_normal_bank_is_the_hand_summed_depthwise_separable_design():
    point = ((1.0, 2.0, 0.0, 0.0), (0.0, 0.0, 3.0, -1.0), (1.0, 0.0, 0.0, 1.0))
    design = Design(
        kernel=kernel(SOBEL_X),
        preset="sobel_x",
        multiplier=2,
        out_channels=3,
        pointwise="custom",
        pointwise_custom=point,
    )
    zero = np.zeros((3, 3))
    bank = np.array(
        [
            [SOBEL_X + 2 * SOBEL_Y, zero],
            [zero, 3 * SOBEL_X - SOBEL_Y],
            [SOBEL_X, SOBEL_Y],
        ]
    )
    np.testing.assert_array_equal(design.normal_weights(2), bank)
    data = image(13, (10, 9, 2))
    result = run_design(data, design)
    expected = reference.normal(data, bank)
    for mode in ("normal", "depthwise"):
        np.testing.assert_allclose(result.results[mode].output, expected, atol=1e-4)


def test_average_and_random_pointwise_weights():
    average = Design(multiplier=2, out_channels=2, pointwise="average").pointwise_weights(2)
    np.testing.assert_array_equal(average, np.full((2, 4), 0.25))
    one = Design(out_channels=4, pointwise="random", pointwise_seed=5).pointwise_weights(3)
    again = Design(out_channels=4, pointwise="random", pointwise_seed=5).pointwise_weights(3)
    other = Design(out_channels=4, pointwise="random", pointwise_seed=6).pointwise_weights(3)
    assert one.shape == (4, 3)
    np.testing.assert_array_equal(one, again)
    assert not np.allclose(one, other)


@pytest.mark.parametrize(
    "h, w, c, m, p, k",
    [(1, 1, 1, 1, 1, 1), (1, 1, 2, 2, 3, 3), (2, 3, 3, 4, 5, 5)],
)
def test_depthwise_separable_operation_counts_by_hand(h, w, c, m, p, k):
    cost = conv_cost("depthwise", h, w, c, p, k, k, multiplier=m)
    pixels, maps = h * w, c * m
    # Each depthwise map value: k*k products added together (k*k - 1 additions).
    assert cost.stages["depthwise"].multiplications == pixels * maps * k * k
    assert cost.stages["depthwise"].additions == pixels * maps * (k * k - 1)
    # Each pointwise output value: C*M products added together (C*M - 1 additions).
    assert cost.stages["pointwise"].multiplications == pixels * p * maps
    assert cost.stages["pointwise"].additions == pixels * p * (maps - 1)
    assert cost.parameters == maps * k * k + p * maps


def test_pointwise_counts_of_one_worked_example():
    # 1x1 image, C = 2, M = 2, P = 3: three outputs, each 4 products and 3 additions.
    cost = conv_cost("depthwise", 1, 1, 2, 3, 1, 1, multiplier=2)
    assert (cost.stages["pointwise"].multiplications, cost.stages["pointwise"].additions) == (
        12,
        9,
    )
