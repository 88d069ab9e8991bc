"""Helpers shared by the widget tests: widgets and windows on screen, and input sent to them."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication


def shown(qtbot, widget, width: int, height: int):
    """``widget`` shown at ``width x height``, closed by ``qtbot`` after the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    return widget


def open_window(qtbot, *, exposed: bool = False, active: bool = False, **options):
    """A synchronous MainWindow on screen (``options`` go to it); ``exposed`` waits until it
    is drawn, ``active`` then gives it the keyboard focus."""
    from sepconv_gui.ui.shell.main_window import MainWindow

    window = MainWindow(synchronous=True, **options)
    qtbot.addWidget(window)
    window.show()
    if exposed:
        qtbot.waitExposed(window)
    if active:
        window.activateWindow()
    return window


def wheel(widget):
    """One notch of the mouse wheel, turned down, over ``widget``'s top left corner."""
    event = QWheelEvent(
        QPointF(5, 5),
        QPointF(widget.mapToGlobal(QPoint(5, 5))),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.NoButton,
        Qt.NoModifier,
        Qt.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
