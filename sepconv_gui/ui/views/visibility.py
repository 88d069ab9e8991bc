"""Drawing only what can be seen, no more often than the eye needs."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

REFRESH_MS = 100
"""Live video redraws a throttled view at most this often; the newest result wins."""

BUSY_FACTOR = 3
"""After a draw that took t ms the next waits at least BUSY_FACTOR * t ms."""

SMOOTHING = 0.3
"""Weight of the newest draw cycle in the running estimate of a cycle's CPU time."""


def on_screen(widget: QWidget) -> bool:
    """True when some of ``widget`` is actually painted.

    ``isVisible()`` is not enough: a dock behind another dock's tab stays "visible" to Qt
    while none of it is drawn, and a stage grid or difference view there computed every
    frame for nothing. Its visible region is empty, though.
    """
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class ThrottledDraw(QObject):
    """Runs ``draw`` for a widget's newest input, only while the widget is on screen.

    Live results are drawn at most every REFRESH_MS, and longer apart after a slow draw, so
    a heavy view never takes over the GUI thread; what arrives meanwhile waits (``pending``)
    and is drawn when the interval ends or the widget comes into view.
    """

    def __init__(
        self,
        widget: QWidget,
        draw: Callable[[], None],
        *,
        interval_ms: int = REFRESH_MS,
        busy_factor: float = BUSY_FACTOR,
        seen: Callable[[], bool] | None = None,
        cpu_budget: float | None = None,
        longest_ms: int = 250,
        cpu_clock: Callable[[], float] = time.thread_time,
    ) -> None:
        """``interval_ms`` and ``busy_factor`` set the spacing of live draws; ``seen``
        replaces the on-screen test for a widget that draws whether or not it is shown
        (the main window keeps its views current for export even when minimised).

        ``cpu_budget`` (a fraction of one core) spaces live draws so that this thread's CPU
        time from one draw to the next — the draw, the painting Qt does afterwards, and
        whatever else the thread did meanwhile — stays within it, but never more than
        ``longest_ms`` apart. Drawing a result costs the same CPU however fast results
        come, and every millisecond the GUI thread spends is taken from the convolutions
        on a small machine: the display rate follows what the thread can afford.
        """
        super().__init__(widget)
        # Weak: the widget owns this object, and a Python reference cycle between them let
        # the garbage collector free a widget's image data while Qt could still paint it.
        self._widget = weakref.ref(widget)
        self._draw = weakref.WeakMethod(draw)
        self._pending = False  # an input arrived that is not drawn yet
        self._interval_ms = interval_ms
        self._busy_factor = busy_factor
        self._always_seen = seen
        self._cpu_budget = cpu_budget
        self._longest_ms = longest_ms
        self._cpu_clock = cpu_clock
        self._cycle_start: float | None = None  # the thread's CPU clock at the last draw
        self._cycle_cpu: float | None = None  # smoothed CPU seconds per draw cycle
        self.wait_ms = interval_ms  # the spacing chosen after the newest live draw
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self.catch_up)

    @property
    def pending(self) -> bool:
        """An input arrived that is not drawn yet."""
        return self._pending

    def mark_drawn(self) -> None:
        """The owner drew its newest input itself (a direct call, not through here)."""
        self._pending = False

    def still_waiting(self) -> None:
        """The draw could not take its input yet: keep it pending for ``catch_up``."""
        self._pending = True

    def flush(self) -> None:
        """Draw a waiting input now, interval or not (screenshots, export)."""
        self._timer.stop()
        if self._pending:
            self.now()

    def stop(self) -> None:
        """Forget the scheduled draw (the owner is closing)."""
        self._timer.stop()

    def new_input(self, *, wait: bool = True) -> None:
        """A new result: draw now if seen and not drawn lately, else later. ``wait=False``
        draws at once even inside the interval (a single still result, not live load)."""
        self._pending = True
        if not wait:
            self._timer.stop()
        if self._seen() and not self._timer.isActive():
            self.now()

    def options_changed(self) -> None:
        """The user changed what to show: redraw at once if seen. A user's pick is not live
        load, so it neither waits for nor restarts the interval."""
        self._pending = True
        if self._seen():
            self.now(throttle=False)

    def _seen(self) -> bool:
        widget = self._widget()
        if widget is None:
            return False
        return self._always_seen() if self._always_seen is not None else on_screen(widget)

    def now(self, *, throttle: bool = True) -> None:
        self._pending = False
        draw = self._draw()
        if draw is None:
            return
        started = time.perf_counter()
        draw()
        if throttle:
            spent_ms = 1e3 * (time.perf_counter() - started)
            wait = max(self._interval_ms, round(self._busy_factor * spent_ms))
            if self._cpu_budget:
                wait = max(wait, min(self._longest_ms, self._budget_wait_ms()))
            self.wait_ms = wait
            self._timer.start(wait)

    def _budget_wait_ms(self) -> int:
        """The spacing that keeps a draw cycle's CPU time within the budget (0 at first)."""
        now = self._cpu_clock()
        start, self._cycle_start = self._cycle_start, now
        if start is None:
            return 0
        used = now - start
        known = self._cycle_cpu
        self._cycle_cpu = used if known is None else known + SMOOTHING * (used - known)
        return round(1e3 * self._cycle_cpu / self._cpu_budget)

    def catch_up(self) -> None:
        """Draw a waiting input if the widget can be seen (timer end, dock raised, shown)."""
        if self.pending and self._seen():
            self.now()
