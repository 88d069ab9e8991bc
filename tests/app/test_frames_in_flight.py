"""Two frames processed side by side: results in frame order, nothing stale, clean stops.

The processing threads here run a stand-in processor whose frames finish when the test says
so (threading.Event gates), so "the later frame finishes first" is set up, not hoped for.
"""

import threading

import numpy as np
import pytest

from sepconv_gui.app.controller import Controller
from sepconv_gui.app.frame_order import FrameOrder
from sepconv_gui.app.pipeline import FrameResult
from sepconv_gui.app.state import Design
from sepconv_gui.app.workers import Inbox, ProcessingThread, frames_in_flight
from sepconv_gui.engine import threads as engine_threads
from sepconv_gui.io.sources import Frame, PatternSource

WAIT_MS = 10000


def frame(index: int) -> Frame:
    return Frame(np.full((6, 8, 3), index, np.float32), index, index / 30)


class GatedProcessor:
    """first_pass returns a final result for the frame once its gate opens (all open unless
    the test closes one); records which thread ran each frame and its engine thread count."""

    def __init__(self, closed=()):
        self.gates = {}
        self.closed = set(closed)
        self.started = {}
        self.threads = {}
        self.lock = threading.Lock()

    def gate(self, index):
        with self.lock:
            if index not in self.gates:
                self.gates[index] = threading.Event()
                if index not in self.closed:
                    self.gates[index].set()
            return self.gates[index]

    def first_pass(self, image, design, *, generation, frame_index, should_stop, **_):
        self.threads[frame_index] = engine_threads.usable_threads()
        self.started[frame_index] = threading.current_thread()
        self.gate(frame_index).wait()
        if should_stop():
            return None, None
        result = FrameResult(frame_index, generation, image, design=design)
        return result, None

    def refine(self, first, repeats, should_stop):
        return None  # live frames are final: nothing to refine


def start_workers(inbox, processor, count=2):
    workers = [ProcessingThread(inbox, stills=i == 0) for i in range(count)]
    for worker in workers:
        worker.processor = processor
        worker._warm_up = lambda: None
        worker.start()
    return workers


def stop(inbox, workers):
    inbox.close()
    for worker in workers:
        worker.requestInterruption()
    assert all(worker.wait(WAIT_MS) for worker in workers)


def put_and_wait_taken(inbox, index):
    inbox.put_frame(frame(index))
    assert inbox.wait_until_taken(WAIT_MS / 1e3)


@pytest.fixture
def engine_threads_at_two():
    engine_threads.set_num_threads(2)
    yield
    engine_threads.set_num_threads(None)


def test_a_later_frame_that_finishes_first_waits_for_the_earlier_one(qtbot):
    inbox, processor = Inbox(Design()), GatedProcessor(closed={1})
    shown = []
    workers = start_workers(inbox, processor)
    for worker in workers:
        worker.result_ready.connect(lambda r: shown.append(r.frame_index))
    try:
        put_and_wait_taken(inbox, 1)  # one thread holds frame 1 at its closed gate
        qtbot.waitUntil(lambda: 1 in processor.started)
        put_and_wait_taken(inbox, 2)  # the other runs frame 2 straight through
        # Frame 2's job (ticket 1) has settled; frame 1's (ticket 0) has not.
        qtbot.waitUntil(lambda: inbox.order.pending == 2 and not inbox.order.others_in_flight(0))
        assert processor.started[1] is not processor.started[2]  # side by side
        assert shown == []  # frame 2 is done, and waits for frame 1
        processor.gate(1).set()
        qtbot.waitUntil(lambda: len(shown) == 2, timeout=WAIT_MS)
        assert shown == [1, 2]
    finally:
        processor.gate(1).set()
        stop(inbox, workers)


def test_an_abandoned_frame_lets_later_results_go(qtbot):
    inbox, processor = Inbox(Design()), GatedProcessor(closed={1})
    shown = []
    workers = start_workers(inbox, processor)
    for worker in workers:
        worker.result_ready.connect(lambda r: shown.append((r.frame_index, r.generation)))
    try:
        put_and_wait_taken(inbox, 1)
        qtbot.waitUntil(lambda: 1 in processor.started)
        inbox.set_design(Design(out_channels=4), 1)  # frame 1's design is superseded
        qtbot.waitUntil(lambda: inbox.order.pending == 2)  # frame 1 again, new design
        processor.gate(1).set()  # the old job sees it is superseded and gives up
        qtbot.waitUntil(lambda: shown == [(1, 1)], timeout=WAIT_MS)
        put_and_wait_taken(inbox, 2)
        qtbot.waitUntil(lambda: shown == [(1, 1), (2, 1)], timeout=WAIT_MS)
    finally:
        processor.gate(1).set()
        stop(inbox, workers)


def test_a_frame_beside_another_runs_its_engine_calls_on_one_thread(
    qtbot, engine_threads_at_two, monkeypatch
):
    monkeypatch.setattr(engine_threads, "_others_running", lambda: 0)  # an idle machine
    monkeypatch.setattr(engine_threads, "_load_reading", (-1.0, None))
    monkeypatch.setattr(engine_threads.os, "cpu_count", lambda: 4)  # whatever machine runs this
    inbox, processor = Inbox(Design()), GatedProcessor(closed={1})
    workers = start_workers(inbox, processor)
    try:
        put_and_wait_taken(inbox, 1)
        qtbot.waitUntil(lambda: 1 in processor.started)
        put_and_wait_taken(inbox, 2)
        qtbot.waitUntil(lambda: 2 in processor.threads)
        processor.gate(1).set()
        qtbot.waitUntil(lambda: inbox.order.pending == 0, timeout=WAIT_MS)
        put_and_wait_taken(inbox, 3)  # alone now
        qtbot.waitUntil(lambda: inbox.order.pending == 0, timeout=WAIT_MS)
        assert processor.threads == {1: 2, 2: 1, 3: 2}
    finally:
        processor.gate(1).set()
        stop(inbox, workers)


def test_stopping_with_frames_in_flight_ends_every_thread(qtbot):
    inbox, processor = Inbox(Design()), GatedProcessor(closed={1, 2})
    workers = start_workers(inbox, processor)
    put_and_wait_taken(inbox, 1)
    put_and_wait_taken(inbox, 2)
    qtbot.waitUntil(lambda: len(processor.started) == 2)
    inbox.close()
    for worker in workers:
        worker.requestInterruption()
    processor.gate(2).set()
    processor.gate(1).set()
    assert all(worker.wait(WAIT_MS) for worker in workers)
    assert inbox.order.pending == 0  # both abandoned jobs settled


def test_only_the_first_thread_takes_stills():
    inbox = Inbox(Design())
    inbox.put_frame(frame(0), still=True)
    assert inbox.take(0, stills=False) is None
    job = inbox.take(0)
    assert job is not None and job.repeats > 1
    inbox.put_frame(frame(1))
    live = inbox.take(0, stills=False)
    assert live is not None and live.ticket == job.ticket + 1


def test_frame_order_releases_in_ticket_order_and_drops_late_results():
    order, sent = FrameOrder(), []
    first, second, third = order.issue(), order.issue(), order.issue()
    order.settle(third, [(sent.append, "c")])
    order.settle(second)  # abandoned: no result
    assert sent == [] and order.others_in_flight(third)
    order.settle(first, [(sent.append, "a")])
    assert sent == ["a", "c"] and order.pending == 0
    order.settle(first, [(sent.append, "again")])  # settled twice: nothing more goes out
    assert not order.send_late(first, sent.append, "a refined")  # "c" is newer
    fourth = order.issue()
    assert not order.send_late(fourth, sent.append, "early")  # not settled yet
    order.settle(fourth, [(sent.append, "d")])
    assert order.send_late(fourth, sent.append, "d refined")
    assert sent == ["a", "c", "d", "d refined"]


def test_a_refinement_waiting_behind_an_earlier_frame_goes_out_after_its_first_pass():
    # A still opened while a live frame is in flight: the still's first pass and its refined
    # timings may both be ready before the live frame settles; neither may be lost.
    order, sent = FrameOrder(), []
    live, still = order.issue(), order.issue()
    order.settle(still, [(sent.append, "still")])
    assert order.send_late(still, sent.append, "still refined")
    assert sent == []
    order.settle(live, [(sent.append, "live")])
    assert sent == ["live", "still", "still refined"]


def test_a_result_whose_send_fails_does_not_hold_up_later_frames(caplog):
    order, sent = FrameOrder(), []

    def broken(result):
        raise RuntimeError("receiver gone")

    first, second = order.issue(), order.issue()
    order.settle(second, [(sent.append, "b")])
    order.settle(first, [(broken, "a")])
    assert sent == ["b"] and order.pending == 0
    assert "sending a processed frame's result failed" in caplog.text


def test_the_controller_runs_two_processing_threads_and_shows_frames_in_order(qtbot):
    if frames_in_flight() < 2:
        pytest.skip("one core: one processing thread")
    controller = Controller(Design())
    shown = []
    controller.result_ready.connect(lambda r: shown.append(r.frame_index))
    try:
        assert len(controller._workers) == controller.processing_threads == 2
        controller.start_source(PatternSource(48, 32, fps=1000))
        qtbot.waitUntil(lambda: len(shown) >= 12, timeout=WAIT_MS)
        controller.stop_source()
        assert shown == sorted(set(shown))  # strictly increasing: never an older frame
    finally:
        assert controller.shutdown()


def test_a_design_change_mid_flight_never_shows_the_old_design(qtbot):
    controller = Controller(Design())
    seen = []
    controller.result_ready.connect(
        lambda r: seen.append((r.generation == controller.generation, r.design))
    )
    try:
        controller.start_source(PatternSource(48, 32, fps=1000))
        qtbot.waitUntil(lambda: len(seen) >= 3, timeout=WAIT_MS)
        wanted = Design(out_channels=5, pointwise="random")
        controller.set_design(wanted)
        count = len(seen)
        qtbot.waitUntil(lambda: len(seen) >= count + 3, timeout=WAIT_MS)
        assert all(current for current, _ in seen)
        assert all(design == wanted for _, design in seen[count:])
    finally:
        assert controller.shutdown()


def test_the_environment_sets_the_frames_in_flight(monkeypatch):
    monkeypatch.setenv("SEPCONV_FRAMES_IN_FLIGHT", "1")
    assert frames_in_flight() == 1
    monkeypatch.setenv("SEPCONV_FRAMES_IN_FLIGHT", "3")
    assert frames_in_flight() == 3
    for unusable in ("0", "two", ""):
        monkeypatch.setenv("SEPCONV_FRAMES_IN_FLIGHT", unusable)
        assert frames_in_flight() == (2 if engine_threads.available_cores() > 1 else 1)
