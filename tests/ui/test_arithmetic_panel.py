"""The hover arithmetic as the pixel inspector shows it: readable summaries, the right pixel."""

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.pixel_math import Dot, engine_inputs, explain_pixel
from sepconv_gui.app.state import Design
from sepconv_gui.ui.views.arithmetic_text import dot_text, mode_lines, number, summary_rows
from sepconv_gui.ui.views.pixel_inspector import PixelInspector
from tests.ui.widgets import shown


def test_a_long_sum_shows_a_few_terms_an_ellipsis_and_the_sum():
    values, weights = np.arange(1.0, 26.0), np.full(25, 2.0)
    text = dot_text(Dot("c1", values, weights, (5, 5)))
    assert text == f"1·2 + 2·2 + 3·2 + … + 25·2 = {number(2 * values.sum())}"
    assert dot_text(Dot("p1", np.array([1.5, -2.0]), np.ones(2), (2,))) == "1.5 + (−2) = −0.5"


def test_many_channels_list_the_first_and_last_sums_and_how_many_are_left_out():
    image = np.random.default_rng(3).random((12, 12, 3)).astype(np.float32)
    design = Design(channels=16, out_channels=8, multiplier=2, pointwise="random")
    result = run_design(image, design)
    math = explain_pixel(result.image, engine_inputs(design, 16), 4, 4, 2)
    normal = mode_lines(math.modes["normal"])
    assert normal[0].startswith("Normal: p3 = ")
    assert "144 mult for p3; 1,152 per pixel for all outputs (k²·C·P = 9·16·8)" in normal[1]
    sums = [line.strip() for line in normal if line.startswith("    ")]
    assert [s.split(":")[0] for s in sums] == ["c1", "c2", "… 13 more …", "c16", "p3"]
    depthwise = mode_lines(math.modes["depthwise"])
    assert (
        "320 mult for p3; 544 per pixel for all outputs (k²·C·M + C·M·P = 9·32 + 32·8)"
        in (depthwise[1])
    )
    # The counts per pixel are the Cost dock's, divided by H·W.
    for mode in ("normal", "spatial"):
        per_pixel = result.results[mode].cost.multiplications / (12 * 12)
        assert math.modes[mode].per_pixel == per_pixel
    assert any(line.strip() == "… 29 more …" for line in depthwise)


@pytest.fixture
def inspector(qtbot):
    return shown(qtbot, PixelInspector(), 320, 700)


def test_the_inspector_explains_the_hovered_pixel_in_every_mode(inspector):
    image = np.random.default_rng(4).random((20, 30, 3)).astype(np.float32)
    result = run_design(image, Design(out_channels=3, multiplier=2, pointwise="random"))
    inspector.show_pixel(result, 29.5, 0.5)  # a corner: the border is in the sums
    panel = inspector.arithmetic
    assert list(panel.arithmetic.modes) == ["normal", "spatial", "depthwise"]
    for mode, math in panel.arithmetic.modes.items():
        assert math.value == pytest.approx(result.results[mode].output[0, 29, 0], abs=2e-5)
    assert panel.lines()[0] == "Pixel x = 29, y = 0"
    assert "Depthwise-separable" in panel.text.text()
    panel.set_output(2)  # output p3: the panel redraws for the same pixel
    math = panel.arithmetic.modes["depthwise"]
    assert math.channel == 2
    assert math.value == pytest.approx(result.results["depthwise"].output[0, 29, 2], abs=2e-5)
    inspector.show_pixel(result, 31, 3)
    assert panel.arithmetic is None and "Hover" in panel.text.text()


def test_only_the_modes_that_ran_are_explained(inspector):
    image = np.random.default_rng(5).random((10, 10, 3)).astype(np.float32)
    result = run_design(image, Design(modes=("spatial",)))
    inspector.show_pixel(result, 2, 2)
    assert list(inspector.arithmetic.arithmetic.modes) == ["spatial"]


def test_a_high_rank_spatial_kernel_shows_its_first_and_last_pair():
    kernel = np.random.default_rng(8).standard_normal((5, 5))  # rank 5: five pairs
    design = Design(kernel=tuple(map(tuple, kernel)), preset="custom", modes=("spatial",))
    image = np.random.default_rng(2).random((9, 9, 1)).astype(np.float32)
    result = run_design(image, design)
    math = explain_pixel(result.image, engine_inputs(design, 1), 4, 4).modes["spatial"]
    assert len(math.steps) == 10
    lines = mode_lines(math)
    assert sum("vertical pass" in line for line in lines) == 2
    assert "  … 3 more pairs of passes, each added to the output …" in lines
    assert "(pair 5 of 5)" in "".join(lines)
    assert math.value == pytest.approx(result.results["spatial"].output[4, 4, 0], abs=2e-5)


def test_the_summary_puts_every_mode_s_count_side_by_side():
    image = np.random.default_rng(6).random((10, 10, 3)).astype(np.float32)
    result = run_design(image, Design())  # Sobel x, C = P = 3
    math = explain_pixel(result.image, engine_inputs(Design(), 3), 5, 5)
    rows = summary_rows(math)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("Normal", "27", "81"),  # 9 taps × 3 channels for p1; × 3 outputs
        ("Spatial", "6", "18"),  # 3 + 3 taps for c1; × 3 channels
        ("Depthwise", "30", "36"),  # 9 taps for each of 3 maps + 3 pointwise weights
    ]
    assert all(r[1].endswith(number(result.results["normal"].output[5, 5, 0])) for r in rows)
