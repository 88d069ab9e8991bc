"""The load the engine's thread decisions see: other processes' runnable threads, never the
engine's own pool threads (a finiteness check beside every call made a quiet machine look
busy, and every call ran on one thread)."""

import threading
import time

import cv2
import numpy as np
import pytest

from sepconv_gui import engine
from sepconv_gui.engine import machine_load, threads

pytestmark = pytest.mark.skipif(
    machine_load._read("/proc/loadavg") is None, reason="needs Linux's /proc"
)


@pytest.fixture(autouse=True)
def count_alone(monkeypatch):
    """The instant count decides unless a test sets how busy others kept the CPUs lately."""
    monkeypatch.setattr(machine_load, "cores_used_by_others", lambda: None)


def loadavg_saying(monkeypatch, *totals):
    """/proc/loadavg reads give these runnable counts in turn (the last one repeats)."""
    real = machine_load._read
    left = list(totals)

    def read(path):
        if path != "/proc/loadavg":
            return real(path)
        total = left.pop(0) if len(left) > 1 else left[0]
        return f"0.50 0.40 0.30 {total}/300 4242\n".encode()

    monkeypatch.setattr(machine_load, "_read", read)


@pytest.fixture
def spinning_pool_thread():
    """An engine pool thread kept runnable in OpenCV (GIL released) until the test ends."""
    stop, started = threading.Event(), threading.Event()
    image = np.ones((600, 600), np.float32)
    kernel = np.ones((15, 15), np.float32)

    def spin():
        started.set()
        while not stop.is_set():
            cv2.filter2D(image, -1, kernel)

    threads.background(spin)
    assert started.wait(10)
    yield
    stop.set()


def test_the_engines_own_running_thread_is_not_counted_as_load(monkeypatch, spinning_pool_thread):
    loadavg_saying(monkeypatch, 2)  # the caller and the spinning pool thread
    # The pool thread holds the GIL for a moment between filters; it is runnable nearly
    # always, so some reading within a few hundred sees it.
    seen = [machine_load.others_running() for _ in range(300)]
    assert 0 in seen, seen[:20]


def test_a_thread_runnable_in_one_reading_only_is_not_load(monkeypatch):
    # A kernel thread or a shell command wakes for microseconds; one reading that caught it
    # would put the next calls on one thread. Two clean readings, the smaller kept.
    monkeypatch.setattr(machine_load, "_workers", set())  # no pool thread of ours running
    loadavg_saying(monkeypatch, 3, 1)
    assert machine_load.others_running() == 0
    loadavg_saying(monkeypatch, 3, 3)
    assert machine_load.others_running() == 2


def test_a_pool_thread_that_exited_is_forgotten_and_its_file_closed():
    registered, leave = threading.Event(), threading.Event()
    ids = []

    def worker_body():
        machine_load.register_worker()
        ids.append(threading.get_native_id())
        registered.set()
        leave.wait(10)

    worker = threading.Thread(target=worker_body)
    worker.start()
    assert registered.wait(10)
    machine_load.own_runnable()  # read while it lives: its stat file is opened and kept
    path = f"/proc/self/task/{ids[0]}/stat"
    assert path in machine_load._fds
    leave.set()
    worker.join()
    deadline = time.monotonic() + 10
    while ids[0] in machine_load._workers and time.monotonic() < deadline:
        machine_load.own_runnable()
    assert ids[0] not in machine_load._workers
    assert path not in machine_load._fds  # its descriptor closed, not kept


def test_helpers_do_not_queue_behind_a_background_task(monkeypatch):
    # A finiteness check holds a pool thread while the call's helpers are handed their ranges;
    # the pool has a thread for each, so both ranges run at the same time.
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    # A fresh pool: one grown by earlier tests would have a spare worker anyway.
    monkeypatch.setattr(threads, "_pool", None)
    monkeypatch.setattr(threads, "_pool_size", 0)
    engine.set_num_threads(2)
    release = threading.Event()
    try:
        threads.background(lambda: release.wait(30))
        meet = threading.Barrier(2, timeout=20)
        ran = []
        threads.parallel_for(2, lambda first, last: (meet.wait(), ran.append(first)), pieces=2)
        assert sorted(ran) == [0, 1]
    finally:
        release.set()
        engine.set_num_threads(None)
        if threads._pool is not None:
            threads._pool.shutdown(wait=False)


@pytest.mark.parametrize(
    "count, lately, others",
    [(1, 0.05, 0), (1, 0.9, 1), (2, 1.0, 1), (2, 2.0, 2), (0, 1.0, 0), (1, None, 1)],
)
def test_a_moment_of_someone_elses_work_is_not_a_busy_core(monkeypatch, count, lately, others):
    # After a torch call a thread outside the process ran for 3-5 ms: runnable in the count,
    # but nothing like a core kept busy over the last 100 ms.
    monkeypatch.setattr(machine_load, "_workers", set())  # no pool thread of ours running
    loadavg_saying(monkeypatch, count + 1)
    monkeypatch.setattr(machine_load, "cores_used_by_others", lambda: lately)
    assert machine_load.others_running() == others


def test_cores_used_by_others_is_the_machines_cpu_time_less_this_processs(monkeypatch):
    monkeypatch.setattr(machine_load, "cores_used_by_others", COUNTED)
    clock, ticks, own = [100.0], [(0, 0)], [0.0]
    real = machine_load._read

    def read(path):
        if path != "/proc/stat":
            return real(path)
        busy, every = ticks[0]
        # user nice system idle iowait irq softirq steal: a third of busy is the hypervisor's
        user, steal = busy - busy // 3, busy // 3
        return f"cpu  {user} 0 0 {every - busy} 0 0 0 {steal}\ncpu0 1 2 3\n".encode()

    monkeypatch.setattr(machine_load, "_read", read)
    monkeypatch.setattr(machine_load.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(machine_load.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(
        machine_load.os, "times", lambda: type("T", (), {"user": own[0], "system": 0.0})()
    )
    monkeypatch.setattr(machine_load, "_TICKS", 100)
    monkeypatch.setattr(machine_load, "_window", None)
    monkeypatch.setattr(machine_load, "_others_cores", None)
    ticks[0] = (1000, 5000)
    assert machine_load.cores_used_by_others() is None  # the first window has not passed
    # 0.2 s later on 2 CPUs (40 ticks): 30 busy ticks, 10 of them this process's own.
    clock[0], ticks[0], own[0] = 100.2, (1030, 5040), 0.1
    assert machine_load.cores_used_by_others() == pytest.approx(1.0)
    # Too soon for a new window: the last value stands.
    clock[0], ticks[0] = 100.25, (1032, 5050)
    assert machine_load.cores_used_by_others() == pytest.approx(1.0)
    # The next window, from 100.2: 40 ticks, 4 busy, all this process's own.
    clock[0], ticks[0], own[0] = 100.4, (1034, 5080), 0.14
    assert machine_load.cores_used_by_others() == pytest.approx(0.0)


COUNTED = machine_load.cores_used_by_others


def test_a_window_left_idle_says_nothing_about_now(monkeypatch):
    monkeypatch.setattr(machine_load, "cores_used_by_others", COUNTED)
    clock = [100.0]
    monkeypatch.setattr(machine_load.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(machine_load, "_window", (50.0, 0, 0, 0.0))  # an hour-long gap
    monkeypatch.setattr(machine_load, "_others_cores", 0.0)
    assert machine_load.cores_used_by_others() is None  # started again: the count decides
