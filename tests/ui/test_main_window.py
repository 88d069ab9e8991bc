"""The main window: opening files every way, bad files, recent files, streaming, closing."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from sepconv_gui.io.images import load_image
from sepconv_gui.io.samples import default_sample
from sepconv_gui.ui.shell.main_window import MainWindow
from tests.ui.widgets import open_window


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot)
    yield w
    w.close()


def write_png(path, height=30, width=40, value=None):
    rng = np.random.default_rng(len(str(path)))
    image = (
        rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        if value is None
        else np.full((height, width, 3), value, np.uint8)
    )
    _, data = cv2.imencode(".png", image)
    path.write_bytes(data.tobytes())
    return path


def shown_input(window):
    return window.results.panels["input"].shown


def test_window_opens_on_the_bundled_sample(window):
    sample = load_image(default_sample())
    shown = shown_input(window)
    assert shown is not None and shown.shape[:2] == sample.shape[:2]
    assert np.ptp(shown) > 0.5
    for mode in ("normal", "spatial", "depthwise"):
        assert window.results.panels[mode].shown is not None
    assert window.cost_panel.rowCount() == 3


def test_open_through_the_file_dialog(window, tmp_path, monkeypatch):
    path = write_png(tmp_path / "picked.png", 20, 24)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.actions_by_name["open"].trigger()
    assert shown_input(window).shape[:2] == (20, 24)
    assert window.source_label.text() == "picked.png"


def test_drop_a_file_onto_the_window(window, tmp_path):
    path = write_png(tmp_path / "dropped.png", 22, 26)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    # As a real drag does: enter (the window accepts local files), then drop.
    enter = QDragEnterEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, drop)
    assert shown_input(window).shape[:2] == (22, 26)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.png", b"", "empty"),
        ("text.png", b"this is not an image at all\n" * 10, "not"),
        ("missing.png", None, "not"),
    ],
)
def test_bad_files_keep_the_previous_image_and_say_why(window, tmp_path, name, content, message):
    before = shown_input(window).copy()
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert not window.open_path(path)
    assert message in window.error_label.text().lower()
    np.testing.assert_array_equal(shown_input(window), before)
    assert window.isVisible()


def test_truncated_png_is_refused(window, tmp_path):
    good = write_png(tmp_path / "full.png", 64, 64)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    before = shown_input(window).copy()
    assert not window.open_path(cut)
    assert window.error_label.text()
    np.testing.assert_array_equal(shown_input(window), before)


def test_recent_files_survive_a_restart(qtbot, tmp_path):
    path = write_png(tmp_path / "remember me.png")
    first = MainWindow(synchronous=True)
    qtbot.addWidget(first)
    assert first.open_path(path)
    first.close()
    second = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(second)
    assert second.settings.recent_files()[0] == str(path.resolve())
    titles = [a.text() for a in second.recent_menu.actions()]
    assert any("remember me.png" in t for t in titles)
    second.close()


def test_design_survives_a_restart(qtbot):
    first = MainWindow(synchronous=True)
    qtbot.addWidget(first)
    first.edit_design({"out_channels": 6, "pointwise": "random"})
    first.close()
    second = MainWindow(synchronous=True)
    qtbot.addWidget(second)
    assert second.controller.design.out_channels == 6
    assert second.channel_designer.out_channels.value() == 6
    second.close()


def test_bad_design_edit_is_refused_and_the_design_stays(window):
    before = window.controller.design
    window.edit_design({"multiplier": 0})
    assert "depth multiplier" in window.error_label.text()
    assert window.controller.design == before


def test_stream_the_test_pattern_then_close_mid_stream(qtbot, tmp_path):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    from sepconv_gui.app.source_specs import SourceSpec

    assert w.start_source(SourceSpec("pattern", "96x64"))
    qtbot.waitUntil(
        lambda: (
            w.controller.last_result is not None
            and w.controller.last_result.image.shape[:2] == (64, 96)
        ),
        timeout=10000,
    )
    capture = w.controller._capture
    w.close()
    assert not capture.isRunning()
    assert not w.controller._processing.isRunning()


def test_export_action_saves_what_the_views_show(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from sepconv_gui.ui.shell.export_dialog import ExportDialog

    monkeypatch.setattr(QMessageBox, "information", lambda *a: QMessageBox.Ok)
    window.results.panels["normal"].set_mapping("abs")

    def run(dialog):
        dialog.set_choice(everything=False, item_stem="normal_output", fmt="png8", folder=tmp_path)
        dialog.export()
        return dialog.result()

    monkeypatch.setattr(ExportDialog, "exec", run)
    window.actions_by_name["export"].trigger()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["normal_output.png"]
    saved = cv2.cvtColor(cv2.imread(str(tmp_path / written[0])), cv2.COLOR_BGR2RGB)
    shown = window.results.panels["normal"]
    low, high = shown.levels
    expected = np.clip((shown.shown - low) / (high - low), 0, 1) * 255
    assert np.abs(saved - expected).max() <= 0.51


def test_copy_views_puts_a_picture_on_the_clipboard(window):
    QApplication.clipboard().clear()
    window.actions_by_name["copy_view"].trigger()
    image = QApplication.clipboard().image()
    assert not image.isNull() and image.width() == window.results.width()


def test_closing_mid_sweep_joins_the_benchmark_thread(qtbot):
    from sepconv_gui.app.sweep import SweepSpec

    w = MainWindow(synchronous=True)
    qtbot.addWidget(w)
    w.show()
    w.benchmark_dock.raise_()
    panel = w.benchmark_panel
    panel.set_spec(SweepSpec(values=(3, 5, 7, 9), width=64, height=48, outputs=4, repeats=2))
    with qtbot.waitSignal(panel.point_added, timeout=20000):
        assert panel.start()
        worker = panel.worker
    w.close()
    assert not worker.is_running()
    assert 1 <= len(panel.result.points) <= 4


def test_the_documented_shortcuts_are_bound(window):
    from PySide6.QtGui import QKeySequence

    bound = {
        name: {s.toString() for s in action.shortcuts()}
        for name, action in window.actions_by_name.items()
    }
    for name, key in [
        ("open", "Ctrl+O"),
        ("save_design", "Ctrl+S"),
        ("quit", "Ctrl+Q"),
        ("pause", "Space"),
        ("step", "Right"),
        ("zoom_in", "Ctrl+="),
        ("zoom_out", "Ctrl+-"),
        ("reset_view", "Ctrl+0"),
        ("export", "Ctrl+E"),
        ("copy_view", "Ctrl+Shift+C"),
    ]:
        assert key in bound[name], (name, bound[name])
    assert QKeySequence(QKeySequence.StandardKey.FullScreen).toString() in bound["full_screen"]


def test_docks_behind_other_tabs_do_no_work_until_raised(qtbot):
    w = MainWindow(synchronous=True)
    qtbot.addWidget(w)
    w.show()
    w.cost_dock.raise_()
    qtbot.waitUntil(lambda: w.controller.last_result is not None)
    w.edit_design({"out_channels": 4, "pointwise": "random"})
    qtbot.wait(50)
    # Behind the Cost tab: nothing drawn, the newest result kept for later.
    assert w.stage_grid.pending and w.difference_view.pending
    w.stages_dock.raise_()
    qtbot.waitUntil(lambda: not w.stage_grid.pending)
    assert w.stage_grid.result is w.controller.last_result
    assert w.difference_view.pending
    w.difference_dock.raise_()
    qtbot.waitUntil(lambda: not w.difference_view.pending)


def test_images_are_drawn_at_display_rate_and_the_newest_result_always_lands(qtbot):
    from sepconv_gui.app.source_specs import SourceSpec
    from sepconv_gui.ui.shell import main_window

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    drawn = []
    original = w.results.show_result
    w.results.show_result = lambda result: (drawn.append(result), original(result))
    results = []
    w.controller.result_ready.connect(results.append)
    assert w.start_source(SourceSpec("pattern", "64x48@500"))
    qtbot.waitUntil(lambda: len(results) >= 40, timeout=20000)
    w.controller.toggle_pause()
    qtbot.waitUntil(lambda: drawn and drawn[-1] is w.controller.last_result, timeout=5000)
    span = drawn[-1].finished_at - drawn[0].finished_at
    # Never more redraws than the display rate allows (one extra for the first frame).
    assert len(drawn) <= main_window.DISPLAY_HZ * span + 2
    rate = (len(results) - 1) / (results[-1].finished_at - results[0].finished_at)
    if rate > 2 * main_window.DISPLAY_HZ:  # a slow machine may never outrun the display
        assert len(drawn) < len(results)
    w.close()


def test_pixel_inspector_follows_views_made_when_the_modes_change(window, qtbot):
    from PySide6.QtCore import QPointF

    window.pixel_dock.raise_()
    window.edit_design({"modes": ("spatial",)})  # the normal panel goes ...
    window.edit_design({"modes": ("normal",)})  # ... and a new one is made
    view = window.results.panels["normal"].view
    qtbot.wait(50)
    view.scene().sigMouseMoved.emit(view.mapViewToScene(QPointF(5.5, 3.5)))
    qtbot.waitUntil(lambda: window.pixel_inspector.point == (5, 3))


def test_a_burst_of_live_results_draws_once_then_the_newest(window, qtbot, monkeypatch):
    # Deterministic: the burst arrives without the event loop running, as a fast stream
    # does between two ticks. Through the shared throttle the window draws the first result
    # at once and then only the newest; a window that drew every result would draw all 30.
    import copy

    from sepconv_gui.app.controller import Controller

    qtbot.waitUntil(lambda: window.controller.last_result is not None)
    window.flush_display()
    monkeypatch.setattr(Controller, "is_streaming", property(lambda self: True))
    drawn = []
    original = window.results.show_result
    window.results.show_result = lambda result: (drawn.append(result), original(result))
    burst = [copy.copy(window.controller.last_result) for _ in range(30)]
    for result in burst:
        window._show_result(result)
    qtbot.waitUntil(lambda: drawn and drawn[-1] is burst[-1])
    assert len(drawn) <= 2
    assert window.shown_result is burst[-1]
