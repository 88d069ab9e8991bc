"""Heavy work can be abandoned: stills and sweeps stop between runs, closing never blocks."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from sepconv_gui.app import pipeline
from sepconv_gui.app.controller import Controller
from sepconv_gui.app.state import Design
from sepconv_gui.app.sweep import SweepSpec
from sepconv_gui.app.sweep_worker import SweepWorker
from tests.gates import LONG, Gate, gate_sweep_runs

SLOW_P = 6  # designs with this many outputs run into the gate
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gate(monkeypatch):
    gate = Gate()
    real = pipeline.run_mode

    def run_mode(mode, image, design, **options):
        if design.out_channels == SLOW_P:
            gate.hold()
        return real(mode, image, design, **options)

    monkeypatch.setattr(pipeline, "run_mode", run_mode)
    yield gate
    gate.opened.set()


def _still(seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).random((24, 32, 3)).astype(np.float32)


def test_shutdown_is_bounded_while_an_engine_call_runs(qtbot, gate):
    controller = Controller(Design(out_channels=SLOW_P, pointwise="random"))
    controller.show_image(_still(), "still")
    assert gate.entered.wait(LONG)
    assert not controller.shutdown(wait_ms=50)  # returns although the call goes on
    assert not controller.stopped
    gate.opened.set()
    qtbot.waitUntil(lambda: controller.stopped, timeout=LONG * 1000)
    # Stopped between runs: the still's other modes and its timing repeats never ran.
    assert gate.calls == 1


def test_a_newer_design_abandons_the_still_being_timed(qtbot, gate):
    controller = Controller(Design(out_channels=SLOW_P, pointwise="random"))
    results = []
    controller.result_ready.connect(results.append)
    controller.show_image(_still(), "still")
    assert gate.entered.wait(LONG)
    controller.set_design(Design(out_channels=4, pointwise="random"))
    gate.opened.set()
    qtbot.waitUntil(
        lambda: bool(results) and results[-1].final and results[-1].generation == 1,
        timeout=LONG * 1000,
    )
    assert gate.calls == 1  # the old design's remaining runs were dropped
    assert all(r.design.out_channels == 4 for r in results)
    assert controller.shutdown()


def test_refining_a_still_stops_for_a_newer_design(qtbot, gate):
    gate.hold_from = 4  # the first pass (three modes) runs; the first timing repeat holds
    controller = Controller(Design(out_channels=SLOW_P, pointwise="random"))
    results = []
    controller.result_ready.connect(results.append)
    controller.show_image(_still(), "still")
    assert gate.entered.wait(LONG)
    assert len(results) <= 1  # the first pass is shown (it may still be in the queue)
    controller.set_design(Design(out_channels=4, pointwise="random"))
    gate.opened.set()
    qtbot.waitUntil(lambda: bool(results) and results[-1].final, timeout=LONG * 1000)
    assert results[-1].design.out_channels == 4
    assert gate.calls == 4
    assert controller.shutdown()


def test_a_cancelled_sweep_stops_between_timed_runs(qtbot, monkeypatch):
    gate = Gate()
    gate_sweep_runs(monkeypatch, gate)
    worker = SweepWorker(SweepSpec(values=(3, 5), width=32, height=24, outputs=4, repeats=5))
    # Not qtbot.waitSignal: ``finished`` is emitted from the worker's thread, so pytest-qt's
    # slot runs there and can quit its event loop before the main thread enters it, which
    # then waits forever (its timeout timer was stopped from the wrong thread too).
    ended = []
    worker.finished.connect(ended.append, Qt.ConnectionType.DirectConnection)
    worker.start()
    try:
        assert gate.entered.wait(LONG)
        worker.cancel()
        assert not worker.wait(20)  # the call in flight is not cut short...
    finally:
        gate.opened.set()
    assert worker.wait(LONG * 1000)
    qtbot.waitUntil(lambda: bool(ended), timeout=LONG * 1000)
    assert ended[0].status == "cancelled"
    assert gate.calls == 1  # ...but nothing after it runs


def test_leaving_with_an_engine_call_in_flight_does_not_abort(tmp_path):
    # A controller dropped with its thread still in an engine call: Qt would abort with
    # "QThread: Destroyed while thread is still running" if nobody kept the thread.
    script = tmp_path / "leave.py"
    script.write_text(
        textwrap.dedent(
            """
            import threading, numpy as np
            from PySide6.QtWidgets import QApplication
            from sepconv_gui.app import pipeline
            from sepconv_gui.app.controller import Controller
            from sepconv_gui.app.state import Design

            app = QApplication([])
            entered, real = threading.Event(), pipeline.run_mode

            def slow(mode, image, design, **options):
                entered.set()
                threading.Event().wait(0.5)  # a heavy call, still running at exit
                return real(mode, image, design, **options)

            pipeline.run_mode = slow
            controller = Controller(Design())
            controller.show_image(np.zeros((20, 20, 3), np.float32), "zeros")
            assert entered.wait(30)
            assert not controller.shutdown(wait_ms=0)
            del controller
            print("left")
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "left" in done.stdout and "Destroyed while thread" not in done.stderr
