"""A one-line label that shortens its text with "…" to the width it gets, never widening its
layout; the whole text is its tooltip and :meth:`full_text`."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        # The image views' detail lines change with every live result (the timings): the
        # tooltip is answered from the text when asked (event) instead of set each time,
        # which sent a ToolTipChange event through the application per label per draw.
        if text == self._full:
            return
        self._full = text
        self._elide()

    def toolTip(self) -> str:  # noqa: N802 - Qt's name
        return self._full

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            if self._full:
                QToolTip.showText(event.globalPos(), self._full, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(10, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.ElideRight, max(self.width(), 10))
        super().setText(shown)
