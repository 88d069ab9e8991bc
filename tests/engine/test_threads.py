"""The engine owns its threads: BLAS single-threaded inside calls and restored after, one
knob for the pool, and the same results when called from several threads at once."""

import threading
import zlib

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from sepconv_gui import engine
from sepconv_gui.engine import algorithms, threads
from sepconv_gui.engine import reference as ref

from .blas_probe import blas_threads


@pytest.fixture(autouse=True)
def default_threads():
    engine.set_num_threads(None)
    yield
    engine.set_num_threads(None)


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


@pytest.fixture
def blas_at_two():
    controller = ThreadpoolController()
    before = blas_threads()
    with controller.limit(limits=2, user_api="blas"):
        yield
    assert blas_threads() == before


def test_blas_is_single_threaded_inside_a_call_and_restored_after(blas_at_two, blas_inside_gemm):
    assert set(blas_threads()) == {2}
    seen = blas_inside_gemm
    image = np.ones((20, 30, 3), np.float32)
    engine.normal_conv(image, np.ones((4, 3, 3, 3)), algorithm="gemm")
    assert seen and set(seen[0]) == {1}
    assert set(blas_threads()) == {2}


def test_blas_restored_when_a_call_fails(monkeypatch, blas_at_two):
    def boom(*args):
        raise MemoryError

    monkeypatch.setitem(algorithms.FUNCTIONS, "gemm", boom)
    with pytest.raises(engine.ResourceError):
        engine.normal_conv(np.ones((9, 9, 1)), np.ones((1, 1, 3, 3)), algorithm="gemm")
    assert set(blas_threads()) == {2}


def test_concurrent_calls_restore_blas_only_when_the_last_leaves(blas_at_two):
    # Two overlapping scopes: the first to leave must not restore while the other runs.
    first, second = threads.single_threaded_blas(), threads.single_threaded_blas()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert set(blas_threads()) == {1}
    second.__exit__(None, None, None)
    assert set(blas_threads()) == {2}


def _calls(rng):
    image = rng.random((37, 45, 5), dtype=np.float32)
    bank = rng.standard_normal((6, 5, 4, 3)).astype(np.float32)
    depth = rng.standard_normal((10, 5, 5)).astype(np.float32)
    point = rng.standard_normal((7, 10)).astype(np.float32)
    column, row = rng.standard_normal(11), rng.standard_normal(13)
    return [
        lambda: engine.normal_conv(image, bank, algorithm="direct", border="wrap").output,
        lambda: engine.normal_conv(image, bank, algorithm="gemm").output,
        lambda: engine.normal_conv(image, bank, algorithm="fft", flip=True).output,
        lambda: engine.spatial_separable_conv(image, [1, 2, 3, 2, 1], [1, 0, -1, 2]).output,
        # Two 1-D passes through the calling thread's kept scratch (engine/scratch.py).
        lambda: engine.spatial_separable_conv(image, column, row, border="replicate").output,
        lambda: engine.depthwise_separable_conv(image, depth, point, border="reflect").output,
    ]


def test_several_threads_at_once_give_identical_results():
    calls = _calls(seeded("concurrent"))
    expected = [call() for call in calls]
    results: dict[tuple[int, int], np.ndarray] = {}
    errors = []
    start = threading.Barrier(4)

    def worker(slot):
        try:
            start.wait()
            for repeat in range(3):
                for index, call in enumerate(calls):
                    results[(slot, repeat * 10 + index)] = call()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=worker, args=(slot,)) for slot in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert not errors
    assert len(results) == 4 * 3 * len(calls)
    for (slot, key), output in results.items():
        np.testing.assert_array_equal(output, expected[key % 10])


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_every_thread_count_matches_the_reference(count):
    engine.set_num_threads(count)
    rng = seeded("count", count)
    image = rng.random((33, 41, 3), dtype=np.float32)
    bank = rng.standard_normal((5, 3, 3, 4)).astype(np.float32)
    expected = ref.normal(image, bank, "reflect101")
    for algorithm in ("direct", "gemm", "kn2row", "fft"):
        out = engine.normal_conv(image, bank, algorithm=algorithm).output
        np.testing.assert_allclose(out, expected, atol=1e-4)
    depth = rng.standard_normal((6, 3, 3)).astype(np.float32)
    point = rng.standard_normal((4, 6)).astype(np.float32)
    _, expected = ref.depthwise(image, depth, point)
    out = engine.depthwise_separable_conv(image, depth, point).output
    np.testing.assert_allclose(out, expected, atol=1e-4)


def test_gemm_tiles_are_shared_out_when_rows_are_split(monkeypatch):
    # Tiny tiles force many tiles (and column splits) spread over three threads.
    monkeypatch.setattr(algorithms, "GEMM_TILE_BYTES", 3 * 3 * 3 * 4 * 7)
    engine.set_num_threads(3)
    rng = seeded("tiles")
    image = rng.random((13, 17, 3), dtype=np.float32)
    bank = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    out = engine.normal_conv(image, bank, algorithm="gemm", border="wrap").output
    np.testing.assert_allclose(out, ref.normal(image, bank, "wrap"), atol=1e-4)


def test_the_knob_and_its_environment_variable(monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    monkeypatch.delenv(threads.ENV_THREADS, raising=False)
    assert engine.num_threads() == 2
    monkeypatch.setenv(threads.ENV_THREADS, "5")
    assert engine.num_threads() == 5
    engine.set_num_threads(1)
    assert engine.num_threads() == 1  # code wins over the environment
    engine.set_num_threads(None)
    monkeypatch.setenv(threads.ENV_THREADS, "many")
    with pytest.warns(RuntimeWarning, match="not a thread count"):
        assert engine.num_threads() == 2
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="thread count"):
            engine.set_num_threads(bad)


def test_parallel_for_covers_the_range_once_and_propagates_errors():
    engine.set_num_threads(4)
    hits = np.zeros(103, int)

    def body(first, last):
        hits[first:last] += 1

    threads.parallel_for(103, body)
    assert (hits == 1).all()

    def failing(first, last):
        if first > 0:
            raise ValueError("share failed")

    with pytest.raises(ValueError, match="share failed"):
        threads.parallel_for(10, failing)


class _RangeCounter:
    """Stands in for threads._Shares and records how finely each parallel_for was cut."""

    seen: list[int] = []

    def __init__(self, body, ranges):
        self.inner = _real_shares(body, ranges)
        _RangeCounter.seen.append(len(ranges))

    def __getattr__(self, name):
        return getattr(self.inner, name)


_real_shares = threads._Shares


@pytest.fixture
def range_counts(monkeypatch):
    _RangeCounter.seen = []
    monkeypatch.setattr(threads, "_Shares", _RangeCounter)
    engine.set_num_threads(2)
    return _RangeCounter.seen


def test_work_is_handed_out_in_several_ranges_per_thread(range_counts, monkeypatch):
    # One range per thread left nothing to take over from a thread another process slows:
    # the busy core's half set the finish time. Every split path that does not share out
    # evenly by itself cuts at least two ranges per thread (tiles, blocks:
    # SHARES_PER_THREAD; depthwise maps: 3 maps in 6 half-maps). A spatial call's bands are
    # equal shares already and each more costs a seam: one per thread.
    monkeypatch.setattr(algorithms, "GEMM_TILE_BYTES", 5 * 5 * 3 * 4 * 40)
    from sepconv_gui.engine import bands, direct

    monkeypatch.setattr(bands, "MIN_BAND_VALUES", 1)
    monkeypatch.setattr(direct, "BAND_VALUES", 40)
    rng = seeded("ranges")
    image = rng.random((240, 16, 3), dtype=np.float32)
    bank = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    wanted = 2 * threads.SHARES_PER_THREAD
    for call, least in (
        (lambda: engine.normal_conv(image, bank, algorithm="gemm"), wanted),
        (lambda: engine.normal_conv(image, bank, algorithm="direct"), wanted),
        (
            lambda: engine.depthwise_separable_conv(
                image, rng.standard_normal((3, 3, 3)), rng.standard_normal((8, 3))
            ),
            6,
        ),
    ):
        range_counts.clear()
        call()
        assert max(range_counts) >= least, range_counts
    range_counts.clear()
    engine.spatial_separable_conv(image, [1, 2, 1], [1, 0, -1])
    assert range_counts == [2]


@pytest.mark.parametrize(
    "others, expected",
    [(0, 2), (1, 1), (5, 1), (None, 2)],  # None: no /proc/loadavg, the cap applies
)
def test_a_call_runs_only_as_many_threads_as_cores_are_idle(monkeypatch, others, expected):
    monkeypatch.setattr(threads, "_others_running", lambda: others)
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    engine.set_num_threads(2)
    assert threads.usable_threads() == expected
    seen = []
    threads.parallel_for(64, lambda first, last: seen.append((first, last)), pieces=8)
    # One usable thread: the calling thread runs the whole range in one call.
    assert (seen == [(0, 64)]) == (expected == 1)
    assert sorted(seen)[0][0] == 0 and sum(b - a for a, b in seen) == 64


def test_the_runnable_count_is_read_from_the_live_field(monkeypatch):
    monkeypatch.undo()  # the real reader, not the conftest's zero
    others = threads._others_running()
    assert others is None or others >= 0


def test_the_online_cpu_count_is_read_once_but_follows_a_replaced_reader(monkeypatch):
    # os.cpu_count reads sysfs (about 10 us, up to four times a call), so it is read once;
    # a replaced os.cpu_count (another machine, in tests) is read again.
    monkeypatch.setattr(threads, "_others_running", lambda: 1)
    engine.set_num_threads(8)
    try:
        monkeypatch.setattr(threads.os, "cpu_count", lambda: 8)
        assert threads.usable_threads() == 7
        monkeypatch.setattr(threads, "_load_reading", (-1.0, None))
        monkeypatch.setattr(threads.os, "cpu_count", lambda: 3)
        assert threads.usable_threads() == 2
        calls = []
        monkeypatch.setattr(threads, "_cpu_count", (None, 1))
        monkeypatch.setattr(threads.os, "cpu_count", lambda: calls.append(1) or 4)
        for _ in range(5):
            monkeypatch.setattr(threads, "_load_reading", (-1.0, None))
            assert threads.usable_threads() == 3
        assert len(calls) == 1
    finally:
        engine.set_num_threads(None)
