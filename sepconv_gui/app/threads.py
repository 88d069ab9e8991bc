"""Threads outlive nobody's patience, and Qt never destroys one that still runs.

The GUI joins threads with bounded waits, so a thread busy in a long engine call may still
run when its owner is done with it. :func:`keep_until_finished` holds such a thread until it
ends, and at interpreter exit (the window is gone, nothing waits on the GUI thread any more)
waits for it: destroying a running QThread aborts the whole process
("QThread: Destroyed while thread is still running").

:class:`ThreadWorker` is how a job gets such a thread: the fit and the benchmark sweep each
run in one of their own, started and cancelled the same way.
"""

from __future__ import annotations

import atexit
import threading

from PySide6.QtCore import QObject, QThread

from .workers import prime_libraries

_lock = threading.Lock()
_kept: list[QThread] = []


def keep_until_finished(thread: QThread) -> None:
    """Hold a reference to ``thread`` until it has finished (checked on later calls)."""
    with _lock:
        _kept[:] = [t for t in _kept if _running(t)]
        if _running(thread) and thread not in _kept:
            _kept.append(thread)


class ThreadWorker(QObject):
    """A QObject that runs its ``run`` slot once, in a QThread of its own.

    The object moves to its thread (a QThread subclass's own ``started`` and ``finished``
    signals would clash with a job's), so signals it emits from ``run`` reach widgets through
    queued connections. Cancelling only sets a flag the job checks between steps: the thread
    is never terminated and always ends by itself, with ``run`` calling
    ``self._thread.quit()`` when it is done.
    """

    def __init__(self, name: str) -> None:
        super().__init__()  # no parent: a QObject with a parent cannot move to another thread
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self.moveToThread(self._thread)
        self._thread.started.connect(self.run)

    def run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        prime_libraries()  # see workers.prime_libraries: the first engine call on this thread
        self._thread.start()
        keep_until_finished(self._thread)

    def cancel(self) -> None:
        """Ask the job to stop at its next check; safe from any thread."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, milliseconds: int = -1) -> bool:
        """Join the thread; True once it has ended (at once if it never started)."""
        if milliseconds < 0:
            return self._thread.wait()
        return self._thread.wait(milliseconds)


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
