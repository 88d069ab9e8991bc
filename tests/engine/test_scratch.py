"""The scratch buffer a thread keeps between engine calls (engine/scratch.py)."""

import threading

import numpy as np

from sepconv_gui.engine import scratch


def test_a_thread_gets_its_own_buffer_back_and_another_thread_a_different_one():
    first = scratch.scratch((10, 20, 3))
    again = scratch.scratch((5, 20, 3))
    assert again.flags.c_contiguous and again.shape == (5, 20, 3)
    assert np.shares_memory(first, again)
    other = {}
    thread = threading.Thread(target=lambda: other.update(buffer=scratch.scratch((10, 20, 3))))
    thread.start()
    thread.join()
    assert not np.shares_memory(other["buffer"], first)


def test_a_larger_request_grows_the_buffer_and_a_huge_one_is_not_kept(monkeypatch):
    def run():
        small = scratch.scratch((4, 4))
        grown = scratch.scratch((8, 8))
        assert not np.shares_memory(small, grown)
        assert scratch.kept_bytes() == 8 * 8 * 4  # this thread, every use
        monkeypatch.setattr(scratch, "KEEP_BYTES", 1000)
        huge = scratch.scratch((20, 20))  # 1600 bytes: handed out, not kept
        assert huge.shape == (20, 20) and scratch.kept_bytes() == 8 * 8 * 4
        assert np.shares_memory(scratch.scratch((8, 8)), grown)

    # On a thread of its own, so what the test thread keeps stays out of it.
    errors = []

    def guarded():
        try:
            run()
        except AssertionError as error:
            errors.append(error)

    thread = threading.Thread(target=guarded)
    thread.start()
    thread.join()
    assert not errors, errors


def test_each_use_has_its_own_buffer():
    planes = scratch.scratch((3, 8, 8), "planes")
    maps = scratch.scratch((6, 8, 8), "maps")
    assert not np.shares_memory(planes, maps)
    assert np.shares_memory(scratch.scratch((3, 8, 8), "planes"), planes)


def test_release_lets_go_of_every_use():
    scratch.scratch((4, 4), "a")
    scratch.scratch((4, 4), "b")
    assert scratch.kept_bytes() >= 2 * 64
    scratch.release()
    assert scratch.kept_bytes() == 0
