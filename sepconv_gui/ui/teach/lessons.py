"""Lessons ▸ guided steps: each sets up the design (one undoable step) and the docks, and shows
its paragraph from ``resources/lessons.toml`` with Back/Next, on whatever input is open.

Under the paragraph a line reads the newest measurement of the step's mode (the same sentence
as presentation mode), so step 5's "why the measured speed-up is smaller" is about this
machine and this input, not a made-up example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .lesson_line import lesson_line
from .lesson_steps import LessonError, LessonStep, load_lessons

if TYPE_CHECKING:
    from ..shell.main_window import MainWindow

DOCK_WIDTH = 340  # room for a paragraph at 1280 px beside the images


class LessonPanel(QWidget):
    """Title, paragraph, the measured line, and Back/Next."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.counter = QLabel()
        self.title = QLabel(wordWrap=True)
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600")
        self.body = QLabel(wordWrap=True)
        self.body.setTextFormat(Qt.MarkdownText)
        self.body.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.measured = QLabel(wordWrap=True)
        self.measured.setStyleSheet("font-weight: 600")
        self.back = QPushButton("◀ Back")
        self.next = QPushButton("Next ▶")
        text = QWidget()
        column = QVBoxLayout(text)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(self.body)
        column.addWidget(self.measured)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(text)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.counter, 1, Qt.AlignCenter)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)


class LessonGuide(QObject):
    """Walks the window through the lesson steps."""

    def __init__(self, window: MainWindow, steps: list[LessonStep]) -> None:
        super().__init__(window)
        self.window = window
        self.steps = steps
        self.index = -1  # no step shown yet
        self.panel = LessonPanel()
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("lessonDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        pixel = getattr(window, "pixel_dock", None)
        if pixel is not None:  # a tab beside the inspector: at 1280×720 the column is short
            window.tabifyDockWidget(pixel, self.dock)
        self.dock.hide()
        self.panel.back.clicked.connect(lambda: self.go(self.index - 1))
        self.panel.next.clicked.connect(lambda: self.go(self.index + 1))
        window.controller.result_ready.connect(self._new_result)

    @property
    def step(self) -> LessonStep | None:
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else None

    def go(self, index: int) -> None:
        """Show step ``index`` (0-based): its design, its docks, its text."""
        if not 0 <= index < len(self.steps):
            return
        self.index = index
        step = self.steps[index]
        w = self.window
        w.apply_design(step.design_for(w.controller.design), f"Lesson {index + 1}: {step.title}")
        self.dock.show()
        self.dock.raise_()
        QTimer.singleShot(0, self._make_room)  # once the dock is laid out
        docks = {d.objectName(): d for d in w.findChildren(QDockWidget)}
        for name in step.show:
            docks[name].show()
        if step.raise_dock:
            docks[step.raise_dock].raise_()
        stage_grid = getattr(w, "stage_grid", None)
        if stage_grid is not None:  # the stages of the mode the step is about
            stage_grid.set_mode(step.focus)
        p = self.panel
        p.counter.setText(f"Step {index + 1} of {len(self.steps)}")
        p.title.setText(f"{index + 1}. {step.title}")
        p.body.setText(step.text)
        p.back.setEnabled(index > 0)
        p.next.setEnabled(index < len(self.steps) - 1)
        self._show_measured()

    def _make_room(self) -> None:
        self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Horizontal)

    def _new_result(self, _result) -> None:
        if self.step is not None and self.dock.isVisible():
            self._show_measured()

    def _show_measured(self) -> None:
        controller, step = self.window.controller, self.step
        result = controller.last_result
        if result is None or result.generation != controller.generation:
            self.panel.measured.setText("Measuring…")
            return
        self.panel.measured.setText("Now: " + lesson_line(result, controller.design, step.focus))


def add_lessons(window: MainWindow) -> dict[str, QAction]:
    """The guided steps in the Lessons menu; a broken lessons file is reported, not fatal."""
    menu = window.findChild(QMenu, "lessonsMenu")
    try:
        steps = load_lessons()
    except LessonError as error:
        window.show_error(f"Lessons unavailable: {error}")
        window.lessons = None
        return {}
    guide = LessonGuide(window, steps)
    window.lessons = guide
    actions: dict[str, QAction] = {}
    if menu is not None:
        menu.addSeparator()
    for index, step in enumerate(steps):
        action = QAction(f"&{index + 1}. {step.title}", window)
        action.setStatusTip(f"Guided lesson, step {index + 1} of {len(steps)}")
        action.triggered.connect(lambda _=False, i=index: guide.go(i))
        actions[f"lesson_{index + 1}"] = action
        if menu is not None:
            menu.addAction(action)
    return actions
