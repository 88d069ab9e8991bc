"""The scratch buffer a thread keeps between engine calls (engine/scratch.py)."""

import threading

import numpy as np

from sepconv_gui.engine import scratch


def on_own_thread(check) -> None:
    """Run ``check`` on a fresh thread, whose kept buffers start empty, and re-raise what it
    asserted here."""
    errors = []

    def guarded():
        try:
            check()
        except AssertionError as error:
            errors.append(error)

    thread = threading.Thread(target=guarded)
    thread.start()
    thread.join()
    assert not errors, errors


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

    on_own_thread(run)


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


def test_calls_of_other_sizes_after_a_warm_one_still_match_the_reference():
    # The kept buffers are sliced for smaller calls and grown for larger ones; what a call
    # left in them must never show in the next one.
    from sepconv_gui import engine
    from sepconv_gui.engine import reference as ref

    rng = np.random.default_rng(7)
    column, row = rng.standard_normal(11), rng.standard_normal(12)
    depth, point = rng.standard_normal((6, 3, 3)), rng.standard_normal((4, 6))

    def run():
        for shape in [(40, 50, 3), (20, 30, 3), (31, 17, 2), (45, 60, 3)]:
            image = rng.random(shape, dtype=np.float32)
            out = engine.spatial_separable_conv(image, column, row).output
            assert np.allclose(out, ref.spatial(image, column, row), atol=1e-4)
            taken, mix = depth[: 2 * shape[2]], point[:, : 2 * shape[2]]
            out = engine.depthwise_separable_conv(image, taken, mix).output
            assert np.allclose(out, ref.depthwise(image, taken, mix)[1], atol=1e-4)

    on_own_thread(run)
