"""Helpers shared by the widget tests: a widget on screen at a known size."""


def shown(qtbot, widget, width: int, height: int):
    """``widget`` shown at ``width x height``, closed by ``qtbot`` after the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    return widget
