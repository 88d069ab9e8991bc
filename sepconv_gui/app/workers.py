"""The two worker threads of the live pipeline and the hand-off between them.

Capture and processing run in separate threads so a slow design never makes the camera drop
its buffer, and a slow camera never stalls the display. Between them sits a one-frame
:class:`Inbox`: the newest frame replaces any frame not yet processed (latest frame wins).

Up to FRAMES_IN_FLIGHT processing threads take frames from the one inbox, each frame's engine
calls on its own thread while another frame is in flight; :class:`~.frame_order.FrameOrder`
releases their results in the order the frames were taken. Stills go to the first thread
only: it keeps the mode results a design change may reuse.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QThread, Signal

from ..engine.threads import available_cores, cap_calling_thread
from ..io.sources import Frame, FrameSource, SourceError
from .frame_order import FrameOrder
from .pipeline import run_design
from .processing import Processor
from .state import Design

log = logging.getLogger(__name__)

#: Timed runs per mode for a still image; the median is shown (live frames run once each).
STILL_REPEATS = 3
#: A still's timing repeats start this long after its first pass was shown.
REFINE_AFTER_S = 0.3
#: Environment variable that sets FRAMES_IN_FLIGHT (1 runs one frame at a time).
ENV_IN_FLIGHT = "SEPCONV_FRAMES_IN_FLIGHT"


def frames_in_flight() -> int:
    """Processing threads to run: SEPCONV_FRAMES_IN_FLIGHT, else 2 (1 on a single core).

    Measured (2 cores, 5x5 Gaussian, C=3, P=8, all modes, no window): two frames side by side
    on one engine thread each gave 116 frames/s at 640x480 and 34 at 1280x720, one frame at
    a time split over two threads 98 and 27."""
    text = os.environ.get(ENV_IN_FLIGHT, "").strip()
    if text.isdigit() and int(text) >= 1:
        return int(text)
    return 2 if available_cores() > 1 else 1


@dataclass
class Job:
    frame: Frame
    captured_at: float
    design: Design
    generation: int
    repeats: int = 1
    serial: int = 0  # which frame: a still keeps its serial across design changes
    keep_stages: bool = True  # first passes while something shows stages (refinements always)
    ticket: int = 0  # place in FrameOrder: results go out in this order


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
        self._stages_wanted = False
        self.order = FrameOrder()

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

    def want_stages(self, wanted: bool) -> None:
        """Keep intermediate stages of live frames (a view shows them) or not. Turned on, the
        newest frame runs again, so a paused or slow source shows its stages too."""
        with self._cond:
            if wanted == self._stages_wanted:
                return
            self._stages_wanted = wanted
            if wanted and self._frame is not None and self._repeats == 1:
                self._frame_serial += 1
                self._cond.notify_all()

    @property
    def stages_wanted(self) -> bool:
        return self._stages_wanted

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

    def take(self, timeout: float = 0.1, *, stills: bool = True) -> Job | None:
        """The next job, or None after ``timeout`` seconds or once closed. ``stills`` False:
        only live frames (a still waits for a thread that takes stills)."""
        with self._cond:

            def ready() -> bool:
                fresh = (self._frame_serial, self._generation) != self._done
                wanted = stills or self._repeats == 1
                return self._closed or (self._frame is not None and fresh and wanted)

            if not self._cond.wait_for(ready, timeout) or self._closed:
                return None
            self._done = (self._frame_serial, self._generation)
            self._cond.notify_all()  # wakes a capture thread waiting in wait_until_taken
            return Job(
                self._frame,
                self._captured_at,
                self._design,
                self._generation,
                self._repeats,
                self._frame_serial,
                # A still's first pass too: its refinement keeps them (Processor.refine), so a
                # design change on a large still does not wait for intermediate arrays.
                keep_stages=self._stages_wanted,
                ticket=self.order.issue(),
            )

    @property
    def design(self) -> Design:
        """The design processing runs for the newest generation."""
        return self._design

    @property
    def generation(self) -> int:
        """The generation of the newest design (read without the lock: an int is atomic)."""
        return self._generation

    def wait_for_news(self, timeout: float) -> bool:
        """Block until something arrives that processing has not taken (True), or timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._closed or (self._frame_serial, self._generation) != self._done,
                timeout,
            )

    def has_news(self) -> bool:
        """True when a frame or design has arrived that processing has not taken yet."""
        with self._cond:
            return self._closed or (self._frame_serial, self._generation) != self._done


_primed = False


def prime_libraries() -> None:
    """Make the process's first engine call here, on the calling (GUI) thread; once.

    Library start-up (OpenBLAS, OpenCV, the engine's BLAS handles) then happens before the
    first frame instead of inside its timings. (What once looked like "a first call from a
    worker breaks later BLAS limits" was threadpoolctl letting only one thread set OpenBLAS
    limits; engine.threads now sets them directly, from any thread.)
    """
    global _primed
    if not _primed:
        _primed = True
        run_design(np.zeros((8, 8, 1), np.float32), Design(out_channels=1))


class ProcessingThread(QThread):
    """Runs every frame through the enabled modes; the GUI thread never convolves.

    Nothing a job does stops this thread: a design that fails is reported once per
    generation through ``failed`` and processing goes on with the last design that worked,
    so the picture never freezes on a typo. Should the loop itself break, ``died`` says why
    and the thread ends; the controller then starts a new one.

    A still is shown after one pass; the timing medians follow in a second result (same
    generation, ``final`` True) unless a newer frame or design arrives first. ``stills``
    False makes a thread that takes live frames only (see the module's docstring).
    """

    result_ready = Signal(object)  # FrameResult
    failed = Signal(str, int)  # message, generation of the design that failed
    died = Signal(str)

    def __init__(self, inbox: Inbox, parent=None, *, stills: bool = True) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self.stills = stills
        self.processor = Processor()

    def run(self) -> None:
        try:
            self._warm_up()
            while not self.isInterruptionRequested():
                job = self.inbox.take(stills=self.stills)
                if job is not None:
                    self._serve(job)
        except BaseException as error:  # the controller restarts a dead thread; say why
            log.exception("processing thread stopped")
            self.died.emit(f"{type(error).__name__}: {error}")

    def _warm_up(self) -> None:
        # One tiny run first, so library start-up (BLAS, OpenCV's thread pool, FFT plans)
        # does not land in the first frame's timings.
        try:
            run_design(np.zeros((16, 16, 3), np.float32), Design())
        except Exception:
            log.exception("warm-up run failed")

    def _serve(self, job: Job) -> None:
        order = self.inbox.order
        try:
            # Beside another frame in flight, this frame's engine calls stay on this thread.
            cap_calling_thread(1 if order.others_in_flight(job.ticket) else None)
            self._run_job(job, order)
        finally:
            order.settle(job.ticket)  # no-op once settled: a failed or abandoned job

    def _run_job(self, job: Job, order: FrameOrder) -> None:
        def superseded() -> bool:
            return self.isInterruptionRequested() or self.inbox.generation != job.generation

        def news() -> bool:
            return self.isInterruptionRequested() or self.inbox.has_news()

        try:
            result, message = self.processor.first_pass(
                job.frame.image,
                job.design,
                generation=job.generation,
                frame_index=job.frame.index,
                frame_key=job.serial if job.repeats > 1 else None,
                captured_at=job.captured_at,
                repeats=job.repeats,
                keep_stages=job.keep_stages,
                should_stop=superseded,
            )
            if message:
                self.failed.emit(message, job.generation)
            if result is None:
                return
            order.settle(job.ticket, [(self.result_ready.emit, result)])
            # Let the GUI draw the first pass before timing runs take the cores; a newer
            # frame or design meanwhile makes the refinement pointless.
            if not result.final and self.inbox.wait_for_news(REFINE_AFTER_S):
                return
            # The timed repeats run on as many threads as a frame alone would get, unless a
            # live frame is in flight beside them now.
            cap_calling_thread(1 if order.others_in_flight(job.ticket) else None)
            refined = self.processor.refine(result, job.repeats, should_stop=news)
            if refined is not None:
                order.send_late(job.ticket, self.result_ready.emit, refined)
        except Exception as error:  # a bug outside the engine calls: report, serve the next
            log.exception("processing a frame failed")
            self.failed.emit(f"Processing failed ({type(error).__name__}: {error})", job.generation)


class CaptureThread(QThread):
    """Opens, reads and closes one frame source, all inside this thread.

    Non-live sources (video files, the test pattern) are paced to their nominal frame rate;
    live ones (cameras) deliver at their own pace. ``failed`` carries a message for the user;
    ``ended`` reports a source that ran out of frames.
    """

    failed = Signal(str)
    ended = Signal()
    notice = Signal(str)  # the source goes on, but the user should know something

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
            notice = self.source.take_notice()
            if notice:
                self.notice.emit(notice)
            if frame is None:
                self.ended.emit()
                return
            self.inbox.put_frame(frame)
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
