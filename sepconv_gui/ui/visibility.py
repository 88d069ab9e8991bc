"""Whether a widget can be seen, for widgets that skip work nobody would see."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    """True when some of ``widget`` is actually painted.

    ``isVisible()`` is not enough: a dock behind another dock's tab stays "visible" to Qt
    while none of it is drawn, and a stage grid or difference view there computed every
    frame for nothing. Its visible region is empty, though.
    """
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
