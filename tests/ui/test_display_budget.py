"""Live redraws are spaced by what the GUI thread spends, and the stats say how many were drawn.

Clocks are injected: no sleeps and no timed assertions.
"""

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from sepconv_gui.app.pipeline import FrameResult
from sepconv_gui.ui.shell import scripted_run
from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.views.visibility import SMOOTHING, ThrottledDraw


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Drawn(QWidget):
    def __init__(self, clock, draws):
        super().__init__()
        self.clock, self.draws = clock, draws

    def draw(self):
        self.draws.append(self.clock.now)


@pytest.fixture
def widget(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    return w


def make(widget, clock, draws, **options):
    target = Drawn(clock, draws)
    target.setParent(widget)
    return ThrottledDraw(target, target.draw, seen=lambda: True, cpu_clock=clock, **options)


def test_the_spacing_keeps_a_draw_cycle_within_the_cpu_budget(widget):
    clock, draws = Clock(), []
    throttle = make(widget, clock, draws, interval_ms=10, busy_factor=0, cpu_budget=0.25)
    throttle.now()
    assert throttle.wait_ms == 10  # nothing known yet: the plain interval
    clock.now += 0.020  # 20 ms of the thread's CPU until the next draw (painting included)
    throttle.now()
    assert throttle.wait_ms == 80  # 20 ms / 0.25 of a core
    clock.now += 0.040
    throttle.now()
    expected = 0.020 + SMOOTHING * (0.040 - 0.020)  # the estimate moves, smoothed
    assert throttle.wait_ms == round(1e3 * expected / 0.25)
    assert len(draws) == 3


def test_a_cheap_cycle_keeps_the_plain_interval_and_a_dear_one_is_capped(widget):
    clock, draws = Clock(), []
    throttle = make(
        widget, clock, draws, interval_ms=33, busy_factor=0, cpu_budget=0.5, longest_ms=200
    )
    throttle.now()
    clock.now += 0.002
    throttle.now()
    assert throttle.wait_ms == 33
    throttle2 = make(
        widget, clock, draws, interval_ms=33, busy_factor=0, cpu_budget=0.5, longest_ms=200
    )
    throttle2.now()
    clock.now += 1.0  # a second of CPU per cycle: the view still moves, 5 times a second
    throttle2.now()
    assert throttle2.wait_ms == 200


def test_without_a_budget_the_cpu_clock_is_not_read(widget):
    clock, draws = Clock(), []
    throttle = make(widget, clock, draws, interval_ms=50, busy_factor=0)
    throttle.now()
    clock.now += 5.0
    throttle.now()
    assert throttle.wait_ms == 50


def test_the_main_window_paces_its_views_by_a_cpu_budget(qtbot):
    from sepconv_gui.ui.shell import main_window

    w = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(w)
    assert 0 < w._display._cpu_budget == main_window.DISPLAY_CPU_BUDGET < 1
    shown = []
    w.images_shown.connect(shown.append)
    w.open_path(w.sample_actions()[0][1])
    qtbot.waitUntil(lambda: w.shown_result is not None)
    assert shown and shown[-1] is w.shown_result
    w.close()


def test_stats_report_results_and_drawn_results_separately(qtbot, monkeypatch):
    w = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(w)
    clock = Clock()
    monkeypatch.setattr(scripted_run.time, "perf_counter", clock)
    # A real Watchdog would end the test process a few seconds after the run finishes.
    quiet_watchdog = scripted_run.Watchdog(exit_process=lambda code: None)
    run = scripted_run.ScriptedRun(
        w, 100, None, None, timeout_s=30, quit_app=lambda code: None, watchdog=quiet_watchdog
    )
    image = np.zeros((4, 4, 3), np.float32)
    modes = {m: None for m in w.controller.design.modes}
    for second in range(5):  # a result each second, a draw every other second
        clock.now = 100.0 + second
        result = FrameResult(second, w.controller.generation, image, results=dict(modes))
        run._on_result(result)
        if second % 2 == 0:
            run._on_drawn(result)
    stats = run.stats()
    assert stats["frames"] == 5 and stats["fps"] == pytest.approx(1.0)
    assert stats["drawn_frames"] == 3 and stats["drawn_fps"] == pytest.approx(0.5)
    assert stats["frames_in_flight"] == len(w.controller._workers)
    run._end(0, "")
    w.close()
