"""How many threads besides the caller want a core right now, not counting the engine's own.

The engine runs a call on as many threads as there are idle cores (threads.usable_threads).
Linux gives the live count of runnable threads in the fourth field of /proc/loadavg, but that
count includes the engine's own pool threads: the finiteness check it runs beside every call
(validation.FiniteCheck) and the helpers of the previous call, which stay runnable for a few
microseconds after their last range. Counted as load, they made every quiet call look like one
core was taken, and the call ran on one thread (1280x720x3, 7x7 spatial: 3.3 ms where two
threads take 1.8). So the pool threads' own states (/proc/self/task/<id>/stat) are read before
and after the count and those runnable both times are taken off it. A helper finishing its
last range changes state within microseconds, so a reading where one did is taken again (up
to ATTEMPTS times); if none is clean, a thread that changed is counted as load: the error is
then towards fewer threads, as before.

The files are opened once and re-read with pread (about 1 and 3 us, against 10 and 13 us for
an open and read each time); a forked child opens its own.
"""

from __future__ import annotations

import os
import threading

_fds: dict[str, int] = {}
_fds_pid: int | None = None
_workers: set[int] = set()


def register_worker() -> None:
    """Note the calling thread as one of the engine's pool threads."""
    _workers.add(threading.get_native_id())


def _read(path: str) -> bytes | None:
    global _fds_pid
    if _fds_pid != os.getpid():
        _fds.clear()  # the parent's descriptors describe the parent's threads
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


def others_running() -> int | None:
    """Runnable threads on the machine besides the caller and the engine's own pool threads;
    None where /proc/loadavg cannot be read (not Linux).

    The smallest of two clean readings: a process that holds a core is runnable in both, while
    a kernel thread or a shell command that wakes for microseconds rarely is, and one such
    reading would put the next 10 ms of calls (threads.LOAD_TTL_S) on one thread.
    """
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
    return min(counts) if counts else count
