"""How many threads besides the caller want a core right now, not counting the engine's own.

The engine runs a call on as many threads as there are idle cores (threads.usable_threads).
Linux gives the live count of runnable threads in the fourth field of /proc/loadavg, but that
count includes the engine's own pool threads: a finiteness check running beside a call
(validation.FiniteCheck) and the helpers of the previous call, which stay runnable for a few
microseconds after their last range. Counted as load, they made every quiet call look like
one core was taken, and the call ran on one thread (1280x720x3, 7x7 spatial: 3.3 ms where
two threads take 1.8). So the pool threads' own states (/proc/self/task/<id>/stat) are read before
and after the count and those runnable both times are taken off it. A helper finishing its
last range changes state within microseconds, so a reading where one did is taken again (up
to ATTEMPTS times); if none is clean, a thread that changed is counted as load: the error is
then towards fewer threads, as before.

A count is one instant. Something outside the process can hold a core for a few
milliseconds (seen after a torch call freed its buffers: one runnable thread outside this
process for 3-5 ms), and a call that saw it ran on one thread at 1.8x the time. A process
that keeps a core busy shows in the machine's CPU time too (/proc/stat), so the count is
capped by the cores others used over the last WINDOW_S: a few milliseconds of someone
else's work barely moves that, a busy process keeps it near 1. Until a first window has
passed the count alone decides.

The files are opened once and re-read with pread (about 1 and 3 us, against 10 and 13 us for
an open and read each time); a forked child opens its own.
"""

from __future__ import annotations

import os
import threading
import time

_fds: dict[str, int] = {}
_fds_pid: int | None = None
_workers: set[int] = set()
# One reader at a time: two threads closing the same dead thread's descriptor could close a
# number the process had meanwhile given to another file, and the window is shared state.
_reading_lock = threading.RLock()


def register_worker() -> None:
    """Note the calling thread as one of the engine's pool threads."""
    _workers.add(threading.get_native_id())


def _read(path: str) -> bytes | None:
    global _fds_pid
    if _fds_pid != os.getpid():
        # A forked child: the parent's descriptors and pool threads are not this process's.
        for fd in _fds.values():
            try:
                os.close(fd)
            except OSError:
                pass
        _fds.clear()
        _workers.clear()
        _fds_pid = os.getpid()
    fd = _fds.get(path)
    try:
        if fd is None:
            fd = _fds[path] = os.open(path, os.O_RDONLY)
        return os.pread(fd, 512, 0)
    except OSError:
        if fd is not None:
            _fds.pop(path, None)
            os.close(fd)
        return None


def _runnable(tids) -> set[int]:
    """The threads of this process among ``tids`` whose state is R (running or runnable);
    a thread that has exited is forgotten."""
    found = set()
    for tid in list(tids):
        text = _read(f"/proc/self/task/{tid}/stat")
        if text is None:
            _workers.discard(tid)
            continue
        # The name in parentheses may hold spaces; the state follows the last ')'.
        end = text.rfind(b")")
        if text[end + 2 : end + 3] == b"R":
            found.add(tid)
    return found


def own_runnable() -> int:
    """The engine's pool threads runnable now."""
    with _reading_lock:
        return len(_runnable(_workers))


#: Readings taken at most per answer, and clean ones wanted (see others_running).
ATTEMPTS, CLEAN_READINGS = 4, 2


def _reading() -> tuple[int, bool] | None:
    """One count of the others, and whether no pool thread changed state while it was read."""
    before = _runnable(_workers) if _workers else set()
    text = _read("/proc/loadavg")
    if text is None:
        return None
    try:
        total = int(text.split()[3].split(b"/")[0])
    except (ValueError, IndexError):
        return None
    after = _runnable(_workers) if _workers else set()
    return max(0, total - 1 - len(before & after)), before == after


#: Seconds of CPU time a window of :func:`cores_used_by_others` spans (at least).
WINDOW_S = 0.1

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_window: tuple[float, int, int, float] | None = None  # (when, busy ticks, all ticks, own s)
_others_cores: float | None = None


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, all) clock ticks of every CPU since boot, from the first line of /proc/stat.
    A hypervisor's steal counts as busy: that share is not ours to use either."""
    text = _read("/proc/stat")
    if text is None:
        return None
    try:
        fields = [int(value) for value in text.split(b"\n", 1)[0].split()[1:9]]
    except ValueError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


#: A window older than this says nothing about now (the engine sat idle): start again.
STALE_S = 1.0


def cores_used_by_others() -> float | None:
    """Cores that other processes kept busy over about the last WINDOW_S (the machine's CPU
    time less this process's own); None until a window has passed, or off Linux."""
    with _reading_lock:
        return _cores_used_by_others()


def _cores_used_by_others() -> float | None:
    global _window, _others_cores
    ticks = _cpu_ticks()
    if ticks is None:
        return None
    times = os.times()
    now, own = time.monotonic(), times.user + times.system
    if _window is None or now - _window[0] > STALE_S:
        _window, _others_cores = (now, ticks[0], ticks[1], own), None
        return None
    when, busy_then, all_then, own_then = _window
    if now - when >= WINDOW_S and ticks[1] > all_then:
        cpus = max(1, os.cpu_count() or 1)
        span = (ticks[1] - all_then) / cpus  # ticks per CPU in the window
        others = (ticks[0] - busy_then) - (own - own_then) * _TICKS
        _others_cores = max(0.0, others / span)
        _window = (now, ticks[0], ticks[1], own)
    return _others_cores


def others_running() -> int | None:
    """Runnable threads on the machine besides the caller and the engine's own pool threads,
    at most the cores others kept busy lately (rounded); None where /proc/loadavg cannot be
    read (not Linux).

    The smallest of two clean readings: a process that holds a core is runnable in both, while
    a kernel thread or a shell command that wakes for microseconds rarely is, and one such
    reading would put the next 10 ms of calls (threads.LOAD_TTL_S) on one thread.
    """
    with _reading_lock:
        counts = []
        for _ in range(ATTEMPTS):
            found = _reading()
            if found is None:
                return None
            count, clean = found
            if clean:
                counts.append(count)
                if len(counts) == CLEAN_READINGS:
                    break
        found = min(counts) if counts else count
        lately = cores_used_by_others()  # the lock is re-entrant
    return found if lately is None else min(found, round(lately))
