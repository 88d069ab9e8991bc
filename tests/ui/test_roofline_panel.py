"""The Roofline dock: peaks measured in the background once, a row and a point per stage."""

import numpy as np
import pytest

from sepconv_gui.app import roofline, roofline_worker
from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.roofline_worker import RooflineService
from sepconv_gui.app.state import Design
from sepconv_gui.app.timing_history import TimingHistory
from sepconv_gui.bench.peaks import Peaks
from sepconv_gui.ui.measure.roofline_panel import RooflinePanel
from sepconv_gui.ui.measure.roofline_plot import roof_points
from tests.ui.widgets import shown

PEAKS = Peaks(gemm_square_gflops=80.0, gemm_tall_gflops=40.0, copy_gbs=10.0, add_gbs=8.0, threads=2)


@pytest.fixture
def fake_measure(monkeypatch):
    calls = []

    def measure(force=False):
        calls.append(force)
        return PEAKS

    monkeypatch.setattr(roofline_worker, "measure_peaks", measure)
    # Another test's window may have cached real peaks in the session's cache folder.
    monkeypatch.setattr(roofline_worker, "cached_peaks", lambda: None)
    return calls


@pytest.fixture
def service(qtbot, fake_measure):
    found = RooflineService(load_cache=False)
    yield found
    assert found.shutdown(5000)


def test_peaks_are_measured_in_the_background_once(qtbot, service, fake_measure):
    service._soon.setInterval(0)
    service.ensure_peaks()
    service.ensure_peaks()  # asked twice before the first answer: measured once
    qtbot.waitUntil(lambda: service.peaks is not None, timeout=5000)
    service.ensure_peaks()  # known now: nothing is scheduled
    assert not service._soon.isActive()
    assert fake_measure == [False] and not service.busy
    service.measure_peaks(force=True)
    qtbot.waitUntil(lambda: fake_measure == [False, True] and not service.busy, timeout=5000)


def frames(design, count=3):
    history = TimingHistory()
    image = np.random.default_rng(7).random((48, 64, 3), dtype=np.float32)
    for _ in range(count):
        history.append(run_design(image, design))
    return history


def test_one_row_and_one_point_per_stage(qtbot, service):
    design = Design(out_channels=4)
    history = frames(design)
    service.peaks = PEAKS
    panel = shown(qtbot, RooflinePanel(service, history), 1200, 300)
    qtbot.waitExposed(panel)
    panel.show_result(history.last_result, design)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 5, timeout=5000)
    analysis = panel.analysis
    # The verdict column says what app.roofline decides for those very numbers.
    for row, (figure, verdict) in enumerate(zip(analysis.figures, analysis.verdicts)):
        assert panel.table.item(row, 1).text() == roofline.verdict(figure, PEAKS).short
        assert verdict.kind != "unknown"
        assert panel.table.item(row, 1).toolTip() == verdict.text
    # The spatial plot holds one point per pass at (FLOP/byte, GFLOP/s).
    spatial = [f for f in analysis.figures if f.mode == "spatial"]
    points = sorted(panel.plots.point_positions("spatial"))
    expected = sorted((f.intensity, f.gflops) for f in spatial)
    np.testing.assert_allclose(points, expected, rtol=1e-6)
    assert len(panel.lines) == 5 and panel.lines[0].startswith("normal: ")


def test_the_roof_bends_at_the_ridge():
    xs, ys = roof_points(PEAKS, 0.1, 100.0)
    assert xs[1] == pytest.approx(8.0)  # 80 GFLOP/s over 10 GB/s
    assert ys == pytest.approx([1.0, 80.0, 80.0])


def test_without_peaks_the_panel_says_how_to_get_them(qtbot, service):
    panel = RooflinePanel(service, TimingHistory())
    qtbot.addWidget(panel)
    assert "not measured yet" in panel.peaks_label.text()
    service._peaks_done(PEAKS)
    assert "80 GFLOP/s" in panel.peaks_label.text()


def test_overheads_belong_to_the_design_they_were_measured_for(qtbot, service):
    design = Design(out_channels=2)
    history = frames(design, 1)
    result = history.last_result
    service.note_result(result, design)
    qtbot.waitUntil(lambda: service.overheads_for(result, design) != {}, timeout=10000)
    assert set(service.overheads_for(result, design)) >= {"depthwise.pointwise"}
    assert service.overheads_for(result, design.with_changes(out_channels=3)) == {}


def test_the_window_judges_its_stages_once_the_peaks_are_known(qtbot, fake_measure):
    from sepconv_gui.ui.shell.main_window import MainWindow

    window = MainWindow(design=Design(out_channels=4))
    qtbot.addWidget(window)
    window.roofline_service._soon.setInterval(0)
    window.show()
    window.roofline_dock.raise_()  # first look at the dock: the peaks are measured
    panel = window.roofline_panel
    qtbot.waitUntil(lambda: window.roofline_service.peaks is PEAKS, timeout=10000)
    qtbot.waitUntil(lambda: panel.table.rowCount() >= 4 and bool(panel.lines), timeout=20000)
    assert all(v.kind != "unknown" for v in panel.analysis.verdicts)
    assert "80 GFLOP/s" in panel.peaks_label.text()
    # The Timing line draws on the same verdicts.
    assert window.timing_plots.analysis() is not None
    assert window.payoff_dock.windowTitle() == "Pays off?"
    window.close()
