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

import logging
import threading
from collections.abc import Callable

Send = Callable[[object], None]
log = logging.getLogger(__name__)


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
                ticket_now = self._released
                self._released += 1  # first: a send that raises must not stall every later one
                for send, result in self._settled.pop(ticket_now):
                    self._send(send, result, ticket_now)

    def send_late(self, ticket: int, send: Send, result: object) -> bool:
        """Send a further result of a settled ticket (a still's refined timings), unless a
        later ticket's result went out meanwhile (then it would replace a newer frame)."""
        with self._lock:
            if self._last_sent > ticket:
                return False
            if ticket >= self._released:
                # Settled but waiting behind an earlier frame: it goes out with its first pass.
                waiting = self._settled.get(ticket)
                if waiting is None:
                    return False
                waiting.append((send, result))
                return True
            self._send(send, result, ticket)
            return True

    def _send(self, send: Send, result: object, ticket: int) -> None:
        self._last_sent = ticket
        try:
            send(result)
        except Exception:  # a broken receiver loses this result, not the display
            log.exception("sending a processed frame's result failed")

    def others_in_flight(self, ticket: int) -> bool:
        """True while a job other than ``ticket``'s is taken and not settled."""
        with self._lock:
            return bool(self._in_flight - {ticket})

    @property
    def pending(self) -> int:
        """Tickets issued and not yet released (in flight, or settled and waiting)."""
        with self._lock:
            return self._issued - self._released
