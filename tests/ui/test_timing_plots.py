"""Live timing: the plots fill while a source streams, freeze when paused, restart on clear."""

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.app.timing_history import TimingHistory, explain_gap
from sepconv_gui.io.sources import PatternSource
from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.measure.timing_plots import TimingPlots


def frame(design=None, shape=(24, 32, 3)):
    image = np.random.default_rng(0).random(shape, dtype=np.float32)
    return run_design(image, design or Design())


def test_history_keeps_the_newest_frames_in_order():
    history = TimingHistory(capacity=4)
    results = [frame() for _ in range(6)]
    for result in results:
        history.append(result)
    assert len(history) == 4
    np.testing.assert_array_equal(history.series("frame"), [2, 3, 4, 5])
    expected = [1e3 * r.results["spatial"].timings["vertical"] for r in results[2:]]
    np.testing.assert_allclose(history.series("spatial.vertical"), expected)
    theory = (
        results[-1].results["normal"].cost.multiplications
        / results[-1].results["depthwise"].cost.multiplications
    )
    assert history.theoretical_speedup("depthwise") == pytest.approx(theory)
    normal = np.median([1e3 * r.results["normal"].total_seconds for r in results[2:]])
    spatial = np.median([1e3 * r.results["spatial"].total_seconds for r in results[2:]])
    assert history.measured_speedup("spatial") == pytest.approx(normal / spatial)
    history.clear()
    assert len(history) == 0 and history.series("normal").size == 0


def test_explanations_name_the_reason():
    history = TimingHistory()
    assert explain_gap(history) == "No frames yet."
    history.append(frame(Design(algorithm="fft")))
    assert "FFT" in explain_gap(history)
    history.clear()
    history.append(frame(Design(modes=("spatial",))))
    assert "Enable normal" in explain_gap(history)


def test_plots_receive_points_while_streaming_and_stop_when_paused(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.timing_dock.raise_()
    plots = window.timing_plots
    qtbot.waitUntil(lambda: window.controller.last_result is not None, timeout=10000)
    plots.clear()
    window.controller.start_source(PatternSource(64, 48, fps=200))
    qtbot.waitUntil(lambda: len(plots.history) >= 8, timeout=10000)
    qtbot.waitUntil(
        lambda: (
            plots.time_curves["normal"].getData()[0] is not None
            and len(plots.time_curves["normal"].getData()[0]) >= 8
        ),
        timeout=5000,
    )
    _, y = plots.fps_curve.getData()
    assert np.isfinite(y).sum() >= 5
    window.controller.toggle_pause()
    qtbot.wait(150)  # frames already in flight may still land
    frozen = len(plots.history)
    qtbot.wait(300)
    assert len(plots.history) == frozen
    assert "measured" in plots.summary.text()
    plots.clear()
    assert len(plots.history) == 0
    window.close()


def test_plots_draw_nothing_while_hidden(qtbot):
    plots = TimingPlots()
    qtbot.addWidget(plots)
    plots.show_result(frame())
    plots.refresh()  # hidden: nothing drawn yet
    assert plots.time_curves["normal"].getData()[0] is None
    plots.show()
    plots.refresh()
    assert len(plots.time_curves["normal"].getData()[0]) == 1


def test_plots_keep_working_without_the_normal_mode(qtbot):
    plots = TimingPlots()
    qtbot.addWidget(plots)
    plots.show()
    for _ in range(15):  # past the few-points view, into the stepped ranges
        plots.show_result(frame(Design(modes=("spatial", "depthwise"))))
        plots.refresh()
    assert len(plots.time_curves["spatial"].getData()[0]) == 15
    assert plots.speed_plot.viewRange()[1] == [0.0, 1.0]  # nothing to show, nothing raised
    assert "Enable normal" in plots.summary.text()


def test_idle_plots_keep_no_timer_running(qtbot):
    # One rate limiter (issue 12): nothing wakes the GUI thread while no frames arrive.
    from PySide6.QtCore import QTimer

    plots = TimingPlots()
    qtbot.addWidget(plots)
    plots.show()
    qtbot.waitExposed(plots)
    plots.show_result(frame())
    assert len(plots.time_curves["normal"].getData()[0]) == 1  # drawn at once when seen
    qtbot.waitUntil(lambda: not any(t.isActive() for t in plots.findChildren(QTimer)))
    plots.hide()
    plots.show_result(frame())  # hidden: waits, schedules nothing
    assert not any(t.isActive() for t in plots.findChildren(QTimer))
    plots.show()
    qtbot.waitUntil(lambda: len(plots.time_curves["normal"].getData()[0]) == 2)
