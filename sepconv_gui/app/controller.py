"""The controller: owns the design and the current source, and runs the live pipeline.

Widgets talk to the controller; the controller turns their requests into jobs for the worker
threads and hands results back through queued signals, on the GUI thread. It drops stale
results: each design change bumps ``generation``, and a result made for an older design is
never shown.

Processing cannot die for good: every failure is reported once (``error``) and the last
design that worked goes on running; a design that cannot fit the current image is refused
before it reaches the thread (``processing.preflight``); a processing thread that ends all
the same is replaced. Joins are bounded: :meth:`shutdown` returns after ``wait_ms`` whether
or not an engine call is still running, and :attr:`stopped` says when it has.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..io.images import ImageLoadError, downscale_note, fit_for_live, load_image
from ..io.sources import Frame, FrameSource
from .pipeline import FrameResult
from .processing import Processor, preflight
from .state import Design
from .threads import keep_until_finished
from .workers import (
    STILL_REPEATS,
    CaptureThread,
    Inbox,
    ProcessingThread,
    frames_in_flight,
    prime_libraries,
)


MAX_RESTARTS = 5  # processing threads replaced per controller before giving up


class Controller(QObject):
    """Design, source and pipeline of one window.

    With ``synchronous=True`` still images are processed in the caller's thread at once: a
    switch for tests and scripts that want a result without waiting for a signal.
    """

    result_ready = Signal(object)  # FrameResult for the current design
    design_changed = Signal(object)  # Design
    error = Signal(str)  # something the user should read; the app carries on
    recovered = Signal()  # the current design runs again after a reported failure
    source_changed = Signal(str)  # name of the new input
    source_failed = Signal(str)  # the live source stopped; offer to reconnect
    source_ended = Signal()
    source_notice = Signal(str)  # the source goes on, but says something (a partial video)
    input_note = Signal(str)  # said once per loaded image: downscaled, transparency filled
    paused_changed = Signal(bool)

    def __init__(
        self,
        design: Design | None = None,
        *,
        synchronous: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._design = design or Design()
        self._generation = 0
        self._synchronous = synchronous
        self._ran = self._design  # the newest design that produced a result
        self._failed_generation = -1  # generation of the last failure reported
        self._shutting_down = False
        self._leftover: list[QThread] = []  # stopped threads not finished yet: keep them alive
        self._sync = Processor()
        self._still_key = 0
        self._input_shape: tuple[int, ...] | None = None
        self._inbox = Inbox(self._design)
        self.restarts = 0
        # The first takes stills and live frames, the others live frames only (workers.py).
        self._workers = [self._start_processing(stills=i == 0) for i in range(frames_in_flight())]
        self._capture: CaptureThread | None = None
        self._last_source: FrameSource | None = None
        self._still: np.ndarray | None = None
        self._still_original: np.ndarray | None = None
        self._full_resolution = False
        self.source_name = ""
        self.last_result: FrameResult | None = None
        self.last_error = ""
        self._paused = False
        self._result_times: deque[float] = deque(maxlen=60)

    # --- design ---------------------------------------------------------------------------
    @property
    def design(self) -> Design:
        return self._design

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def design_that_ran(self) -> Design:
        """The newest design that produced a result: the one worth saving on quit."""
        return self._ran

    def set_design(self, design: Design) -> bool:
        """Make ``design`` current; False if it was refused before running (the reason goes
        to ``error``, and the last design that ran goes on running meanwhile)."""
        if design == self._design:
            return True
        self._design = design
        self._generation += 1
        problem = preflight(design, self._input_shape)
        if problem:
            self._report_failure(problem, self._generation)
        self._inbox.set_design(self._ran if problem else design, self._generation)
        self.design_changed.emit(design)
        if self._synchronous and self._still is not None:
            self._run_now(self._still)
        return not problem

    def want_stages(self, wanted: bool) -> None:
        """Keep the intermediate stages of live frames while a view shows them (stills keep
        them always); without them spatial and depthwise skip a pass or a copy per frame."""
        self._inbox.want_stages(wanted)

    # --- inputs ---------------------------------------------------------------------------
    def open_image(self, path: str | Path) -> bool:
        """Load an image file as the input; on failure keep the current one and say why."""
        notes: list[str] = []
        try:
            image = load_image(path, notes=notes)
        except ImageLoadError as error:
            self._report(str(error))
            return False
        self.show_image(image, Path(path).name, notes)
        return True

    @property
    def full_resolution(self) -> bool:
        return self._full_resolution

    def set_full_resolution(self, on: bool) -> None:
        """Process still images at full size (on) or at the live working size (off)."""
        self._full_resolution = on
        if self._still_original is not None and self._capture is None:
            self.show_image(self._still_original, self.source_name)

    def show_image(self, image: np.ndarray, name: str, notes: list[str] | None = None) -> None:
        """Make ``image`` the input. Unless full resolution is on, an image larger than the
        live working size (io.images.LIVE_MAX_PIXELS) is processed downscaled; that and
        ``notes`` (from loading it) go out once through ``input_note``."""
        self.stop_source()
        self._still_original = image
        self._still = image if self._full_resolution else fit_for_live(image)
        self._still_key += 1
        self._set_input_shape(self._still.shape)
        self.source_name = name
        self.source_changed.emit(name)
        said = list(notes or []) + [downscale_note(image.shape, self._still.shape)]
        if any(said):
            self.input_note.emit(f"{name}: {'; '.join(n for n in said if n)}.")
        if self._synchronous:
            self._run_now(self._still)
        else:
            self._inbox.put_frame(Frame(self._still, 0, time.time()), still=True)

    def remeasure(self) -> bool:
        """Run the current still image again, for fresh timings; False if there is none.

        The first still is timed while the window is still being built and painted, on the
        same cores; a second run once the window is idle gives the numbers worth reading.
        """
        if self._still is None or self._capture is not None:
            return False
        self._still_key += 1  # every mode runs again: reused results would keep old timings
        if self._synchronous:
            self._run_now(self._still)
        else:
            self._inbox.put_frame(Frame(self._still, 0, time.time()), still=True)
        return True

    def start_source(self, source: FrameSource) -> None:
        """Stream from a live or video source; the previous source is stopped first."""
        self.stop_source()
        self._still = self._still_original = None
        self._last_source = source
        self.source_name = source.name
        capture = CaptureThread(source, self._inbox)
        capture.failed.connect(self._on_source_failed)
        capture.ended.connect(self.source_ended)
        capture.notice.connect(self.source_notice)
        self._capture = capture
        self._set_paused(False)
        capture.start()
        keep_until_finished(capture)
        self.source_changed.emit(source.name)

    def restart_source(self) -> bool:
        """Reconnect the last live source after a failure."""
        if self._last_source is None:
            return False
        self.start_source(self._last_source)
        return True

    def stop_source(self, wait_ms: int = 2000) -> None:
        """Stop the capture thread; one that does not end within ``wait_ms`` (a camera stuck
        in a read) is kept until it does, so Qt never destroys a running thread."""
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.stop()
            if not capture.wait(wait_ms):
                self._leftover.append(capture)

    @property
    def is_streaming(self) -> bool:
        return self._capture is not None and self._capture.isRunning()

    # --- pause / step -----------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return self._paused

    def _set_paused(self, paused: bool) -> None:
        if paused != self._paused:
            self._paused = paused
            self.paused_changed.emit(paused)

    def toggle_pause(self) -> None:
        if self._capture is not None:
            self._capture.set_paused(not self._paused)
            self._set_paused(not self._paused)

    def step(self) -> None:
        if self._capture is not None:
            self._capture.step()
            self._set_paused(True)

    # --- results ----------------------------------------------------------------------------
    @property
    def fps(self) -> float:
        """Results shown per second over the last ~60 results."""
        times = self._result_times
        if len(times) < 2 or times[-1] == times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def _run_now(self, image: np.ndarray) -> None:
        """Synchronous mode: the same first pass, report and refinement as the thread."""
        generation = self._generation
        design = self._inbox.design  # a refused design never runs; the last good one does
        try:
            result, message = self._sync.first_pass(
                image,
                design,
                generation=generation,
                frame_key=self._still_key,
                repeats=STILL_REPEATS,
            )
            if message:
                self._on_processing_failed(message, generation)
            if result is None:
                return
            self._on_result(result)
            refined = self._sync.refine(result, STILL_REPEATS)
            if refined is not None:
                self._on_result(refined)
        except Exception as error:  # a bug outside the engine calls: report it, carry on
            self._on_processing_failed(
                f"Processing failed ({type(error).__name__}: {error})", generation
            )

    def _set_input_shape(self, shape: tuple[int, ...]) -> None:
        self._input_shape = tuple(shape) if len(shape) == 3 else (*shape, 1)

    def _on_result(self, result: FrameResult) -> None:
        if result.generation != self._generation:
            return  # made for a design the user has already changed
        if result.design is not None:
            self._ran = result.design
            if result.design == self._design and self._failed_generation >= 0:
                self._failed_generation = -1
                self.recovered.emit()
        if self._capture is not None:  # live: pre-flight later designs against this size
            h, w, c = result.image.shape
            grayscale = result.design is not None and result.design.grayscale
            self._set_input_shape((h, w, 3 if grayscale else c))
        self._result_times.append(time.perf_counter())
        self.last_result = result
        self.result_ready.emit(result)

    def _on_processing_failed(self, message: str, generation: int) -> None:
        if generation == self._generation:
            self._report_failure(message, generation)

    def _report_failure(self, message: str, generation: int) -> None:
        if generation != self._failed_generation:  # once per design
            self._failed_generation = generation
            self._report(message)

    def _on_source_failed(self, message: str) -> None:
        self.stop_source()  # the thread is already on its way out; join it
        self._set_paused(False)
        self.last_error = message
        self.source_failed.emit(message)

    def _report(self, message: str) -> None:
        self.last_error = message
        self.error.emit(message)

    # --- the processing threads -------------------------------------------------------------
    @property
    def _processing(self) -> ProcessingThread:
        """The processing thread that serves stills (the first one)."""
        return self._workers[0]

    @property
    def processing_threads(self) -> int:
        """How many frames may be processed side by side."""
        return len(self._workers)

    def _start_processing(self, stills: bool = True) -> ProcessingThread:
        prime_libraries()
        thread = ProcessingThread(self._inbox, stills=stills)
        thread.result_ready.connect(self._on_result)
        thread.failed.connect(self._on_processing_failed)
        thread.died.connect(self._on_processing_died)
        thread.finished.connect(self._on_processing_finished)
        thread.start()
        keep_until_finished(thread)
        return thread

    def _on_processing_died(self, reason: str) -> None:
        self._report(f"Processing stopped ({reason}) and was restarted.")

    @Slot()
    def _on_processing_finished(self) -> None:
        ended = self.sender()
        if self._shutting_down or ended not in self._workers:
            return
        ended.wait(1000)  # it has left run(); this only reaps it
        if self.restarts >= MAX_RESTARTS:  # something breaks it at once: do not spin
            self._report("Processing keeps stopping; save your design and restart the app.")
            return
        self.restarts += 1
        index = self._workers.index(ended)
        self._workers[index] = self._start_processing(stills=ended.stills)

    # --- shutdown ---------------------------------------------------------------------------
    def shutdown(self, wait_ms: int = 5000) -> bool:
        """Ask every thread to stop and join them for at most ``wait_ms`` in all; True once
        all have ended. Safe to call again (e.g. polling :attr:`stopped` after False)."""
        self._shutting_down = True
        deadline = time.monotonic() + max(0, wait_ms) / 1e3
        self.stop_source(wait_ms=0)
        self._inbox.close()
        for worker in self._workers:
            worker.requestInterruption()
        for thread in [*self._workers, *self._leftover]:
            left = max(0, round(1e3 * (deadline - time.monotonic())))
            thread.wait(left)
        return self.stopped

    @property
    def stopped(self) -> bool:
        """True when no thread of this controller is running any more."""
        self._leftover = [t for t in self._leftover if t.isRunning()]
        return not self._leftover and not any(w.isRunning() for w in self._workers)
