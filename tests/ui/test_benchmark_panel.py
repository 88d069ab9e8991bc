"""The benchmark panel: runs in a thread, cancels keeping points, refuses bad input, exports."""

import csv
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from sepconv_gui.app.sweep import SweepSpec
from sepconv_gui.engine import MODES
from sepconv_gui.ui.measure.benchmark_panel import BenchmarkPanel
from tests.ui.widgets import shown

TINY = SweepSpec(values=(3, 5, 7), width=64, height=48, outputs=4, channels=3, repeats=1)
TIMEOUT = 20000


@pytest.fixture
def panel(qtbot):
    widget = shown(qtbot, BenchmarkPanel(), 1200, 420)
    yield widget
    widget.shutdown()


def run(qtbot, panel, spec=TINY):
    panel.set_spec(spec)
    with qtbot.waitSignal(panel.sweep_finished, timeout=TIMEOUT) as finished:
        assert panel.start()
        assert panel.running
    return finished.args[0]


def curve_points(curve):
    return 0 if curve.xData is None else len(curve.xData)


def test_controls_start_on_the_small_default_sweep(panel):
    assert panel.spec() == SweepSpec()
    assert not panel.running and not panel.cancel_button.isEnabled()
    assert "7 points: 3, 5, 7" in panel.check.text()
    assert not panel.k.isEnabled() and panel.outputs.isEnabled()  # k is the swept size


def test_a_short_sweep_fills_the_table_and_the_plots(qtbot, panel):
    points, running = [], []
    panel.point_added.connect(points.append)
    panel.running_changed.connect(running.append)
    curves = dict(panel.plots.time_curves), dict(panel.plots.theory_curves)
    assert run(qtbot, panel) == "complete"
    assert not panel.running and running == [True, False]
    assert [p.value for p in panel.result.points] == [3, 5, 7]
    assert points == panel.result.points  # every point arrived while the sweep ran
    assert panel.progress.value() == panel.progress.maximum() == 3
    assert panel.status.text().startswith("Done: 3 points")
    assert all(button.isEnabled() for button in panel.export_buttons.values())
    assert panel.run_button.isEnabled() and panel.settings_box.isEnabled()
    # The same curve objects, filled with setData.
    assert (panel.plots.time_curves, panel.plots.theory_curves) == curves
    for mode in MODES:
        assert curve_points(panel.plots.time_curves[mode]) == 3
        assert curve_points(panel.plots.scaled_curves[mode]) == 3
    assert curve_points(panel.plots.measured_curves["depthwise"]) == 3
    speedup = panel.plots.theory_curves["depthwise"].yData  # as given, before any log
    np.testing.assert_allclose(speedup, [1 / (1 / 4 + 1 / k**2) for k in (3, 5, 7)])


def test_plot_options_change_data_not_curves(qtbot, panel):
    run(qtbot, panel, SweepSpec(values=(3, 5), width=64, height=48, outputs=4, repeats=1))
    plots = panel.plots
    curve = plots.theory_curves["depthwise"]
    plots.speedup.setChecked(False)
    np.testing.assert_allclose(curve.yData, [1 / 4 + 1 / 9, 1 / 4 + 1 / 25])
    assert plots.theory_curves["depthwise"] is curve
    assert plots.ratio_plot.titleLabel.text.startswith("Cost relative")
    plots.overlay.setChecked(False)
    assert not plots.scaled_curves["normal"].isVisible()
    plots.log_x.setChecked(True)
    assert plots.time_plot.getAxis("bottom").logMode


def test_cancel_after_the_first_point_keeps_it(qtbot, panel):
    def cancel_after_first_point(running):
        # running_changed(True) comes once the worker exists, before its thread starts;
        # a direct connection cancels in the worker's thread before the next point begins.
        if running:
            worker = panel.worker
            worker.point.connect(lambda point: worker.cancel(), Qt.DirectConnection)

    panel.running_changed.connect(cancel_after_first_point)
    spec = SweepSpec(values=(3, 5, 7, 9), width=64, height=48, outputs=4, repeats=1)
    assert run(qtbot, panel, spec) == "cancelled"
    assert [p.value for p in panel.result.points] == [3]
    assert panel.result.status == "cancelled"
    assert panel.status.text().startswith("Cancelled: kept 1 of 4 points")
    assert curve_points(panel.plots.time_curves["normal"]) == 1
    assert panel.export_buttons["CSV"].isEnabled() and not panel.running


def test_cancel_button_stops_a_running_sweep(qtbot, panel):
    panel.set_spec(SweepSpec(values=tuple(range(3, 32, 2)), width=64, height=48, repeats=1))
    with qtbot.waitSignal(panel.sweep_finished, timeout=TIMEOUT) as finished:
        assert panel.start()
        assert not panel.start()  # one sweep at a time
        qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    assert finished.args[0] in ("cancelled", "complete")  # the last point may beat the click
    assert panel.result.status == finished.args[0] and not panel.running


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: (p.width_box.setValue(12), p.height_box.setValue(10)), "does not fit"),
        (lambda p: (p.first.setValue(9), p.last.setValue(3)), "empty"),
        (lambda p: [box.setChecked(False) for box in p.mode_boxes.values()], "pick one or more"),
        (lambda p: p.last.setValue(41), "from 1 to 31"),
    ],
)
def test_bad_settings_are_explained_and_nothing_runs(panel, setup, message):
    setup(panel)
    assert message in panel.check.text()
    assert not panel.start()
    assert not panel.running and panel.worker is None
    assert message in panel.status.text() and panel.status.text().startswith("Cannot run")
    assert not panel.save("CSV", "unused.csv") and "Nothing to export" in panel.status.text()


def test_exports_hold_every_point_and_the_machine(qtbot, panel, tmp_path):
    run(qtbot, panel)
    for kind in ("CSV", "JSON", "PNG", "SVG"):
        assert panel.save(kind, tmp_path / f"sweep.{kind.lower()}"), panel.status.text()
    rows = list(csv.DictReader((tmp_path / "sweep.csv").open()))
    assert len(rows) == 3 * len(MODES)
    assert sorted({int(row["value"]) for row in rows}) == [3, 5, 7]
    report = json.loads((tmp_path / "sweep.json").read_text())
    assert [p["value"] for p in report["points"]] == [3, 5, 7]
    assert report["machine"]["cpu"] and report["machine"]["cores"] >= 1
    assert report["machine"]["opencv"] and report["machine"]["PySide6"]
    assert (tmp_path / "sweep.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "sweep.svg").read_bytes()


def test_existing_files_are_replaced_only_when_confirmed(qtbot, panel, tmp_path, monkeypatch):
    run(qtbot, panel, SweepSpec(values=(3,), width=64, height=48, outputs=4, repeats=1))
    target = tmp_path / "table.csv"
    target.write_text("precious")
    assert not panel.save("CSV", target)
    assert "already exists" in panel.status.text() and target.read_text() == "precious"
    # Through the dialog: the name comes back without its suffix, and the user says no, then yes.
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(tmp_path / "table"), "")),
    )
    answers = iter([False, True])
    asked = []
    monkeypatch.setattr(
        panel, "confirm_overwrite", lambda path: asked.append(path) or next(answers)
    )
    assert not panel.export("CSV")
    assert target.read_text() == "precious"
    assert panel.export("CSV")
    assert asked == [target, target] and target.read_text().startswith("point,variable")
    assert panel.export("JSON") and len(asked) == 2  # a new file: nothing to ask


def test_shutdown_joins_a_running_sweep(qtbot, panel):
    panel.set_spec(SweepSpec(values=tuple(range(3, 32, 2)), width=64, height=48, repeats=1))
    statuses = []
    panel.sweep_finished.connect(statuses.append)
    assert panel.start()
    worker = panel.worker
    panel.shutdown()
    assert not panel.running and not worker.is_running()
    assert statuses == [panel.result.status] and panel.result.status in ("cancelled", "complete")
    assert panel.status.text().startswith("Stopped.")
    kept = len(panel.result.points)
    QApplication.processEvents()  # signals still queued from the old worker change nothing
    assert len(panel.result.points) == kept and statuses == [panel.result.status]
    panel.shutdown()  # twice is harmless


def test_a_failing_sweep_is_reported_and_keeps_its_points(
    qtbot, panel, sweep_fails_at_second_point
):
    assert run(qtbot, panel) == "failed"
    assert [p.value for p in panel.result.points] == [3] and not panel.running
    assert panel.status.text().startswith("Failed, kept 1 of 3 points: MemoryError")
    assert panel.export_buttons["CSV"].isEnabled() and panel.run_button.isEnabled()
