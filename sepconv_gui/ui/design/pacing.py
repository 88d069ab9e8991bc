"""Design changes from a drag reach the pipeline no faster than it can answer them.

A slider drag makes a new design every few milliseconds. Handed straight to the controller,
each one made the result being computed stale (results of an older design are dropped), so on a
1-megapixel still nothing at all was drawn until the mouse was released. During a drag the
newest design therefore waits while one is in flight, and is sent when that design's result
arrives; the app's one rate limiter (:class:`ThrottledDraw`) spaces the sends and sends the last
one. Outside a drag every edit is sent at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ...app.state import Design
from ..views.visibility import ThrottledDraw


class DesignPacer(QObject):
    def __init__(self, widget: QWidget, send: Callable[[Design], None], parent=None) -> None:
        super().__init__(parent or widget)
        self._send_design = send
        self._newest: Design | None = None
        self.in_flight = False  # a design was sent during the drag and has no result yet
        self.dragging = False
        self.throttle = ThrottledDraw(widget, self._send)

    @property
    def waiting(self) -> Design | None:
        """The newest design not yet sent (during a drag), else None."""
        return self._newest

    def submit(self, design: Design) -> None:
        if not self.dragging:
            self._newest = None
            self.in_flight = False
            self._send_design(design)
            return
        self._newest = design
        self.throttle.new_input()

    def _send(self) -> None:
        if self._newest is None:
            return
        if self.in_flight:
            self.throttle.still_waiting()  # wait for the answer to the one sent before
            return
        design, self._newest = self._newest, None
        self.in_flight = True
        self._send_design(design)

    def answered(self, *_args) -> None:
        """A result (or a failure) arrived: the next waiting design may go."""
        self.in_flight = False
        if self._newest is not None:
            self.throttle.catch_up()

    def start_drag(self, *_args) -> None:
        self.dragging = True

    def end_drag(self) -> None:
        """The last design of a drag is sent at once, whatever is in flight."""
        self.dragging = False
        self.in_flight = False
        if self._newest is not None:
            design, self._newest = self._newest, None
            self._send_design(design)
