"""Results of frames processed side by side, released in the order their jobs were taken.

Two processing threads each run a frame of their own (on a 2-core machine one frame split
over two threads waits at every hand-off, and with one core busy elsewhere the half on the
busy core sets the pace). The later frame may finish first; its result waits here until
every earlier job has settled, so the window never shows an older frame after a newer one.

Plain Python, no Qt: a job's results are handed in with the function that sends them on (a
thread's queued signal), and those are called in ticket order under one lock, so the order
they are posted in is the order they arrive in. Every ticket must be settled exactly once
(:meth:`settle`, with no results for a job that was abandoned or failed), or later results
wait for it; the processing loop settles in a ``finally``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Send = Callable[[object], None]


class FrameOrder:
    """Tickets in take order; results released in ticket order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued = 0  # the next ticket to hand out
        self._released = 0  # the next ticket whose results may go out
        self._settled: dict[int, list[tuple[Send, object]]] = {}
        self._in_flight: set[int] = set()
        self._last_sent = -1  # ticket of the newest result sent on

    def issue(self) -> int:
        """A ticket for a job just taken (call in take order, e.g. under the inbox's lock)."""
        with self._lock:
            ticket = self._issued
            self._issued += 1
            self._in_flight.add(ticket)
            return ticket

    def settle(self, ticket: int, results: list[tuple[Send, object]] = ()) -> None:
        """``ticket``'s job is done: send its ``(send, result)`` pairs once every earlier
        ticket is settled, and any later ones this unblocks. Settling twice is a no-op."""
        with self._lock:
            if ticket not in self._in_flight:
                return
            self._in_flight.discard(ticket)
            self._settled[ticket] = list(results)
            while self._released in self._settled:
                for send, result in self._settled.pop(self._released):
                    send(result)
                    self._last_sent = self._released
                self._released += 1

    def send_late(self, ticket: int, send: Send, result: object) -> bool:
        """Send a further result of a settled ticket (a still's refined timings), unless a
        later ticket's result went out meanwhile (then it would replace a newer frame)."""
        with self._lock:
            if ticket >= self._released or self._last_sent > ticket:
                return False
            send(result)
            self._last_sent = ticket
            return True

    def others_in_flight(self, ticket: int) -> bool:
        """True while a job other than ``ticket``'s is taken and not settled."""
        with self._lock:
            return bool(self._in_flight - {ticket})

    @property
    def pending(self) -> int:
        """Tickets issued and not yet released (in flight, or settled and waiting)."""
        with self._lock:
            return self._issued - self._released
