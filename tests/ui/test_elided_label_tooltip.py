"""An elided label answers its tooltip with the whole text, without setting it each time."""

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from sepconv_gui.ui.views.elided_label import ElidedLabel


def test_the_tooltip_is_the_whole_text_of_a_shortened_label(qtbot):
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.resize(40, 20)
    label.show()
    whole = "direct · 12.3 ms · 184.3 M mult · P = 8"
    label.setText(whole)
    assert label.text() != whole and label.text().endswith("…")
    assert label.toolTip() == label.full_text() == whole
    QApplication.sendEvent(
        label, QHelpEvent(QEvent.ToolTip, QPoint(5, 5), label.mapToGlobal(QPoint(5, 5)))
    )
    assert QToolTip.text() == whole
    QToolTip.hideText()
