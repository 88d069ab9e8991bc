"""The Model dock: opening models, sorting, picking filters, the fit column, Use this layer."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from sepconv_gui.ui.models.filter_grid import COLUMNS_PER_PAGE, ROWS_PER_PAGE, page_tiles
from sepconv_gui.ui.models.layer_table import COLUMNS
from sepconv_gui.ui.models.model_panel import ModelPanel

pytest.importorskip("onnx")
MULTS = [c[0] for c in COLUMNS].index("Mult-adds")
FIT = len(COLUMNS) - 1


@pytest.fixture
def panel(qtbot):
    widget = ModelPanel()  # the real threaded loader: each test waits for its signal
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.session_changed, timeout=20_000):
        widget.open_sample()
    return widget


def cell(panel, row, column):
    return panel.proxy.index(row, column).data()


def test_sample_opens_with_every_layer_and_a_summary(panel):
    assert panel.proxy.rowCount() == 53
    assert (panel.height_box.value(), panel.width_box.value()) == (48, 192)
    assert cell(panel, 0, 0) == "conv1" and panel.current_layer() == 0
    assert f"{panel.session.analysis.multiplications:,}" in panel.summary.text()
    assert panel.use_button.isEnabled()


def test_sorting_by_mult_adds_is_numeric(panel):
    panel.table.sortByColumn(MULTS, Qt.DescendingOrder)
    counts = [x.multiplications for x in panel.session.analysis.layers]
    first = panel.proxy.mapToSource(panel.proxy.index(0, 0)).row()
    assert counts[first] == max(counts)  # "1.23 M" above "999 k", unlike a text sort
    shown = [panel.proxy.index(r, MULTS).data(panel.proxy.sortRole()) for r in range(53)]
    assert shown == sorted(shown, reverse=True)


def test_fit_column_follows_the_multiplier(panel):
    conv1 = panel.session.analysis.layers[0]
    assert cell(panel, 0, FIT) == f"{conv1.fit_error[1]:.3f}"
    panel.multiplier_box.setValue(3)
    assert cell(panel, 0, FIT) == f"{conv1.fit_error[3]:.3f}"
    assert "M = 3" in panel.summary.text()
    chosen = panel.tradeoff_plot.chosen.data
    assert list(chosen["y"]) == [conv1.fit_error[3]]


def test_picking_a_tile_shows_that_filters_singular_values(panel, qtbot):
    weights = panel.session.filters(0)
    kh, kw = weights.shape[2:]
    tile = panel.grid.tile_at(2 * (kw + 1) + 1, 3 * (kh + 1) + 1)  # column 2, row 3
    assert tile == (3, 2)
    assert panel.grid.tile_at(kw, 0) is None  # the gap between tiles
    with qtbot.waitSignal(panel.grid.picked):
        panel.grid.pick(*tile)
    expected = np.linalg.svd(weights[3, 2].astype(np.float64), compute_uv=False)
    np.testing.assert_allclose(panel.singular_plot.values, expected, rtol=1e-12)


def test_depthwise_layers_wrap_and_pointwise_ones_cannot_be_used(panel):
    names = [x.name for x in panel.session.model.layers]
    panel.select_layer(names.index("conv11_expand"))
    assert not panel.use_button.isEnabled()
    assert "pointwise" in panel.use_button.toolTip()
    panel.select_layer(names.index("conv11_depthwise"))  # 200 filters of one channel each
    assert panel.use_button.isEnabled()
    tiles, per_row = page_tiles((200, 1, 5, 5), 1, 0)
    assert per_row == COLUMNS_PER_PAGE and tiles[0] == (ROWS_PER_PAGE * COLUMNS_PER_PAGE, 0)
    assert "of 200" in panel.grid.page_label.text()
    assert panel.tradeoff_plot.points == []


def test_input_size_recounts_and_keeps_the_layer(panel, qtbot):
    before = panel.session.analysis.layers[0].multiplications
    panel.select_layer(2)
    with qtbot.waitSignal(panel.session_changed, timeout=20_000):
        panel.height_box.setValue(96)
    assert panel.session.analysis.layers[0].multiplications == 2 * before
    assert panel.current_layer() == 2


def test_an_input_too_small_is_refused_and_the_boxes_go_back(qtbot, tmp_path):
    bank = tmp_path / "wide.npy"
    np.save(bank, np.ones((2, 1, 7, 7), np.float32))
    panel = ModelPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.session_changed, timeout=20_000):
        panel.open_path(bank)
    with qtbot.waitSignal(panel.failed, timeout=20_000) as caught:
        panel.height_box.setValue(5)
    assert "too small" in caught.args[0] and "wide.npy at 5×224" in caught.args[0]
    assert panel.height_box.value() == 224 and panel.session.input_size == (224, 224)


def test_a_bad_file_is_reported_and_the_open_model_stays(panel, tmp_path, qtbot):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\xff" * 64)
    with qtbot.waitSignal(panel.failed, timeout=20_000) as caught:
        panel.open_path(junk)
    assert "junk.onnx" in caught.args[0]
    assert panel.proxy.rowCount() == 53


def test_window_menu_opens_the_sample_and_uses_a_layer(qtbot):
    from sepconv_gui.ui.shell.main_window import MainWindow

    window = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.model_panel.opened, timeout=20_000):
        window.actions_by_name["open_sample_model"].trigger()
    assert window.model_panel.proxy.rowCount() == 53
    window.model_panel.multiplier_box.setValue(2)
    before, steps = window.controller.design, window.history.stack.count()
    assert window.model_panel.use_layer()
    design = window.controller.design
    assert (design.normal_kind, design.out_channels, design.multiplier) == ("file", 8, 2)
    assert design.stride == (2, 2) and window.channel_designer.stride.value() == 2
    assert "stride (2, 2)" in window.statusBar().currentMessage()
    # One undoable step: undo gives back the design before, in the controller and editors.
    assert window.history.stack.count() == steps + 1
    window.history.stack.undo()
    assert window.controller.design == before
    assert window.channel_designer.stride.value() == before.stride[0]
    window.history.stack.redo()
    assert window.controller.design == design
    window.close()
