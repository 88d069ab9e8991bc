"""A strip above the views that says what failed and what to change, until dismissed.

The status bar forgets a message after a few seconds; a design that cannot run must stay
explained while the views go on showing the last design that worked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton


class ErrorBanner(QFrame):
    """Hidden until :meth:`show_message`; the × button or :meth:`dismiss` hides it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet(
            "#errorBanner { background: #fbe9e7; border: 1px solid #d9534f; border-radius: 3px; }"
            "#errorBanner QLabel { color: #7a1f1b; }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.close_button, 0, Qt.AlignTop)
        self.hide()

    @property
    def message(self) -> str:
        return self.label.text() if not self.isHidden() else ""

    def show_message(self, message: str) -> None:
        self.label.setText(message)
        self.label.setToolTip(message)
        self.show()

    def dismiss(self) -> None:
        self.hide()
