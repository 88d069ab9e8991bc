"""The engine's threads: its own small pool, and a single-threaded BLAS inside its calls.

OpenBLAS, left alone, runs a pool of its own for every matrix product; called hundreds of
times a frame (one gemm tile, one pointwise step) its hand-offs stall as soon as another
process or the app's own threads hold a core, and its threads spin between calls. Inside an
engine call the BLAS therefore runs on one thread (set through threadpoolctl's library
handles, found once, and restored when the last concurrent engine call ends: about 8 us per
call), and the engine splits its work itself — gemm tiles, depthwise planes, pointwise row
blocks, normal-direct output channels, FFT batches — over a ThreadPoolExecutor whose
idle workers block on a queue (nothing spins between calls). numpy, scipy.fft and OpenCV
release the GIL, so the workers really run in parallel.

The one knob: :func:`set_num_threads` (or the environment variable ``SEPCONV_THREADS``) caps
the threads of an engine call, the calling thread included. The default is the number of
cores this process may run on (its affinity mask).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from . import machine_load

ENV_THREADS = "SEPCONV_THREADS"

#: Above this the pool stops paying for itself on the sizes the app shows.
MAX_DEFAULT_THREADS = 8

_lock = threading.Lock()
_requested: int | None = None
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_local = threading.local()

# BLAS scoping: the library handles (found once) and a count of engine calls in flight, so
# concurrent calls restore the user's setting only when the last one leaves.
_blas_libraries: list | None = None
_blas_saved: list[int] = []
_blas_depth = 0


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def set_num_threads(count: int | None) -> None:
    """Cap the threads one engine call uses (the calling thread included); None: default.

    The default is ``SEPCONV_THREADS`` when set, else the cores this process may run on
    (at most MAX_DEFAULT_THREADS). 1 runs everything on the calling thread.
    """
    global _requested
    if count is not None and (isinstance(count, bool) or int(count) != count or count < 1):
        raise ValueError(f"thread count must be a whole number >= 1 or None; got {count!r}")
    _requested = None if count is None else int(count)


def num_threads() -> int:
    """The threads an engine call may use now (see :func:`set_num_threads`)."""
    if _requested is not None:
        return _requested
    return default_num_threads()


def cap_calling_thread(count: int | None) -> None:
    """Cap the engine calls the calling thread makes at ``count`` threads (None lifts it),
    under :func:`set_num_threads`. For an app that runs several frames at once, one per
    thread: each call then stays on its own thread instead of splitting over cores the other
    frames are using (two frames on 2 cores, each split in two, wait at every hand-off)."""
    if count is not None and (isinstance(count, bool) or int(count) != count or count < 1):
        raise ValueError(f"thread count must be a whole number >= 1 or None; got {count!r}")
    _local.cap = None if count is None else int(count)


def allowed_threads() -> int:
    """:func:`num_threads` under the calling thread's own cap (:func:`cap_calling_thread`),
    before the machine's load is considered (that is :func:`usable_threads`)."""
    own = getattr(_local, "cap", None)
    return num_threads() if own is None else min(num_threads(), own)


def default_num_threads() -> int:
    """What :func:`num_threads` gives without a cap set in code: SEPCONV_THREADS, or the
    cores this process may run on (at most MAX_DEFAULT_THREADS)."""
    text = os.environ.get(ENV_THREADS, "").strip()
    if text:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value >= 1:
            return value
        warnings.warn(
            f"{ENV_THREADS}={text!r} is not a thread count >= 1; using the default",
            RuntimeWarning,
            stacklevel=2,
        )
    return max(1, min(available_cores(), MAX_DEFAULT_THREADS))


#: How long one reading of the machine's runnable-thread count is trusted (a reading costs
#: about 25 us; an engine call makes a few parallel_for calls).
LOAD_TTL_S = 0.01

_load_reading: tuple[float, int | None] = (-1.0, None)


def _others_running() -> int | None:
    """Threads runnable on the machine right now besides the caller and the engine's own pool
    (see machine_load); None where it cannot be read."""
    return machine_load.others_running()


def usable_threads() -> int:
    """:func:`num_threads`, lowered to the cores other runnable threads leave free (at least 1).

    With one core held by another process, a helper thread shares that core and the call
    waits for whatever it has claimed: measured at 1280x720x3 with one core busy, a 3x3
    spatial call took 3.2x a single OpenCV call on 2 threads and 1.5x on 1, a 7x7 one 1.27x
    and 1.17x. So a call runs only as many threads as there are idle cores, the calling
    thread included. Other threads of this process (the app's capture and GUI) count too.
    """
    global _load_reading
    cap = allowed_threads()
    if cap <= 1:
        return cap
    now = time.monotonic()
    stamp, others = _load_reading
    if now - stamp > LOAD_TTL_S:
        others = _others_running()
        _load_reading = (now, others)
    if others is None:
        return cap
    return max(1, min(cap, _online_cpus() - others))


_cpu_count: tuple[object, int] = (None, 1)


def _online_cpus() -> int:
    """``os.cpu_count()``, read once: it reads a sysfs file, about 10 us, and a call asked
    up to four times (38 us of a depthwise call's 254 us of fixed cost). Read again when
    ``os.cpu_count`` itself is replaced (tests pretend to other machines that way)."""
    global _cpu_count
    function = os.cpu_count
    if _cpu_count[0] is not function:
        _cpu_count = (function, function() or 1)
    return _cpu_count[1]


def _executor(workers: int) -> ThreadPoolExecutor:
    """The shared pool, grown when a call needs more workers than it has."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < workers:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sepconv-engine")
            _pool_size = workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


class PerThread:
    """Scratch one engine call keeps per thread: made by ``make`` on a thread's first range
    and reused for every range it claims after, so no range allocates (a fresh buffer pays
    its page faults again) and no two threads share one. Gone with the call; engine/scratch.py
    keeps buffers from one call to the next."""

    def __init__(self, make: Callable[[], object]) -> None:
        self._make = make
        self._made: dict[int, object] = {}

    def get(self):
        key = threading.get_ident()
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._make()
        return found


def split(count: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ``(start, stop)`` ranges covering ``range(count)`` evenly."""
    parts = max(1, min(parts, count))
    edges = [count * i // parts for i in range(parts + 1)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


class _Shares:
    """Ranges handed out one at a time to whichever thread asks next.

    Threads claim ranges from a shared counter instead of owning a fixed share, so a helper
    that the OS has not started yet (another process holds its core) costs nothing: the
    calling thread takes its ranges too and waits only for ranges a helper has claimed.
    """

    def __init__(self, body: Callable[[int, int], None], ranges: list[tuple[int, int]]):
        self.body, self.ranges = body, ranges
        self._next = itertools.count()  # next() on a count is atomic under the GIL
        self._done = 0
        self._finished = threading.Condition()
        self.errors: list[BaseException] = []

    def work(self, as_worker: bool = False) -> None:
        if as_worker:
            _local.worker = True
            machine_load.register_worker()
        try:
            while (index := next(self._next)) < len(self.ranges):
                try:
                    if not self.errors:
                        self.body(*self.ranges[index])
                except BaseException as error:  # noqa: BLE001 - re-raised by the caller
                    self.errors.append(error)
                finally:
                    with self._finished:
                        self._done += 1
                        if self._done == len(self.ranges):
                            self._finished.notify_all()
        finally:
            if as_worker:
                _local.worker = False

    def wait(self) -> None:
        with self._finished:
            self._finished.wait_for(lambda: self._done == len(self.ranges))


#: Ranges per thread that work cut finely enough is handed out in (see :func:`shares`).
SHARES_PER_THREAD = 4


def shares(count: int) -> int:
    """How many ranges to cut ``count`` units into for :func:`parallel_for`'s ``pieces``:
    SHARES_PER_THREAD per thread. With one range per thread a thread that another process
    slows (one core busy) finishes its fixed half at half speed and the call waits for it;
    with several, the others claim what it has not started."""
    return min(count, num_threads() * SHARES_PER_THREAD)


def parallel_for(
    count: int, body: Callable[[int, int], None], *, grain: int = 1, pieces: int | None = None
) -> None:
    """Run ``body(start, stop)`` over ``range(count)`` split across the engine's threads.

    ``grain`` is the smallest range worth a thread; no more threads run than
    :func:`usable_threads` allows now. The range is cut into ``pieces`` ranges
    (default: one per thread) that the calling thread and the pool's helpers claim one at a
    time, so a helper that cannot get a core delays nothing it has not claimed. Calls from
    inside a worker run inline, so nesting cannot deadlock the pool. The first exception of
    any range propagates to the caller after every claimed range finished.
    """
    parts = min(usable_threads(), count // max(1, grain))
    if parts <= 1 or getattr(_local, "worker", False):
        if count > 0:
            body(0, count)
        return
    ranges = split(count, max(parts, min(pieces or parts, count // max(1, grain))))
    shares = _Shares(body, ranges)
    # One worker more than the helpers: a background task (a finiteness check) may hold one,
    # and the helpers must not queue behind it.
    pool = _executor(parts)
    for _ in range(parts - 1):
        pool.submit(shares.work, True)
    shares.work()
    shares.wait()
    if shares.errors:
        raise shares.errors[0]


def background(task: Callable[[], None]) -> None:
    """Hand ``task`` to one of the pool's threads and return at once; the caller must not
    depend on it ever running (see validation.FiniteCheck, which finishes the work itself)."""
    with _lock:
        pool = _pool
    (pool or _executor(1)).submit(_as_worker, task)


def _as_worker(task: Callable[[], None]) -> None:
    machine_load.register_worker()
    task()


def _blas_handles() -> list:
    global _blas_libraries
    if _blas_libraries is None:
        # scipy.fft loads scipy's own OpenBLAS when it is first imported, cv2 its own;
        # the engine uses scipy.fft, so load it before the handles are found, whatever
        # module of the engine happened to import this one first.
        import cv2  # noqa: F401
        import scipy.fft  # noqa: F401

        try:
            from threadpoolctl import ThreadpoolController

            _blas_libraries = list(ThreadpoolController().select(user_api="blas").lib_controllers)
        except Exception:  # noqa: BLE001 - no threadpoolctl or an odd BLAS: leave it alone
            _blas_libraries = []
    return _blas_libraries


def _set_blas_threads(library, count: int) -> None:
    # threadpoolctl >= 3.6 lets only the first thread that set an OpenBLAS (pthreads) limit
    # set it again; from any other thread its set_num_threads silently does nothing, so engine
    # calls from a worker thread ran a two-thread BLAS whose helper then spun on the other
    # core. OpenBLAS's own limit is process-wide and the depth count above already serialises
    # who sets it: call the library's setter directly where threadpoolctl exposes it.
    setter = getattr(library, "_real_set_num_threads", None) or library.set_num_threads
    setter(count)


class single_threaded_blas:
    """Context: the BLAS runs on one thread until the last concurrent engine call leaves."""

    def __enter__(self):
        global _blas_depth, _blas_saved
        with _lock:
            if _blas_depth == 0:
                libraries = _blas_handles()
                _blas_saved = [library.num_threads for library in libraries]
                for library in libraries:
                    _set_blas_threads(library, 1)
            _blas_depth += 1
        return self

    def __exit__(self, *exc) -> None:
        global _blas_depth
        with _lock:
            _blas_depth -= 1
            if _blas_depth == 0:
                for library, count in zip(_blas_handles(), _blas_saved):
                    _set_blas_threads(library, count)


# Observed with OpenBLAS + threadpoolctl: when the first scoping of the BLAS thread count comes
# from a non-main thread, later changes from any other thread silently stop taking effect. The
# engine is imported on the main thread in practice, so scope once here.
if threading.current_thread() is threading.main_thread():
    with single_threaded_blas():
        pass
