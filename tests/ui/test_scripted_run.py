"""The scripted run's verdict, in process: failures during the run and the watchdog."""

import threading

import cv2
import numpy as np
import pytest

from sepconv_gui.app.pipeline import FrameResult
from sepconv_gui.app.preflight import ExitCode
from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.shell.scripted_run import SHUTDOWN_GRACE_S, ScriptedRun, Watchdog


def stay(code):
    """Instead of QCoreApplication.exit, which would stop every later event loop here."""


class FakeWatchdog:
    def __init__(self):
        self.armed = []

    def arm(self, seconds, code, message):
        self.armed.append((seconds, code))

    def cancel(self):
        pass


@pytest.fixture
def window(qtbot, tmp_path):
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.full((24, 32, 3), 100, np.uint8))
    w = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(w)
    w.still_path = path
    yield w
    w.close()


def start(window, stats=None, shot=None):
    watchdog = FakeWatchdog()
    run = ScriptedRun(window, 2, stats, shot, timeout_s=30, watchdog=watchdog, quit_app=stay)
    window.open_path(window.still_path)
    window.controller.remeasure()
    return run, watchdog


def test_a_file_that_cannot_be_written_ends_with_code_5(window, qtbot, tmp_path, capsys):
    (tmp_path / "plain").write_text("")
    run, watchdog = start(window, stats=str(tmp_path / "plain" / "stats.json"))
    qtbot.waitUntil(lambda: run.done)
    assert run.exit_code == ExitCode.WRITE_FAILED
    assert "plain/stats.json" in run.reason
    assert capsys.readouterr().err.strip() == f"sepconv-gui: {run.reason}"
    assert watchdog.armed[-1] == (SHUTDOWN_GRACE_S, ExitCode.WRITE_FAILED)


def test_written_files_end_with_code_0(window, qtbot, tmp_path):
    stats, shot = tmp_path / "stats.json", tmp_path / "shot.png"
    run, _ = start(window, stats=str(stats), shot=str(shot))
    qtbot.waitUntil(lambda: run.done)
    assert run.exit_code == ExitCode.OK and run.reason == ""
    assert stats.exists() and cv2.imread(str(shot)) is not None


def test_an_error_during_the_run_ends_with_code_3(window, qtbot):
    run = ScriptedRun(window, 5, None, None, timeout_s=30, watchdog=FakeWatchdog(), quit_app=stay)
    window.controller.error.emit("the engine refused\nthis")
    qtbot.waitUntil(lambda: run.done)
    assert run.exit_code == ExitCode.FAILED and run.reason.endswith("the engine refused this")


def test_a_result_missing_a_mode_is_not_counted_as_a_frame(window, qtbot):
    run = ScriptedRun(window, 1, None, None, timeout_s=30, watchdog=FakeWatchdog(), quit_app=stay)
    image = np.zeros((4, 4, 3), np.float32)
    window.controller.result_ready.emit(FrameResult(0, window.controller.generation, image))
    qtbot.waitUntil(lambda: run.done)
    assert run.exit_code == ExitCode.FAILED and "normal" in run.reason


def test_the_watchdog_ends_the_process_when_the_event_loop_cannot():
    fired = threading.Event()
    codes = []
    watchdog = Watchdog(exit_process=lambda code: (codes.append(code), fired.set()))
    watchdog.arm(0.01, ExitCode.TIMEOUT, "")
    assert fired.wait(10) and codes == [ExitCode.TIMEOUT]
