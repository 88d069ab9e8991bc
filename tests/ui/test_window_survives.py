"""The window explains a failing design in a banner, stays alive, and saves only what ran."""

import numpy as np
import pytest

from sepconv_gui.app import pipeline
from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.teach.opening import opening_design
from tests.gates import Gate, gate_sweep_runs

POISON_P = 7


@pytest.fixture
def poisoned(monkeypatch):
    real = pipeline.normal_conv

    def normal_conv(image, weights, **options):
        if weights.shape[0] == POISON_P:
            raise MemoryError()
        return real(image, weights, **options)

    monkeypatch.setattr(pipeline, "normal_conv", normal_conv)


@pytest.fixture
def window(qtbot):
    w = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(w)
    w.controller.show_image(np.full((24, 32, 3), 0.5, np.float32), "grey")
    w.show()
    yield w
    w.close()


def test_a_failing_design_shows_a_banner_until_dismissed(qtbot, window, poisoned):
    banner = window.error_banner
    assert banner.isHidden()
    window.edit_design({"out_channels": POISON_P, "pointwise": "random"})
    assert banner.isVisible()
    assert "ran out of memory" in banner.message and "lower P, M, k" in banner.message
    banner.close_button.click()
    assert banner.isHidden()
    window.edit_design({"out_channels": POISON_P, "pointwise": "average"})
    assert banner.isVisible()
    # A design that runs again takes the banner away and shows its own results.
    window.edit_design({"out_channels": 5})
    assert banner.isHidden()
    assert window.shown_result.results["normal"].output.shape[2] == 5


def test_only_a_design_that_ran_is_saved_on_quit(qtbot, poisoned):
    first = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(first)
    first.controller.show_image(np.full((24, 32, 3), 0.5, np.float32), "grey")
    first.edit_design({"out_channels": 4, "pointwise": "random"})
    first.edit_design({"out_channels": POISON_P})
    assert first.controller.design.out_channels == POISON_P
    first.close()
    second = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(second)
    expected = opening_design().with_changes(out_channels=4, pointwise="random")
    assert second.controller.design == expected
    second.close()


def _closes_without_blocking(qtbot, window, gate) -> None:
    assert gate.entered.wait(30)
    window.close()
    # close() came back while the engine call still runs: the window says it is stopping.
    assert not gate.opened.is_set() and window.isVisible()
    assert window.error_banner.message.startswith("Stopping…")
    window.close()  # asking again changes nothing
    assert window.isVisible()
    gate.opened.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    assert window.controller.stopped and not window.benchmark_panel.running


def test_closing_during_a_heavy_still_returns_and_says_stopping(qtbot, monkeypatch):
    gate = Gate()
    real = pipeline.run_mode

    def run_mode(mode, image, design, **options):
        if design.out_channels == 6:
            gate.hold()
        return real(mode, image, design, **options)

    monkeypatch.setattr(pipeline, "run_mode", run_mode)
    window = MainWindow(open_default=False)
    qtbot.addWidget(window)
    window.show()
    window.controller.show_image(np.full((24, 32, 3), 0.5, np.float32), "grey")
    window.edit_design({"out_channels": 6, "pointwise": "random"})
    try:
        _closes_without_blocking(qtbot, window, gate)
    finally:
        gate.opened.set()
    assert gate.calls == 1  # no mode or repeat ran after the one in flight


def test_closing_during_a_heavy_benchmark_point_returns_and_says_stopping(qtbot, monkeypatch):
    from sepconv_gui.app.sweep import SweepSpec

    gate = Gate()
    gate_sweep_runs(monkeypatch, gate)
    window = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(window)
    window.show()
    panel = window.benchmark_panel
    panel.set_spec(SweepSpec(values=(3, 5), width=32, height=24, outputs=4, repeats=3))
    assert panel.start()
    try:
        _closes_without_blocking(qtbot, window, gate)
    finally:
        gate.opened.set()
    assert gate.calls == 1
