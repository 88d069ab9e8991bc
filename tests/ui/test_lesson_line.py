"""The presentation's lesson sentence: counts from explain, reasons from the timings.

Timings are set by hand here, so every "because" is checked against numbers worked out below
rather than against whatever the busy test machine measured.
"""

import dataclasses

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.engine import preset_kernel
from sepconv_gui.ui.teach.lesson_line import read, stage_intensity


def timed(design, timings, shape=(40, 60, 3)):
    image = np.random.default_rng(5).random(shape, dtype=np.float32)
    result = run_design(image, design)
    for mode, stages in timings.items():
        result.results[mode] = dataclasses.replace(result.results[mode], timings=stages)
    return result


def test_full_saving_shows_when_the_rates_are_equal():
    # Sobel 3x3, C = P = 3, direct: normal 81 mult/px; depthwise as 1-D passes 6*3 + 9 = 27.
    # Normal 3 ms, depthwise 1 ms: 3x faster, exactly the count gap (rate factor 1).
    result = timed(
        Design(algorithm="direct"),
        {"normal": {"normal": 3e-3}, "depthwise": {"depthwise": 0.5e-3, "pointwise": 0.5e-3}},
    )
    reading = read(result, Design(algorithm="direct"), "depthwise")
    assert reading.fewer == pytest.approx(3.0) and reading.measured == pytest.approx(3.0)
    assert reading.rate_factor == pytest.approx(1.0)
    assert reading.text == (
        "27 vs 81 multiplications per pixel → 3.0× fewer; measured 3.0× faster than normal"
        " — the saving shows in the time"
    )


def test_a_pointwise_step_that_takes_the_time_is_named():
    # Same counts; depthwise 2.5 ms of which the pointwise step is 2 ms (80 %) for 9 of the 27
    # multiplications (33 %): measured 1.2x against 3x by count.
    design = Design(algorithm="direct")
    result = timed(
        design,
        {"normal": {"normal": 3e-3}, "depthwise": {"depthwise": 0.5e-3, "pointwise": 2e-3}},
    )
    reading = read(result, design, "depthwise")
    assert reading.measured == pytest.approx(1.2) and reading.rate_factor == pytest.approx(0.4)
    assert reading.text.endswith(
        "measured 1.2× faster than normal, because its pointwise step takes 80% of the time "
        "for 33% of the multiplications"
    )


def test_slower_and_memory_bound_small_passes():
    # Depthwise 6 ms vs normal 3 ms: 2x slower, both stages in proportion to their counts
    # (18:9 = 4 ms : 2 ms), so the reason is traffic: the 1-D depthwise step reads 3 and
    # writes 3 float32 planes for 18 mult/px, 18 / 24 = 0.75 multiplications per byte.
    design = Design(algorithm="direct")
    result = timed(
        design,
        {"normal": {"normal": 3e-3}, "depthwise": {"depthwise": 4e-3, "pointwise": 2e-3}},
    )
    assert stage_intensity(result, "depthwise")["depthwise"] == pytest.approx(18 / 24)
    text = read(result, design, "depthwise").text
    assert (
        "measured 2.0× slower than normal, because its 2 passes each move the whole image" in text
    )
    assert "for only 0.8 multiplications per byte" in text


def test_spatial_names_what_normal_ran_and_normal_by_fft_is_a_reason():
    # 15x15 Gaussian, forced FFT: the spatial count is against the per-channel filter (30 vs
    # 225), the measured ratio against normal's 2,025, and normal did less than its formula.
    kernel = preset_kernel("gaussian", (15, 15), sigma=2.5)
    design = Design(
        kernel=tuple(map(tuple, kernel)),
        preset="gaussian",
        preset_params={"sigma": 2.5},
        algorithm="fft",
    )
    result = timed(
        design,
        {"normal": {"normal": 4e-3}, "spatial": {"vertical": 1e-3, "horizontal": 1e-3}},
        shape=(64, 64, 3),
    )
    reading = read(result, design, "spatial")
    assert reading.normal_ran_factor < 0.8
    assert reading.text.startswith(
        "30 vs 225 multiplications per pixel per channel → 7.5× fewer; measured 2.0× faster "
        "than normal (2,025), because normal ran by FFT"
    )


def test_normal_and_disabled_modes_say_what_they_are():
    design = Design(algorithm="direct", modes=("normal", "depthwise"))
    result = timed(design, {"normal": {"normal": 2.5e-3}})
    assert read(result, design, "normal").text == (
        "Normal: k²·C·P = 9·3·3 = 81 multiplications per pixel, 2.5 ms — the reference the "
        "separable modes are measured against"
    )
    assert read(result, design, "spatial").text == "Spatial-separable is not enabled."


def test_no_excuses_when_the_measured_gap_beats_the_count():
    # Normal by FFT (less work than its formula) yet 30x slower than depthwise's 1-D passes
    # (99 mult/px against 2,025, 20x by count): nothing to explain away.
    kernel = preset_kernel("gaussian", (15, 15), sigma=2.5)
    design = Design(kernel=tuple(map(tuple, kernel)), preset="gaussian", algorithm="fft")
    result = timed(
        design,
        {"normal": {"normal": 30e-3}, "depthwise": {"depthwise": 0.6e-3, "pointwise": 0.4e-3}},
        shape=(64, 64, 3),
    )
    reading = read(result, design, "depthwise")
    assert reading.measured == pytest.approx(30.0) and reading.normal_ran_factor < 0.8
    assert reading.text == (
        "99 vs 2,025 multiplications per pixel → 20× fewer; measured 30× faster than normal"
        " — the saving shows in the time"
    )
