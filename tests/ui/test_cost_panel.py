"""The Cost dock and Timing summary state what they compare, for the design on screen."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.ui.measure.cost_panel import COLUMNS, CostPanel
from sepconv_gui.ui.measure.timing_plots import TimingPlots
from sepconv_gui.ui.shell.main_window import MainWindow


def frame(design, generation=0, times=None):
    image = np.random.default_rng(5).random((24, 32, 3), dtype=np.float32)
    result = run_design(image, design, generation=generation)
    for mode, seconds in (times or {}).items():
        stages = list(result.results[mode].timings)
        result.results[mode].timings = {s: seconds / len(stages) for s in stages}
    return result


def cell(panel, row, name):
    return panel.table.item(row, COLUMNS.index(name)).text()


def test_table_and_formulas_name_the_like_for_like_reference(qtbot):
    panel = CostPanel()
    qtbot.addWidget(panel)
    design = Design()
    times = {"normal": 0.006, "spatial": 0.004, "depthwise": 0.002}
    panel.show_result(frame(design, times=times), design)
    rows = {cell(panel, row, "Mode"): row for row in range(panel.rowCount())}
    spatial, depthwise = rows["Spatial-separable"], rows["Depthwise-separable"]
    assert cell(panel, spatial, "Fewer than the same job") == "1.50× vs per-channel 3×3 filter"
    assert cell(panel, depthwise, "Fewer than the same job") == "3.00× vs normal bank 3 → 3"
    assert cell(panel, depthwise, "Mult. per pixel") == "36 (ran 27)"
    assert cell(panel, depthwise, "Measured vs normal") == "3.00×"
    assert cell(panel, spatial, "Measured vs normal") == "1.50×"
    assert panel.lines[0] == "normal: k²·C·P = 9·3·3 = 81 mult/px"
    assert "per-channel 3×3 filter (k²·C = 9·3 = 27): 1.50× fewer" in panel.lines[1]
    assert "(k² vs 2k·r per pixel per channel: 9 vs 6)" in panel.lines[1]
    assert "normal bank 3 → 3 (k²·C·P = 9·3·3 = 81): 3.00× fewer" in panel.lines[2]
    assert "81 mult/px" in panel.formulas.text()


def test_timing_summary_starts_afresh_with_each_design(qtbot):
    plots = TimingPlots()
    qtbot.addWidget(plots)
    old = Design()
    for _ in range(3):  # the old design: depthwise twice as fast as normal
        plots.show_result(frame(old, 0, {"normal": 0.010, "depthwise": 0.005}), old)
    new = old.with_changes(out_channels=8)
    plots.show_result(frame(new, 1, {"normal": 0.010, "depthwise": 0.001}), new)
    text = plots.summary_text()
    assert text.startswith("1 frame of this design")
    # Only the new design's frame: 10x measured, 9*3*8 / (6*3 + 3*8) by count.
    assert "same 3 → 8: 10.00× faster measured" in text
    assert f"{216 / 42:.2f}× fewer multiplications" in text
    assert " 2.00× faster" not in text
    # The dashed by-count line steps with the design instead of redrawing history.
    theory = plots.history.series("theory.depthwise")
    assert theory[0] == pytest.approx(81 / 27) and theory[-1] == pytest.approx(216 / 42)
    plots.show()
    plots.refresh()
    _, drawn = plots.theory_curves["depthwise"].getData()
    assert drawn[0] < drawn[-1]  # 3x then 5.1x, whatever the axis transform


def test_window_cost_dock_follows_a_design_edit(qtbot):
    window = MainWindow(design=Design(), synchronous=True)
    qtbot.addWidget(window)
    window.show()
    window.edit_design({"out_channels": 8})
    assert window.cost_panel.lines[0].startswith("normal: k²·C·P = 9·3·8 = 216 mult/px")
    window.close()


def test_a_new_result_updates_the_same_cells(qtbot):
    panel = CostPanel()
    qtbot.addWidget(panel)
    design = Design()
    panel.show_result(frame(design, times={"normal": 0.006}), design)
    kept = panel.table.item(0, COLUMNS.index("Time (ms)"))
    panel.show_result(frame(design, times={"normal": 0.009}), design)
    # The cell object stays (no re-measuring of new items at live rates); its text follows.
    assert panel.table.item(0, COLUMNS.index("Time (ms)")) is kept
    assert cell(panel, 0, "Time (ms)") == "9.00"
    assert kept.textAlignment() == int(Qt.AlignRight | Qt.AlignVCenter)
