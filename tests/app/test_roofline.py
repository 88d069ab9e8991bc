"""Roofline verdicts from constructed measurements, and the bytes each stage moves."""

import numpy as np
import pytest

from sepconv_gui.app import roofline
from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.app.timing_history import TimingHistory, explain_gap
from sepconv_gui.bench.peaks import Peaks

# A machine with a 100 GFLOP/s compute roof and a 10 GB/s memory roof: ridge at 10 FLOP/byte.
PEAKS = Peaks(
    gemm_square_gflops=100.0, gemm_tall_gflops=50.0, copy_gbs=8.0, add_gbs=10.0, threads=2
)


def stage(seconds, multiplications, moved, overhead=None):
    """A stage reading and writing ``moved`` bytes in equal halves."""
    return roofline.StageFigures(
        "depthwise", "pointwise", seconds, multiplications, moved // 2, moved // 2, overhead
    )


def test_figures_by_hand():
    f = stage(0.01, 5e8, 200_000_000)
    assert f.flops == 1e9  # a multiply and an add each
    assert f.gflops == pytest.approx(100.0)
    assert f.gbs == pytest.approx(20.0)
    assert f.intensity == pytest.approx(5.0)


def test_memory_bound_when_bytes_near_the_bandwidth_roof():
    # 1 FLOP/byte, below the ridge; 80 MB in 10 ms is 8 GB/s of 10.
    v = roofline.verdict(stage(0.010, 4e7, 80_000_000), PEAKS)
    assert v.kind == "memory" and "8.0 of 10.0 GB/s (80 %)" in v.text


def test_compute_bound_when_flops_near_the_compute_roof():
    # 100 FLOP/byte, above the ridge; 6e9 FLOPs in 0.1 s is 60 GFLOP/s of 100.
    v = roofline.verdict(stage(0.1, 3e9, 60_000_000), PEAKS)
    assert v.kind == "compute" and "60.0 of 100 GFLOP/s (60 %)" in v.text


def test_overhead_bound_when_a_tiny_call_takes_most_of_the_time():
    v = roofline.verdict(stage(0.0004, 1e4, 1000, overhead=0.0003), PEAKS)
    assert v.kind == "overhead"
    assert "each call costs ~0.30 ms before any arithmetic" in v.text


def test_a_threading_stall_is_not_called_memory_bound():
    """The issue's case: a pointwise step taking 16 ms for 5.8 MB and 2.2 M multiplications
    reaches 0.4 GB/s of 10: nothing in the numbers says memory."""
    v = roofline.verdict(stage(0.016, 2.2e6, 5_800_000, overhead=0.00002), PEAKS)
    assert v.kind == "below"
    assert "memory-bound" not in v.text and "neither explains the time" in v.text


def test_no_peaks_no_verdict():
    assert roofline.verdict(stage(0.01, 1e6, 1000), None).kind == "unknown"
    assert roofline.verdict(stage(float("nan"), 1e6, 1000), PEAKS).kind == "unknown"


def test_bytes_follow_the_engine_arrays():
    """Each stage reads the previous array (and its weights) and writes its own."""
    image = np.random.default_rng(5).random((20, 30, 3), dtype=np.float32)
    design = Design(out_channels=4, multiplier=2)
    result = run_design(image, design)
    figures = {(f.mode, f.stage): f for f in roofline.stage_figures(result, {})}
    pixel_bytes = 20 * 30 * 4
    normal = figures["normal", "normal"]
    assert normal.bytes_read == 3 * pixel_bytes + 4 * 3 * 9 * 4  # input + P·C·k² weights
    assert normal.bytes_written == 4 * pixel_bytes
    depthwise, pointwise = figures["depthwise", "depthwise"], figures["depthwise", "pointwise"]
    assert depthwise.bytes_written == 3 * 2 * pixel_bytes  # C·M maps
    assert pointwise.bytes_read == 3 * 2 * pixel_bytes + 4 * 6 * 4  # maps + P·C·M weights
    assert pointwise.bytes_written == 4 * pixel_bytes
    vertical = figures["spatial", "vertical"]
    assert (
        vertical.multiplications
        == result.results["spatial"].cost.stages["vertical"].multiplications
    )


def test_an_estimate_replaces_the_textbook_count():
    image = np.zeros((16, 16, 1), np.float32)
    result = run_design(image, Design(out_channels=1, modes=("normal",)))
    (figure,) = roofline.stage_figures(result, {"normal.normal": 0.5}, ran={"normal.normal": 7})
    assert figure.multiplications == 7 and figure.estimated and figure.seconds == 0.5


def test_call_overheads_cover_every_stage():
    design = Design(out_channels=2)
    found = roofline.call_overheads(design, 3, {"normal": "direct"})
    assert set(found) == {
        "normal.normal",
        "spatial.vertical",
        "spatial.horizontal",
        "depthwise.depthwise",
        "depthwise.pointwise",
        f"spatial.{roofline.FUSED}",
    }
    assert all(value > 0 for value in found.values())
    assert roofline.tiny_design(Design(algorithm="auto"), "gemm").algorithm == "gemm"


def stalled_history():
    """Frames where the pointwise step takes 98 % of depthwise-separable time."""
    image = np.random.default_rng(3).random((40, 60, 3), dtype=np.float32)
    result = run_design(image, Design(out_channels=3))
    conv = result.results["depthwise"]
    conv.timings.update(depthwise=0.0001, pointwise=0.0049)
    result.results["normal"].timings["normal"] = 0.001
    history = TimingHistory()
    history.append(result)
    return history


def test_timing_line_names_no_cause_without_measurements():
    line = explain_gap(stalled_history())
    assert "pointwise step takes 98 %" in line
    assert "memory" not in line


def test_timing_line_takes_the_cause_from_the_roofline():
    history = stalled_history()
    result = history.last_result
    seconds = {"depthwise.pointwise": 0.0049, "depthwise.depthwise": 0.0001}
    analysis = roofline.analyse(result, seconds, PEAKS)
    assert analysis.verdict_of("depthwise", "pointwise").kind == "below"
    line = explain_gap(history, analysis)
    assert "below both roofs" in line and "memory-bound" not in line


def test_a_live_frame_without_kept_stages_still_counts_its_bytes():
    """Live frames keep no intermediate arrays: spatial reports its passes fused, and the
    depthwise maps' size comes from the design (C·M values per pixel)."""
    from sepconv_gui.app.pipeline import FrameResult, run_mode

    image = np.random.default_rng(9).random((20, 30, 3), dtype=np.float32)
    design = Design(out_channels=4, multiplier=2)
    result = FrameResult(0, 0, image)
    for mode in design.modes:
        result.results[mode] = run_mode(mode, image, design, keep_stages=False)
    assert "vertical" not in result.results["spatial"].timings
    figures = {
        (f.mode, f.stage): f
        for f in roofline.stage_figures(
            result, {}, intermediate={"spatial.vertical": 3, "depthwise.depthwise": 6}
        )
    }
    pixel_bytes = 20 * 30 * 4
    both = figures["spatial", roofline.FUSED]
    spatial = result.results["spatial"]
    assert both.multiplications == spatial.cost.multiplications
    assert both.bytes_read == 3 * pixel_bytes + spatial.cost.parameters * 4
    assert both.bytes_written == 3 * pixel_bytes
    assert both.seconds == spatial.timings["spatial"]
    assert figures["depthwise", "depthwise"].bytes_written == 6 * pixel_bytes
    assert figures["depthwise", "pointwise"].bytes_read == 6 * pixel_bytes + 4 * 6 * 4


def test_fused_calls_have_their_own_per_call_cost():
    found = roofline.call_overheads(Design(out_channels=2, modes=("spatial",)), 3)
    assert set(found) == {"spatial.vertical", "spatial.horizontal", f"spatial.{roofline.FUSED}"}
