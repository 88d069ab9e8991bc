"""Hover arithmetic: one pixel's sums in every mode, against hand computation and the engine."""

import itertools

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.pixel_math import EngineInputs, EquivalentBank, engine_inputs, explain_pixel
from sepconv_gui.app.state import Design
from sepconv_gui.engine import BORDER_MODES

# I[r, c] = 10 r + c: every value says where it came from, so a wrong neighbour shows.
GRID = (10.0 * np.arange(4)[:, None] + np.arange(5)[None, :])[:, :, None]
# Not symmetric in any way, so a missing or doubled 180° turn changes the sum.
K = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]])


def normal_only(border="reflect101", flip=False, bank=K[None, None]):
    return EngineInputs(bank, None, None, None, None, border, flip)


def test_normal_interior_pixel_by_hand():
    # Patch rows 0..2, columns 1..3: [[1, 2, 3], [11, 12, 13], [21, 22, 23]].
    math = explain_pixel(GRID, normal_only(), 2, 1).modes["normal"]
    assert math.value == 1 * 1 + 2 * 2 + 1 * 12 - 1 * 23 == -6
    np.testing.assert_array_equal(
        math.steps[0].dots[0].values, [[1, 2, 3], [11, 12, 13], [21, 22, 23]]
    )
    assert (math.multiplications, math.per_pixel) == (9, 9)


def test_flip_turns_the_kernel_half_round():
    # Convolution correlates with [[-1, 0, 0], [0, 1, 0], [0, 2, 1]].
    math = explain_pixel(GRID, normal_only(flip=True), 2, 1).modes["normal"]
    assert math.value == -1 * 1 + 1 * 12 + 2 * 22 + 1 * 23 == 78


@pytest.mark.parametrize(
    ("border", "expected"),
    [
        # rows -1, 0, 1 -> 1, 0, 1 and the same for columns
        ("reflect101", 1 * 11 + 2 * 10 + 1 * 0 - 1 * 11),
        # rows -1 and column -1 are zeros
        ("constant", 1 * 0 - 1 * 11),
        # row -1 is row 3, column -1 is column 4
        ("wrap", 1 * 34 + 2 * 30 + 1 * 0 - 1 * 11),
    ],
)
def test_corner_pixel_by_hand(border, expected):
    assert explain_pixel(GRID, normal_only(border), 0, 0).modes["normal"].value == expected


def test_spatial_vertical_then_horizontal_by_hand():
    inputs = EngineInputs(
        None, np.array([[1.0, 2.0, 1.0]]), np.array([[1.0, 0.0, -1.0]]), None, None
    )
    math = explain_pixel(GRID, inputs, 2, 1).modes["spatial"]
    vertical, horizontal = math.steps
    assert [d.total for d in vertical.dots] == [1 + 22 + 21, 2 + 24 + 22, 3 + 26 + 23]
    assert horizontal.dots[0].total == math.value == 44 - 52
    assert (math.multiplications, math.per_pixel) == (6, 6)
    # Constant border: the column left of the image is a column of zeros after the vertical
    # pass too; the top row reads a zero.
    corner = explain_pixel(
        GRID, EngineInputs(None, inputs.column, inputs.row, None, None, "constant"), 0, 0
    ).modes["spatial"]
    assert [d.total for d in corner.steps[0].dots] == [0, 2 * 0 + 10, 2 * 1 + 11]
    assert corner.value == -13


def test_depthwise_patch_sums_then_pointwise_mix_by_hand():
    image = np.concatenate([GRID, np.ones_like(GRID)], axis=2)
    kernels = np.stack([K, np.ones((3, 3))])
    inputs = EngineInputs(None, None, None, kernels, np.array([[2.0, -1.0]]))
    math = explain_pixel(image, inputs, 2, 1).modes["depthwise"]
    assert [d.total for d in math.steps[0].dots] == [-6, 9]
    assert math.value == 2 * -6 - 9
    assert (math.multiplications, math.per_pixel) == (9 * 2 + 2, 9 * 2 + 2 * 1)


def test_one_output_s_count_and_the_per_pixel_count_differ_by_the_outputs():
    # C = 2 inputs; normal P = 2, depthwise P = 3: one output value versus all at a pixel.
    image = np.concatenate([GRID, np.ones_like(GRID)], axis=2)
    bank = np.stack([np.stack([K, K]), np.stack([K, -K])])
    kernels = np.stack([K, np.ones((3, 3))])
    mix = np.array([[2.0, -1.0], [1.0, 1.0], [0.0, 3.0]])
    column, row = np.array([[1.0, 2.0, 1.0]]), np.array([[1.0, 0.0, -1.0]])
    modes = explain_pixel(image, EngineInputs(bank, column, row, kernels, mix), 2, 1).modes
    counts = {mode: (math.multiplications, math.per_pixel) for mode, math in modes.items()}
    assert counts == {
        "normal": (9 * 2, 9 * 2 * 2),
        "spatial": (3 + 3, (3 + 3) * 2),
        "depthwise": (9 * 2 + 2, 9 * 2 + 2 * 3),
    }


def edge_pixels(height, width):
    return sorted(
        {(x, y) for x in range(width) for y in (0, 1, height - 1)}
        | {(x, y) for y in range(height) for x in (0, width - 2, width - 1)}
    )


def random_design_run(seed, image_shape, kernel_shape, out_channels, **design):
    """A random image through a random custom design (M = 2, rank 2, random pointwise) in
    every mode: the result, and the engine inputs the explainer reads."""
    rng = np.random.default_rng(seed)
    image = rng.random(image_shape).astype(np.float32)
    kernel = tuple(map(tuple, rng.standard_normal(kernel_shape)))
    design = Design(
        kernel=kernel,
        preset="custom",
        multiplier=2,
        out_channels=out_channels,
        pointwise="random",
        spatial_rank=2,
        **design,
    )
    return run_design(image, design), engine_inputs(design, image_shape[2])


def assert_every_mode_equals_the_engine(result, arithmetic):
    x, y = arithmetic.x, arithmetic.y
    for mode, math in arithmetic.modes.items():
        engine = result.results[mode].output[y, x, math.channel]
        assert math.value == pytest.approx(engine, abs=2e-5), (mode, x, y)


@pytest.mark.parametrize(("border", "flip"), list(itertools.product(BORDER_MODES, (False, True))))
def test_every_mode_equals_the_engine_at_border_pixels(border, flip):
    # An even kernel width: the anchor matters.
    result, inputs = random_design_run(11, (7, 9, 3), (5, 4), 4, border=border, flip=flip)
    for (x, y), channel in itertools.product(edge_pixels(7, 9), (0, 3)):
        arithmetic = explain_pixel(result.image, inputs, x + 0.7, y + 0.2, channel)
        assert (arithmetic.x, arithmetic.y) == (x, y)
        assert_every_mode_equals_the_engine(result, arithmetic)
        # The vertical sum under the pixel itself is the engine's vertical stage there.
        spatial = arithmetic.modes["spatial"]
        own = [d for d in spatial.steps[0].dots if d.label == f"x = {x}"][0]
        vertical = result.results["spatial"].stages["vertical"][y, x, spatial.channel]
        assert own.total == pytest.approx(vertical, abs=2e-5)


def test_equivalent_bank_rows_are_the_design_bank():
    design = Design(multiplier=3, out_channels=5, pointwise="random", channels=4)
    inputs = engine_inputs(design, 4)
    assert isinstance(inputs.normal, EquivalentBank)
    full = design.normal_weights(4)
    assert inputs.normal.shape == full.shape
    for p in range(5):
        np.testing.assert_allclose(inputs.normal[p], full[p], atol=1e-12)


def test_outside_the_image_explains_nothing():
    assert explain_pixel(GRID, normal_only(), -0.5, 1) is None
    assert explain_pixel(GRID, normal_only(), 5, 1) is None


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", (False, True))
def test_stride_and_dilation_read_the_engine_s_sampling_grid(border, flip):
    grid = {"stride": (2, 3), "dilation": (2, 1)}
    result, inputs = random_design_run(17, (9, 11, 2), (3, 3), 3, border=border, flip=flip, **grid)
    out_h, out_w = result.results["normal"].output.shape[:2]
    assert (out_h, out_w) == (5, 4)
    for x, y in itertools.product(range(out_w), range(out_h)):
        assert_every_mode_equals_the_engine(result, explain_pixel(result.image, inputs, x, y, 2))
    assert explain_pixel(result.image, inputs, out_w, 0) is None
