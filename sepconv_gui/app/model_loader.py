"""Opening and re-analysing models off the GUI thread.

Reading a model is quick, but analysing it is not: every k x k filter's singular values take
about 1.8 s for a VGG-sized model of 11 M weights (5 layers of 512 x 512 x 3 x 3) on the
reference machine. A plain Python thread does the work and hands the result back through a
queued signal; the newest request wins (an older one that finishes later is dropped), and a
daemon thread never holds up closing the app: its result is simply not delivered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from ..io.models import ModelLoadError
from .model_session import ModelSession

# What a job may raise that the user can act on; anything else is a bug, reported as such.
EXPECTED = (ModelLoadError, FileNotFoundError, ValueError, MemoryError)


class ModelLoader(QObject):
    """Runs ``job() -> ModelSession`` jobs one at a time, newest first."""

    loaded = Signal(object, int)  # ModelSession, request number
    failed = Signal(str, int)  # message, request number

    def __init__(self, parent=None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.request = 0
        self._lock = threading.Lock()
        self.busy = False

    def run(self, job: Callable[[], ModelSession], failure: str) -> int:
        """Start ``job``; returns its request number (also sent with its result).

        ``failure`` starts the message if it fails ("Could not open net.onnx").
        """
        with self._lock:
            self.request += 1
            number = self.request
        self.busy = True
        if self.synchronous:
            self._work(job, failure, number)
        else:
            threading.Thread(
                target=self._work, args=(job, failure, number), name="model-loader", daemon=True
            ).start()
        return number

    def _work(self, job, failure: str, number: int) -> None:
        try:
            session = job()
        except EXPECTED as error:
            if isinstance(error, MemoryError):
                error = "not enough memory to analyse it"
            self._deliver(self.failed, f"{failure}: {error}", number)
        except Exception as error:  # noqa: BLE001 - reported, never lost
            self._deliver(self.failed, f"{failure}: {type(error).__name__}: {error}", number)
        else:
            self._deliver(self.loaded, session, number)

    def _deliver(self, signal, value, number: int) -> None:
        with self._lock:
            if number != self.request:
                return  # a newer request is on its way
            self.busy = False
        try:
            signal.emit(value, number)
        except RuntimeError:
            pass  # the window closed while this ran: nobody is waiting for it
