"""The thread a benchmark sweep runs in, so the window stays responsive while it measures.

The worker is a :class:`~.threads.ThreadWorker`: its signals are emitted from its own thread
and reach widgets through queued connections. Cancelling sets a flag the sweep checks before
every timed run; the thread is never terminated, so a cancelled sweep ends cleanly and keeps
the points it finished.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Signal, Slot

from .sweep import SweepPoint, SweepResult, SweepSpec, eta_seconds, run_sweep
from .sweep_report import describe_machine
from .threads import ThreadWorker

log = logging.getLogger(__name__)


class SweepWorker(ThreadWorker):
    """Runs one :class:`~.sweep.SweepSpec` in a thread of its own.

    Signals
    -------
    started(int, dict)
        Number of points, and the machine description the results will carry.
    progress(int, int, float)
        Points done, points in total, and the estimated seconds left (-1 when there is
        nothing to estimate from yet).
    point(SweepPoint)
        A point has been measured.
    finished(SweepResult)
        The sweep ended; ``status`` says "complete" or "cancelled". Not emitted after
        ``failed``.
    failed(str)
        The sweep stopped on an error; the points emitted so far remain valid.

    After :meth:`wait` has returned, :attr:`result` holds what was measured (None if the
    sweep never started).

    Examples
    --------
    ::

        worker = SweepWorker(SweepSpec(values=(3, 5), repeats=1))
        worker.point.connect(show_point)
        worker.finished.connect(show_result)
        worker.start()
        ...
        worker.cancel()
        worker.wait()
    """

    started = Signal(int, object)
    progress = Signal(int, int, float)
    point = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, spec: SweepSpec) -> None:
        super().__init__("benchmark sweep")
        self.spec = spec
        self.result: SweepResult | None = None
        self._durations: list[float] = []
        self._last = 0.0

    @Slot()
    def run(self) -> None:
        total = len(self.spec.values)
        self.result = SweepResult(self.spec, {})
        try:
            self.result.machine = describe_machine()
            self.started.emit(total, self.result.machine)
            self.progress.emit(0, total, -1.0)
            self._last = time.perf_counter()
            self.result = run_sweep(
                self.spec,
                should_stop=self._cancel.is_set,
                on_point=self._point_done,
                machine=self.result.machine,
            )
        except Exception as error:
            # Anything the engine or the allocator raises must reach the user; a worker that
            # dies silently leaves a progress bar that never ends.
            log.exception("benchmark sweep failed")
            self.result.status = "failed"
            self.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.finished.emit(self.result)
        finally:
            self._thread.quit()

    def _point_done(self, point: SweepPoint) -> None:
        now = time.perf_counter()
        # Wall time between points, not just the timed runs: the ETA should include warm-ups
        # and input generation too.
        self._durations.append(now - self._last)
        self._last = now
        self.result.points.append(point)  # kept if a later point fails
        done, total = len(self._durations), len(self.spec.values)
        eta = eta_seconds(self.spec, self._durations)
        self.point.emit(point)
        self.progress.emit(done, total, -1.0 if eta is None else eta)


__all__ = ["SweepResult", "SweepSpec", "SweepWorker"]
