"""The main window: menus, docks, status bar, and the wiring between widgets and controller."""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...app.controller import Controller
from ...app.settings import AppSettings
from ...app.source_specs import SourceSpec, make_source
from ...app.state import Design, DesignError
from ...io.images import IMAGE_SUFFIXES
from ...io.samples import bundled_samples, default_sample
from ...io.sources import VIDEO_SUFFIXES
from .desktop_rules import install_desktop_rules
from .error_banner import ErrorBanner
from .export_dialog import copy_view_to_clipboard, export_result
from .identity import apply_identity
from ..design.history import DesignHistory, describe
from ..design.pacing import DesignPacer
from .main_docks import build_docks
from .design_files import DesignFiles
from .menus import build_menus, fill_camera_menu, fill_recent_menu
from ..teach.opening import add_opening_actions, opening_design
from ..teach.presentation import add_presentation
from ..teach.lessons import add_lessons
from ..teach.recorder import add_recording
from ..views.result_views import ResultViews
from ..views.visibility import ThrottledDraw

REMEASURE_MS = 1000  # after the first show, the opening still is timed again
DISPLAY_HZ = 30  # image redraws per second at most; results beyond that are timed, not drawn
# Fraction of one core the GUI thread may spend per second on live redraws (everything it does
# between two redraws counts, painting included); slower redraws come less often.
DISPLAY_CPU_BUDGET = 0.35
PATTERN_SIZES = ((320, 240), (640, 480), (1280, 720), (1920, 1080))
NOTE_MS = 15000  # how long a note about a loaded image (downscaled, alpha) stays
CLOSE_WAIT_MS = 400  # then the window says it is stopping and closes when the work returns
STOPPING = "Stopping… waiting for the running computation to return; the window closes then."


class MainWindow(DesignFiles, QMainWindow):
    images_shown = Signal(object)  # the result the image views now show

    def __init__(
        self, *, design: Design | None = None, synchronous: bool = False, open_default: bool = True
    ) -> None:
        super().__init__()
        self.setWindowTitle("sepconv-gui")
        self.setObjectName("mainWindow")
        apply_identity(self)
        self.setAcceptDrops(True)
        self.settings = AppSettings()
        start_design = design or self.settings.last_design() or opening_design()
        self.controller = Controller(start_design, synchronous=synchronous, parent=self)
        self.results = ResultViews()
        self.error_banner = ErrorBanner()
        self.setCentralWidget(_stacked(self.error_banner, self.results))
        self._build_docks()
        self._build_status_bar()
        self.history = DesignHistory(self._show_design, self)
        self.pacer = DesignPacer(self, self.controller.set_design)
        self.actions_by_name: dict[str, QAction] = build_menus(self)
        self.actions_by_name.update(add_opening_actions(self))
        self.actions_by_name.update(add_presentation(self))
        self.actions_by_name.update(add_lessons(self))
        self.actions_by_name.update(add_recording(self))
        self._pending_source: str | None = None  # a new input not yet on screen
        self._pending_note: str | None = None  # what to say about it once it is shown
        install_desktop_rules(self)
        self._connect()
        self.kernel_editor.set_design(start_design)
        self.channel_designer.set_design(start_design)
        self.resize(1400, 820)
        geometry, state = self.settings.window_layout()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        else:  # first start: the images get the width, the inspector a narrow column
            QTimer.singleShot(0, self._first_start_layout)
        self._last_table_update = 0.0
        self._unshown = None  # the newest result whose images are not drawn yet
        self._table_pending = None  # the newest result the cost table has not shown
        self.shown_result = None  # the result the views show now
        # The one rate limiter (ThrottledDraw) spaces the redraws; the window keeps its views
        # current for export even when it is not on screen, so it always counts as seen.
        self._display = ThrottledDraw(
            self,
            self._show_images,
            interval_ms=round(1e3 / DISPLAY_HZ),
            busy_factor=0,
            seen=lambda: True,
            cpu_budget=DISPLAY_CPU_BUDGET,
        )
        self._shown_times: deque[float] = deque(maxlen=60)
        self._status_timer = QTimer(self, interval=500, timeout=self._refresh_status)
        self._status_timer.start()
        if open_default:
            self.open_path(default_sample())
        self._remeasured = False

    # --- construction -----------------------------------------------------------------------
    def _build_docks(self) -> None:
        build_docks(self)

    def _watch_views(self, views: list) -> None:
        for view in views:
            self.pixel_inspector.watch(view)

    def _first_start_layout(self) -> None:
        """The images get the room; docks get what their contents need."""
        self.resizeDocks([self.pixel_dock], [270], Qt.Horizontal)
        self.resizeDocks([self.cost_dock], [250], Qt.Vertical)

    def _build_status_bar(self) -> None:
        self.source_label = QLabel()
        self.resolution_label = QLabel()
        self.fps_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #d9534f")
        bar = self.statusBar()
        for label in (self.source_label, self.resolution_label, self.fps_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.error_label, 1)

    def _connect(self) -> None:
        c = self.controller
        c.result_ready.connect(self._show_result)
        c.error.connect(self.show_error)
        c.error.connect(self.error_banner.show_message)
        c.recovered.connect(self.error_banner.dismiss)
        c.source_notice.connect(self.error_banner.show_message)
        c.source_changed.connect(self._source_changed)
        c.source_changed.connect(self._psnr_source_stale)
        c.result_ready.connect(self._psnr_source)
        c.input_note.connect(self._input_note)
        c.source_failed.connect(self._source_failed)
        c.source_ended.connect(lambda: self.statusBar().showMessage("End of video", 4000))
        c.paused_changed.connect(lambda p: self.actions_by_name["pause"].setChecked(p))
        self.kernel_editor.changed.connect(self.edit_design)
        self.kernel_editor.drag_started.connect(self.history.begin_gesture)
        self.kernel_editor.drag_finished.connect(self.history.end_gesture)
        self.kernel_editor.drag_started.connect(self.pacer.start_drag)
        self.kernel_editor.drag_finished.connect(self.pacer.end_drag)
        c.result_ready.connect(self.pacer.answered)
        c.error.connect(self.pacer.answered)
        self.channel_designer.changed.connect(self.edit_design)
        self.channel_designer.labelled_change.connect(self.edit_design)
        self.channel_designer.failed.connect(self.show_error)
        self.kernel_editor.failed.connect(self.show_error)
        self.model_panel.failed.connect(self.show_error)
        self.model_panel.opened.connect(lambda _name: self.model_dock.raise_())
        self.model_panel.design_chosen.connect(self.use_model_design)

    def _psnr_source_stale(self, *_args) -> None:
        self._psnr_shape = None

    def _psnr_source(self, result) -> None:
        """The separability panel measures PSNR on the first result of each input (and again
        when the input's shape changes), not on every frame of a video."""
        shape = result.image.shape
        if shape != getattr(self, "_psnr_shape", None):
            self._psnr_shape = shape
            self.kernel_editor.show_source(result.image)

    # --- design -----------------------------------------------------------------------------
    def edit_design(self, changes: dict, label: str = "") -> None:
        """Apply an edit from the design dock as one undoable step."""
        before = self.pacer.waiting or self.controller.design
        try:
            design = before.with_changes(**changes)
        except DesignError as error:
            self.show_error(str(error))
            self.kernel_editor.set_design(before)  # the editor showed the refused edit
            return
        self.history.push(before, design, label or describe(changes))

    def _show_design(self, design: Design) -> None:
        """Make ``design`` current everywhere (new edits, undo and redo all land here)."""
        self.error_label.clear()
        self.pacer.submit(design)  # during a drag, as fast as results come back
        self.kernel_editor.set_design(design)
        self.channel_designer.set_design(design)

    # --- inputs -----------------------------------------------------------------------------
    def open_path(self, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix.lower() in VIDEO_SUFFIXES:
            return self.start_source(SourceSpec("video", str(path)))
        if self.controller.open_image(path):
            self._remember_file(path)
            return True
        return False

    def open_dialog(self) -> None:
        images = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        videos = " ".join(f"*{s}" for s in VIDEO_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open image or video", "", f"Images ({images});;Videos ({videos});;All files (*)"
        )
        if path:
            self.open_path(path)

    def start_source(self, spec: SourceSpec) -> bool:
        try:
            source = make_source(spec)
        except ValueError as error:
            self.show_error(str(error))
            return False
        self.controller.start_source(source)
        if spec.kind == "video":
            self._remember_file(Path(spec.argument))
        return True

    def _remember_file(self, path: Path) -> None:
        self.settings.add_recent_file(path)
        self.rebuild_recent_menu()

    def rebuild_recent_menu(self) -> None:
        fill_recent_menu(self)

    def rebuild_camera_menu(self) -> None:
        fill_camera_menu(self)

    def sample_actions(self) -> list[tuple[str, Path]]:
        return [(p.stem.replace("_", " ").capitalize(), p) for p in bundled_samples()]

    # --- drag and drop ----------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])

    # --- export -----------------------------------------------------------------------------
    def export_results(self) -> list:
        """File > Export: the frame on screen now, each view under the mapping it shows."""
        self.flush_display()
        return export_result(
            self,
            self.shown_result,
            lambda mode: self.results.panels[mode].mapping,
            self.results.shared_look_for,
        )

    def copy_view(self) -> bool:
        copied = copy_view_to_clipboard(self.results)
        if copied:
            self.statusBar().showMessage("Views copied to the clipboard", 3000)
        return copied

    # --- feedback ---------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setToolTip(message)
        self.statusBar().showMessage(message, 8000)

    def _show_result(self, result) -> None:
        # Every result is timed and plotted; the images are redrawn at most DISPLAY_HZ times
        # a second. Past that a screen shows nothing new, and four full repaints per result
        # at 50 results/s left the event loop 60 ms late at p95.
        self.timing_plots.show_result(result, self.controller.design)
        self._note_source_channels(result)
        self.roofline_panel.show_result(result, self.controller.design)
        self._unshown = result
        self._display.new_input(wait=self.controller.is_streaming)

    def _note_source_channels(self, result) -> None:
        # The source's own C shows only when the design neither grays nor synthesizes it.
        ran = result.design
        if ran is not None and not ran.channels and not ran.grayscale:
            self.channel_designer.set_source_channels(result.image.shape[2])
            self.kernel_editor.set_source_channels(result.image.shape[2])

    def flush_display(self) -> None:
        """Draw a result still waiting for its display slot now (screenshots, export)."""
        self._display.flush()
        self.presentation.flush()

    def _show_images(self) -> None:
        result, self._unshown = self._unshown, None
        if result is None or result.generation != self.controller.generation:
            return  # nothing new, or made for a design the user has since changed
        self.shown_result = result
        self.results.show_result(result)
        if self._pending_source is not None:
            self._source_shown()
        # These draw nothing while hidden and rate-limit themselves while shown.
        self.stage_grid.show_result(result)
        self.difference_view.show_result(result)
        self.pixel_inspector.show_result(result)
        now = time.monotonic()
        # The cost table at a readable rate (about 4 Hz); the status timer shows a skipped one.
        self._table_pending = result
        if (
            now - self._last_table_update >= 0.25
            or not self.controller.is_streaming
            or self.controller.paused
        ):
            self._show_table()
        height, width = result.image.shape[:2]
        self.resolution_label.setText(f"{width}×{height}×{result.image.shape[2]}")
        self._shown_times.append(time.perf_counter())
        self.images_shown.emit(result)

    @property
    def shown_fps(self) -> float:
        """Results drawn in the image views per second, over the last ~60 draws."""
        times = self._shown_times
        if len(times) < 2 or times[-1] == times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def _source_changed(self, name: str) -> None:
        # Named in the title once its first frame is on screen: an image that fails to run
        # (too small for the kernel) must not lend its name to the frame still shown.
        self._pending_source = name
        self._pending_note = None  # a note about an earlier input is not about this one

    def _input_note(self, text: str) -> None:
        # Said once, when the image is on screen (a load that fails to run says nothing).
        self._pending_note = text

    def _source_shown(self) -> None:
        name, self._pending_source = self._pending_source, None
        self.source_label.setText(name)
        self.setWindowTitle(f"{name} — sepconv-gui")
        self.error_label.clear()  # an error about an earlier input is stale now
        self.error_label.setToolTip("")
        note, self._pending_note = self._pending_note, None
        if note:
            self.statusBar().showMessage(note, NOTE_MS)

    def _source_failed(self, message: str) -> None:
        self.show_error(message)
        box = QMessageBox(
            QMessageBox.Warning,
            "Source stopped",
            message,
            QMessageBox.Retry | QMessageBox.Close,
            self,
        )
        box.setInformativeText("Reconnect and try again, or use the test pattern instead?")
        pattern = box.addButton("Use the test pattern", QMessageBox.AcceptRole)
        box.setModal(False)

        def chosen(_code: int) -> None:  # a blank window is never the only way out
            if box.clickedButton() is pattern:
                self.start_source(SourceSpec("pattern", "640x480"))
            elif box.clickedButton() is box.button(QMessageBox.Retry):
                self.controller.restart_source()

        box.finished.connect(chosen)
        self.failure_box = box
        box.show()

    def _show_table(self) -> None:
        result, self._table_pending = self._table_pending, None
        # The formulas are filled from the current design: a result of an older one waits
        # for the next frame rather than pairing old times with new counts.
        if result is not None and result.generation == self.controller.generation:
            self._last_table_update = time.monotonic()
            self.cost_panel.show_result(result, self.controller.design)

    def _refresh_status(self) -> None:
        self._show_table()  # a result skipped by the table's rate limit lands here
        fps = self.controller.fps
        live = self.controller.is_streaming
        # Every result is processed, timed and plotted; the views redraw as often as the GUI
        # thread can afford, which may be fewer: both rates are shown.
        shown = self.shown_fps
        text = f"{fps:.1f} results/s · {shown:.0f} drawn/s" if live and fps else ""
        self.fps_label.setText(text)
        self.fps_label.setToolTip(
            "Results processed and timed per second · results drawn in the image views per "
            "second (the views redraw as often as the GUI thread can afford)"
        )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._remeasured:  # time the opening still again once the window has settled
            self._remeasured = True
            QTimer.singleShot(REMEASURE_MS, self.controller.remeasure)

    # --- shutdown ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        # Never block the GUI thread on an engine call: ask everything to stop, wait a
        # moment, and if a call is still running say so and close once it has returned.
        if getattr(self, "_stopping", None) is None:
            self._status_timer.stop()
            self._display.stop()
            self.settings.save_window_layout(self.saveGeometry(), self.saveState())
            self.settings.set_last_design(self.controller.design_that_ran)
            self.settings.sync()
            self._stopping = QTimer(self, interval=50, timeout=self.close)
        if self._threads_stopped(0 if self._stopping.isActive() else CLOSE_WAIT_MS):
            self._stopping.stop()
            super().closeEvent(event)
            return
        event.ignore()
        if not self._stopping.isActive():
            self.setEnabled(False)
            self.error_banner.show_message(STOPPING)
            self.statusBar().showMessage(STOPPING)
            self._stopping.start()

    def _threads_stopped(self, wait_ms: int) -> bool:
        panel_done = self.benchmark_panel.shutdown(wait_ms=wait_ms // 2)
        fit_done = self.channel_designer.normal_bank.shutdown(wait_ms=wait_ms // 4)
        roofline_done = self.roofline_service.shutdown(wait_ms=wait_ms // 2)
        controller_done = self.controller.shutdown(wait_ms=wait_ms // 2)
        return controller_done and panel_done and fit_done and roofline_done


def _stacked(*widgets: QWidget) -> QWidget:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    for widget in widgets:
        column.addWidget(widget)
    column.setStretch(len(widgets) - 1, 1)
    return box
