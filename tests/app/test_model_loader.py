"""ModelLoader: work off the GUI thread, newest request wins, every failure reported."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from sepconv_gui.app.model_loader import ModelLoader
from sepconv_gui.io.models import ModelLoadError


def test_result_arrives_from_another_thread(qtbot):
    loader = ModelLoader()
    ran_in = []

    def job():
        ran_in.append(threading.current_thread())
        return "session"

    # The signal comes from the loader's thread: collect it directly and poll, because
    # qtbot.waitSignal can miss an emission that lands just before its event loop starts.
    caught = []
    loader.loaded.connect(
        lambda *args: caught.append(list(args)), Qt.ConnectionType.DirectConnection
    )
    number = loader.run(job, "Could not open x")
    qtbot.waitUntil(lambda: bool(caught), timeout=10_000)
    assert caught == [["session", number]]
    assert ran_in and ran_in[0] is not threading.main_thread()


def test_an_older_request_that_finishes_late_is_dropped(qtbot):
    loader = ModelLoader()
    release = threading.Event()
    got = []
    loader.loaded.connect(lambda value, number: got.append(value))

    def slow():
        release.wait(10)
        return "old"

    loader.run(slow, "x")
    loader.run(lambda: "new", "x")
    qtbot.waitUntil(lambda: got == ["new"], timeout=10_000)
    release.set()
    qtbot.waitUntil(lambda: not any(t.name == "model-loader" for t in threading.enumerate()))
    QCoreApplication.processEvents()  # a wrongly sent "old" is queued by now: deliver it
    assert got == ["new"]


@pytest.mark.parametrize(
    "error, words",
    [
        (ModelLoadError("net.onnx: not a model"), ["Could not open net.onnx: net.onnx: not"]),
        (ValueError("too small"), ["too small"]),
        (MemoryError(), ["not enough memory"]),
        (KeyError("bug"), ["KeyError"]),
    ],
)
def test_every_failure_is_reported(qtbot, error, words):
    loader = ModelLoader(synchronous=True)

    def job():
        raise error

    with qtbot.waitSignal(loader.failed, timeout=10_000) as caught:
        loader.run(job, "Could not open net.onnx")
    for word in words:
        assert word in caught.args[0]
    assert not loader.busy
