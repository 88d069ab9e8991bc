"""Collection happens on the GUI thread only (see app/gc_guard.py for the deadlock it avoids)."""

import gc
import threading

from sepconv_gui.app.gc_guard import FULL_EVERY, collect_on_gui_thread


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_and_the_timer_collects_on_the_gui_thread(qtbot, qapp):
    was_enabled = gc.isenabled()  # the test process keeps it off (tests/conftest.py)
    gc.enable()  # as in a fresh app process
    collector = collect_on_gui_thread(qapp)
    try:
        assert not gc.isenabled()
        threads = []
        gc.callbacks.append(
            lambda phase, info: phase == "start" and threads.append(threading.current_thread())
        )
        try:
            # Garbage made in a worker thread is not collected there...
            def make_garbage():
                for _ in range(20000):
                    Cycle()

            worker = threading.Thread(target=make_garbage)
            worker.start()
            worker.join()
            assert threads == []
            # ...but by the GUI thread's timer.
            qtbot.waitUntil(lambda: bool(threads), timeout=5000)
            assert set(threads) == {threading.main_thread()}
        finally:
            gc.callbacks.pop()
        ticks = collector.ticks
        collector.ticks = FULL_EVERY - 1
        collector.tick()  # the full collection every FULL_EVERY ticks
        assert collector.ticks == FULL_EVERY and ticks >= 1
    finally:
        collector._timer.stop()
        collector.deleteLater()
        (gc.enable if was_enabled else gc.disable)()
