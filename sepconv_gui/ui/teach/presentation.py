"""Presentation mode (F5): the input and one output large, and the lesson of the moment in type
big enough for the back of a room, driven from the keyboard alone.

The mode is an overlay over the whole main window rather than a second window: a scripted
screenshot (``--presentation``) and a recording of the window show it as the room sees it, and
leaving it gives back the window exactly as it was (docks, toolbars, full screen or not).
Keys are taken before the window's shortcuts, so Space pauses here and Right shows the next
output instead of stepping a frame; a presenter's clicker (Page Up/Down) changes the preset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...app.state import Design, DesignError
from ...engine import MODES, preset_kernel
from ..views.display import shared_look
from ..views.image_panel import BACKGROUND, ImagePanel
from ..views.result_views import MODE_TITLES
from ..views.visibility import ThrottledDraw
from .lesson_line import lesson_line
from .opening import OPENING_SIGMA, OPENING_SIZE

if TYPE_CHECKING:
    from ..shell.main_window import MainWindow

#: What "next preset" steps through: (label, preset, size, parameters). Large and small,
#: separable and not, so the room sees when separable pays and when it does not.
PLAYLIST = (
    ("15×15 Gaussian blur", "gaussian", OPENING_SIZE, {"sigma": OPENING_SIGMA}),
    ("3×3 Sobel x", "sobel_x", 3, {}),
    ("9×9 box blur", "box", 9, {}),
    ("9×9 difference of Gaussians (rank 2)", "difference_of_gaussians", 9, {}),
    ("7×7 Laplacian of Gaussian", "laplacian_of_gaussian", 7, {"sigma": 1.0}),
    ("5×5 Gaussian blur", "gaussian", 5, {"sigma": 1.0}),
)
KEYS = "→/← or M: output   PgDn/PgUp or N/B: preset   ↑/↓: P   Space: pause   Esc/F5: leave"
LINE_SHARE = 24  # the lesson line's pixel size is the window height over this (30 px at 720)
MIN_LINE_PX = 18
DRAW_MS = 33


def playlist_design(index: int, current: Design) -> Design:
    """Entry ``index`` of the playlist as a design; the channel side of ``current`` stays."""
    _label, preset, size, params = PLAYLIST[index % len(PLAYLIST)]
    kernel = preset_kernel(preset, (size, size), **params)
    return current.with_changes(
        kernel=tuple(tuple(float(v) for v in row) for row in kernel),
        preset=preset,
        preset_params=dict(params),
        spatial_rank=0,
        algorithm="auto",
    )


class PresentationView(QWidget):
    """What the room sees: two large images, the lesson line, and a footer of keys."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("presentationView")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet(
            f"#presentationView {{ background: {BACKGROUND}; }} QLabel {{ color: #f0f0f0; }}"
        )
        self.setFocusPolicy(Qt.StrongFocus)
        self.stage = QWidget()  # what a recording of the presentation takes
        self.stage.setObjectName("presentationStage")
        self.stage.setAttribute(Qt.WA_StyledBackground, True)
        self.stage.setStyleSheet(
            f"#presentationStage {{ background: {BACKGROUND}; }} QLabel {{ color: #f0f0f0; }}"
        )
        self.input_panel = ImagePanel("Input")
        self.output_panel = ImagePanel("Output")
        images = QHBoxLayout()
        images.setSpacing(12)
        images.addWidget(self.input_panel, 1)
        images.addWidget(self.output_panel, 1)
        self.lesson = QLabel(wordWrap=True)
        self.lesson.setObjectName("lessonLine")
        self.lesson.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.design_line = QLabel()
        self.design_line.setObjectName("designLine")
        column = QVBoxLayout(self.stage)
        column.setContentsMargins(16, 12, 16, 8)
        column.addLayout(images, 1)
        column.addWidget(self.design_line)
        column.addWidget(self.lesson)
        self.keys = QLabel(KEYS)
        self.keys.setObjectName("keysLine")
        self.recording = QLabel()  # the recorder's indicator while it runs
        self.recording.setObjectName("presentationRecording")
        footer = QHBoxLayout()
        footer.setContentsMargins(16, 0, 16, 6)
        footer.addWidget(self.keys, 1)
        footer.addWidget(self.recording)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.stage, 1)
        outer.addLayout(footer)
        self.hide_pickers()
        self.scale_fonts()

    def hide_pickers(self) -> None:
        """Keyboard only: the views' mouse pickers would only clutter the projection."""
        for panel in (self.input_panel, self.output_panel):
            panel.mapping_box.hide()
            panel.channel_box.hide()

    def scale_fonts(self) -> None:
        """Type in proportion to the window: readable from the back on any projector."""
        line = max(MIN_LINE_PX, self.height() // LINE_SHARE)
        self.lesson.setStyleSheet(f"font-size: {line}px; font-weight: 600; color: #ffffff")
        self.design_line.setStyleSheet(f"font-size: {round(line * 0.75)}px; color: #d8d8d8")
        small = max(12, round(line * 0.5))
        self.keys.setStyleSheet(f"font-size: {small}px; color: #b0b0b0")
        self.recording.setStyleSheet(f"font-size: {small}px; color: #ff5050; font-weight: 600")
        for panel in (self.input_panel, self.output_panel):
            panel.title.setStyleSheet(f"font-size: {round(line * 0.8)}px; font-weight: 600")
            panel.detail.setStyleSheet(f"font-size: {round(line * 0.6)}px")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.scale_fonts()


class KeyFilter(QObject):
    """Takes the presentation's keys before any window shortcut sees them."""

    def __init__(self, mode: PresentationMode) -> None:
        super().__init__(mode)
        self.mode = mode

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind not in (QEvent.ShortcutOverride, QEvent.KeyPress) or not self.mode.active:
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self.mode.window:
            return False  # a dialog of its own keeps its keys
        if event.modifiers() & ~Qt.KeypadModifier or event.key() not in self.mode.keys:
            return False
        if kind == QEvent.ShortcutOverride:
            event.accept()  # delivered as a key press instead of triggering a shortcut
            return True
        self.mode.keys[event.key()]()
        return True


class PresentationMode(QObject):
    """Enters and leaves presentation mode on ``window`` and keeps the overlay current."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = PresentationView(window)
        self.view.hide()
        self.active = False
        self.mode = "depthwise"  # the output shown: where C -> P makes the textbook lesson
        self.preset_index = 0
        self._saved: dict = {}
        self._draw = ThrottledDraw(self.view, self._show, interval_ms=DRAW_MS, busy_factor=2)
        c = window.controller
        self.keys = {
            Qt.Key_Right: lambda: self.next_mode(1),
            Qt.Key_M: lambda: self.next_mode(1),
            Qt.Key_Left: lambda: self.next_mode(-1),
            Qt.Key_PageDown: lambda: self.next_preset(1),
            Qt.Key_N: lambda: self.next_preset(1),
            Qt.Key_PageUp: lambda: self.next_preset(-1),
            Qt.Key_B: lambda: self.next_preset(-1),
            Qt.Key_Up: lambda: self.change_outputs(1),
            Qt.Key_Down: lambda: self.change_outputs(-1),
            Qt.Key_Space: c.toggle_pause,
            Qt.Key_Escape: self.leave,
            Qt.Key_F5: self.leave,
        }
        # Application-wide: the key goes to whichever widget of the window has focus.
        self._filter = KeyFilter(self)
        QApplication.instance().installEventFilter(self._filter)
        c.result_ready.connect(self._new_result)
        c.paused_changed.connect(lambda _paused: self._show())
        window.installEventFilter(self)  # keeps the overlay the window's size

    # --- entering and leaving ---------------------------------------------------------------
    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self) -> None:
        if self.active:
            return
        w = self.window
        hidden = [d for d in w.findChildren(QDockWidget) if d.isVisible()]
        hidden += [t for t in w.findChildren(QToolBar) if t.isVisible()]
        hidden += [x for x in (w.menuBar(), w.statusBar(), w.centralWidget()) if x.isVisible()]
        self._saved = {"hidden": hidden, "state": w.windowState()}
        for widget in hidden:
            widget.hide()
        self.active = True
        self.view.setGeometry(w.rect())
        self.view.show()
        self.view.raise_()
        self.view.setFocus()
        if not w.isFullScreen():
            w.showFullScreen()
        self._sync_action()
        self._show()

    def leave(self) -> None:
        if not self.active:
            return
        w = self.window
        self.active = False
        self.view.hide()
        state = self._saved.get("state", Qt.WindowNoState)
        if w.windowState() != state:  # maximized, normal or full screen, as it was
            w.setWindowState(state)
        for widget in self._saved.get("hidden", []):
            widget.show()
        self._saved = {}
        self._sync_action()

    def _sync_action(self) -> None:
        action = self.window.actions_by_name.get("presentation")
        if action is not None:
            action.setChecked(self.active)
        full = self.window.actions_by_name.get("full_screen")
        if full is not None:
            full.blockSignals(True)
            full.setChecked(self.window.isFullScreen())
            full.blockSignals(False)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Resize and self.active:
            self.view.setGeometry(self.window.rect())
        return False

    # --- keyboard control -------------------------------------------------------------------
    def next_mode(self, step: int) -> None:
        modes = [m for m in MODES if m in self.window.controller.design.modes] or list(MODES)
        index = modes.index(self.mode) if self.mode in modes else -step
        self.mode = modes[(index + step) % len(modes)]
        self._show()

    def next_preset(self, step: int) -> None:
        self.preset_index = (self.preset_index + step) % len(PLAYLIST)
        label = PLAYLIST[self.preset_index][0]
        design = playlist_design(self.preset_index, self.window.controller.design)
        self.window.apply_design(design, f"Presentation: {label}")
        self._show()

    def change_outputs(self, step: int) -> None:
        design = self.window.controller.design
        wanted = design.out_channels + step
        try:
            changed = design.with_changes(out_channels=wanted)
        except DesignError as error:
            self.view.design_line.setText(f"P stays {design.out_channels}: {error}")
            return
        self.window.apply_design(changed, f"Presentation: P = {wanted}")
        self._show()

    # --- drawing ----------------------------------------------------------------------------
    def _new_result(self, _result) -> None:
        if self.active:
            self._draw.new_input(wait=self.window.controller.is_streaming)

    def _show(self) -> None:
        if not self.active:
            return
        self._draw.mark_drawn()
        controller = self.window.controller
        design, result = controller.design, controller.last_result
        self.view.design_line.setText(self.design_text(design))
        if result is None or result.generation != controller.generation:
            self.view.lesson.setText("Computing…")
            return
        if self.mode not in result.results:
            self.mode = next(m for m in MODES if m in result.results)
        image = result.image
        self.view.input_panel.show_array(
            image[:, :, 0] if image.shape[2] == 1 else image, fixed_mapping="clip"
        )
        look = shared_look([conv.output for conv in result.results.values()])
        conv = result.results[self.mode]
        self.view.output_panel.title.setText(MODE_TITLES[self.mode])
        self.view.output_panel.show_array(conv.output, look=look)
        self.view.output_panel.detail.setText(
            f"{conv.algorithm} · {1e3 * conv.total_seconds:.1f} ms · P = {conv.output.shape[2]}"
        )
        height, width, channels = image.shape
        self.view.input_panel.detail.setText(
            f"{controller.source_name} · {width}×{height}, C = {channels}"
        )
        self.view.hide_pickers()
        self.view.lesson.setText(lesson_line(result, design, self.mode))

    def design_text(self, design: Design) -> str:
        kh, kw = design.kernel_array().shape
        name = design.preset.replace("_", " ").capitalize()
        paused = " · PAUSED" if self.window.controller.paused else ""
        return (
            f"{kh}×{kw} {name} · P = {design.out_channels} outputs · "
            f"M = {design.multiplier}{paused}"
        )

    def flush(self) -> None:
        """Draw a waiting result now (screenshots)."""
        self._draw.flush()


def add_presentation(window: MainWindow) -> dict[str, QAction]:
    """F5 and View ▸ Presentation mode; returns the action by name."""
    mode = PresentationMode(window)
    window.presentation = mode
    action = QAction("&Presentation mode", window)
    action.setCheckable(True)
    action.setShortcut(QKeySequence("F5"))
    action.setStatusTip(
        "The input and one output large, with the lesson of the moment in big type (Esc leaves)"
    )
    action.triggered.connect(lambda _checked=False: mode.toggle())
    window.addAction(action)  # F5 works while the menu bar is hidden
    view_menu = next(
        (m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View"), None
    )
    if view_menu is not None:
        view_menu.addSeparator()
        view_menu.addAction(action)
    return {"presentation": action}
