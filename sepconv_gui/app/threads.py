"""Threads outlive nobody's patience, and Qt never destroys one that still runs.

The GUI joins threads with bounded waits, so a thread busy in a long engine call may still
run when its owner is done with it. :func:`keep_until_finished` holds such a thread until it
ends, and at interpreter exit (the window is gone, nothing waits on the GUI thread any more)
waits for it: destroying a running QThread aborts the whole process
("QThread: Destroyed while thread is still running").
"""

from __future__ import annotations

import atexit
import threading

from PySide6.QtCore import QThread

_lock = threading.Lock()
_kept: list[QThread] = []


def keep_until_finished(thread: QThread) -> None:
    """Hold a reference to ``thread`` until it has finished (checked on later calls)."""
    with _lock:
        _kept[:] = [t for t in _kept if _running(t)]
        if _running(thread) and thread not in _kept:
            _kept.append(thread)


def still_running() -> list[QThread]:
    with _lock:
        _kept[:] = [t for t in _kept if _running(t)]
        return list(_kept)


def _running(thread: QThread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # its C++ side is already gone, so it is not running
        return False


@atexit.register
def _join_at_exit() -> None:
    for thread in still_running():
        thread.requestInterruption()
        thread.wait()
