"""The two worker threads of the live pipeline and the hand-off between them.

Capture and processing run in separate threads so a slow design never makes the camera drop
its buffer, and a slow camera never stalls the display. Between them sits a one-frame
:class:`Inbox`: the newest frame replaces any frame not yet processed (latest frame wins).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QThread, Signal

from ..io.sources import Frame, FrameSource, SourceError
from .pipeline import run_design
from .state import Design

#: Timed runs per mode for a still image; the median is shown (live frames run once each).
STILL_REPEATS = 3


@dataclass
class Job:
    frame: Frame
    captured_at: float
    design: Design
    generation: int
    repeats: int = 1


class Inbox:
    """Newest frame and newest design, handed from the GUI and capture threads to processing.

    Processing wakes when either changes, so a still image is re-run when the design changes
    and a live source is processed as fast as processing allows, never with a backlog.
    """

    def __init__(self, design: Design) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._captured_at = 0.0
        self._frame_serial = 0
        self._repeats = 1
        self._design = design
        self._generation = 0
        self._done = (0, -1)
        self._closed = False

    def put_frame(self, frame: Frame, *, still: bool = False) -> None:
        with self._cond:
            self._frame, self._captured_at = frame, time.perf_counter()
            self._repeats = STILL_REPEATS if still else 1
            self._frame_serial += 1
            self._cond.notify_all()

    def set_design(self, design: Design, generation: int) -> None:
        with self._cond:
            self._design, self._generation = design, generation
            self._cond.notify_all()

    def wait_until_taken(self, timeout: float) -> bool:
        """Block until processing has taken the newest frame (or ``timeout`` passes)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._closed or self._done[0] == self._frame_serial, timeout
            )

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self, timeout: float = 0.1) -> Job | None:
        """The next job, or None after ``timeout`` seconds or once closed."""
        with self._cond:

            def ready() -> bool:
                fresh = (self._frame_serial, self._generation) != self._done
                return self._closed or (self._frame is not None and fresh)

            if not self._cond.wait_for(ready, timeout) or self._closed:
                return None
            self._done = (self._frame_serial, self._generation)
            self._cond.notify_all()  # wakes a capture thread waiting in wait_until_taken
            return Job(
                self._frame, self._captured_at, self._design, self._generation, self._repeats
            )


class ProcessingThread(QThread):
    """Runs every frame through the enabled modes; the GUI thread never convolves.

    A design the engine refuses is reported once through ``failed`` and processing goes on
    with the last design that worked, so the picture never freezes on a typo.
    """

    result_ready = Signal(object)  # FrameResult
    failed = Signal(str, int)  # message, generation of the refused design

    def __init__(self, inbox: Inbox, parent=None) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self._last_good: Design | None = None
        self._refused_generation = -1

    def run(self) -> None:
        # One tiny run first, so library start-up (BLAS, OpenCV's thread pool, FFT plans)
        # does not land in the first frame's timings.
        run_design(np.zeros((16, 16, 3), np.float32), Design())
        while not self.isInterruptionRequested():
            job = self.inbox.take()
            if job is None:
                continue
            design = job.design
            if job.generation == self._refused_generation and self._last_good is not None:
                design = self._last_good
            try:
                result = run_design(
                    job.frame.image,
                    design,
                    frame_index=job.frame.index,
                    generation=job.generation,
                    captured_at=job.captured_at,
                    repeats=job.repeats,
                )
            except ValueError as error:
                if job.generation != self._refused_generation:
                    self._refused_generation = job.generation
                    self.failed.emit(str(error), job.generation)
                if self._last_good is None or design is self._last_good:
                    continue
                result = run_design(
                    job.frame.image,
                    self._last_good,
                    frame_index=job.frame.index,
                    generation=job.generation,
                    captured_at=job.captured_at,
                )
            else:
                self._last_good = design
            self.result_ready.emit(result)


class CaptureThread(QThread):
    """Opens, reads and closes one frame source, all inside this thread.

    Non-live sources (video files, the test pattern) are paced to their nominal frame rate;
    live ones (cameras) deliver at their own pace. ``failed`` carries a message for the user;
    ``ended`` reports a source that ran out of frames.
    """

    failed = Signal(str)
    ended = Signal()
    opened = Signal(str)  # source name
    frame_captured = Signal(int)

    def __init__(self, source: FrameSource, inbox: Inbox, parent=None) -> None:
        super().__init__(parent)
        self.source = source
        self.inbox = inbox
        self._wake = threading.Event()
        self._paused = False
        self._steps = 0
        self._lock = threading.Lock()

    # Called from the GUI thread.
    def set_paused(self, paused: bool) -> None:
        with self._lock:
            self._paused = paused
        self._wake.set()

    def step(self) -> None:
        with self._lock:
            self._paused, self._steps = True, self._steps + 1
        self._wake.set()

    def stop(self) -> None:
        self.requestInterruption()
        self._wake.set()

    def _may_read(self) -> bool:
        with self._lock:
            if not self._paused:
                return True
            if self._steps:
                self._steps -= 1
                return True
            return False

    def run(self) -> None:
        try:
            self.source.open()
        except SourceError as error:
            self.failed.emit(str(error))
            return
        try:
            self.opened.emit(self.source.name)
            self._loop()
        except SourceError as error:
            self.failed.emit(str(error))
        finally:
            self.source.close()

    def _loop(self) -> None:
        period = 1.0 / self.source.fps if not self.source.is_live and self.source.fps else 0.0
        due = time.perf_counter()
        while not self.isInterruptionRequested():
            if not self._may_read():
                self._wake.wait(0.1)
                self._wake.clear()
                due = time.perf_counter()
                continue
            frame = self.source.read()
            if frame is None:
                self.ended.emit()
                return
            self.inbox.put_frame(frame)
            self.frame_captured.emit(frame.index)
            if not self.source.is_live:
                # Files and patterns can wait for processing: making frames nobody will see
                # would only steal CPU from the convolutions. Cameras cannot wait.
                while not self.inbox.wait_until_taken(0.1):
                    if self.isInterruptionRequested():
                        return
            if period:
                due += period
                delay = due - time.perf_counter()
                if delay > 0:
                    self._wake.wait(delay)
                    self._wake.clear()
                else:
                    due = time.perf_counter()  # fell behind: do not try to catch up in a burst
