"""Scrolling the design dock scrolls the dock, not whatever control passes under the mouse.

A combo box, spin box or slider takes wheel events only once it has keyboard focus (clicked
or tabbed to); otherwise the event goes on to the scroll area around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.ChildAdded:
            child = event.child()
            if isinstance(child, QWidget):
                self.watch(child)  # controls built later (preset parameters) are guarded too
        elif kind == QEvent.Wheel and isinstance(watched, GUARDED) and not watched.hasFocus():
            # Consumed here but not accepted, so Qt passes it on to the parents.
            event.ignore()
            return True
        return False

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)  # installing twice keeps one filter
        if isinstance(widget, GUARDED) and widget.focusPolicy() == Qt.WheelFocus:
            widget.setFocusPolicy(Qt.StrongFocus)
        for child in widget.findChildren(QWidget):
            child.installEventFilter(self)
            if isinstance(child, GUARDED) and child.focusPolicy() == Qt.WheelFocus:
                child.setFocusPolicy(Qt.StrongFocus)


def guard_wheel(root: QWidget) -> WheelGuard:
    """Guard every control under ``root``, now and added later; the guard lives with root."""
    guard = WheelGuard(root)
    guard.watch(root)
    return guard
