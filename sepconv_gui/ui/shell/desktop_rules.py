"""Desktop manners of the main window: keys go where the user is typing, the mouse wheel only
changes the control that has focus, and a benchmark has the machine to itself.

* Space pauses the live source, except while focus is in a text field or spin box: there the
  key belongs to the field (a spin box ignores it instead of blanking its text).
* Wheel events over an unfocused combo box, spin box or slider scroll what is around it
  (the design dock's guard, applied to the whole window).
* While the benchmark sweep runs, the live source is paused, and resumed afterwards if the
  sweep paused it: frames computed next to it made its results swing 0.5-280x.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)

from ..design.wheel_guard import guard_wheel

if TYPE_CHECKING:
    from .main_window import MainWindow

TEXT_FIELDS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


def typing_in(widget) -> bool:
    """True when ``widget`` takes typed text (an editable combo box counts)."""
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, TEXT_FIELDS)


class SpaceForFields(QObject):
    """Application-wide filter: Space reaches a focused text field instead of the shortcut."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.ShortcutOverride, QEvent.KeyPress):
            return False
        if event.key() != Qt.Key_Space or event.modifiers() not in (Qt.NoModifier,):
            return False
        focus = QApplication.focusWidget()
        if focus is None or not typing_in(focus):
            return False
        if kind == QEvent.ShortcutOverride:
            event.accept()  # the field, not the Pause shortcut, gets this key
            return True
        if isinstance(focus, QAbstractSpinBox) and watched is focus:
            return True  # a space is no digit: swallow it rather than blank the field
        return False


class BenchmarkPause(QObject):
    """Pauses the live source for the length of a benchmark sweep."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.paused_by_benchmark = False
        window.benchmark_panel.running_changed.connect(self._running_changed)

    def _running_changed(self, running: bool) -> None:
        controller = self.window.controller
        if running:
            if controller.is_streaming and not controller.paused:
                controller.toggle_pause()
                self.paused_by_benchmark = True
                self.window.statusBar().showMessage(
                    "Live input paused while the benchmark runs", 5000
                )
        elif self.paused_by_benchmark:
            self.paused_by_benchmark = False
            if controller.paused:
                controller.toggle_pause()


def install_desktop_rules(window: MainWindow) -> None:
    """Install the rules above on ``window`` (they live and die with it)."""
    guard_wheel(window)
    space = SpaceForFields(window)
    QApplication.instance().installEventFilter(space)
    window.space_filter = space
    window.benchmark_pause = BenchmarkPause(window)
