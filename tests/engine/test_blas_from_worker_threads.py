"""BLAS is single-threaded inside an engine call made from any thread, not only the first
thread that ever set a BLAS limit.

threadpoolctl (>= 3.6) lets only one "controlling" thread change an OpenBLAS limit; from any
other thread its setter does nothing. The app calls the engine from its processing threads
while the main thread scoped BLAS first, so without going around that rule every pointwise
matmul of a live frame ran a two-thread BLAS whose helper then spun on the other core.
"""

import threading

import numpy as np
from threadpoolctl import ThreadpoolController

from sepconv_gui import engine

from .blas_probe import blas_threads


def test_a_call_from_a_worker_thread_runs_single_threaded_blas(blas_inside_gemm):
    seen = blas_inside_gemm
    image = np.ones((20, 30, 3), np.float32)
    # The main thread sets a limit first (it becomes threadpoolctl's controlling thread).
    with ThreadpoolController().limit(limits=2, user_api="blas"):
        before = blas_threads()
        worker = threading.Thread(
            target=lambda: engine.normal_conv(image, np.ones((4, 3, 3, 3)), algorithm="gemm")
        )
        worker.start()
        worker.join()
        assert seen and set(seen[0]) == {1}
        assert blas_threads() == before  # restored when the worker's call left


def test_a_thread_cap_applies_to_the_calling_thread_only(monkeypatch):
    from sepconv_gui.engine import threads

    monkeypatch.setattr(threads, "_others_running", lambda: 0)  # an idle machine
    monkeypatch.setattr(threads, "_load_reading", (-1.0, None))
    monkeypatch.setattr(threads, "_requested", 2)
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 4)  # whatever machine runs this
    seen = {}

    def capped():
        threads.cap_calling_thread(1)
        seen["capped"] = threads.usable_threads()
        threads.cap_calling_thread(None)
        seen["lifted"] = threads.usable_threads()

    worker = threading.Thread(target=capped)
    worker.start()
    worker.join()
    assert seen == {"capped": 1, "lifted": 2}
    assert threads.usable_threads() == 2  # the main thread never had a cap
    for wrong in (0, 1.5, True):
        try:
            threads.cap_calling_thread(wrong)
        except ValueError:
            continue
        raise AssertionError(f"{wrong!r} was accepted")
