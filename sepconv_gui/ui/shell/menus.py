"""Menus, toolbar and shortcuts of the main window, built in one place."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

from ...app.source_specs import CAMERA_RESOLUTIONS, SourceSpec, describe_cameras
from .about import show_about
from .engine_menu import add_engine_threads_menu

if TYPE_CHECKING:
    from .main_window import MainWindow


def _action(
    window: MainWindow, text: str, slot, shortcut=None, *, checkable=False, tip: str = ""
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_menus(window: MainWindow) -> dict[str, QAction]:
    """Create every menu and toolbar entry; returns the actions by name (for tests)."""
    from .main_window import PATTERN_SIZES

    k = QKeySequence.StandardKey
    controller = window.controller
    actions = {
        "open": _action(
            window, "&Open…", window.open_dialog, k.Open, tip="Open an image or a video file"
        ),
        "open_model": _action(
            window,
            "Open &model…",
            lambda: window.model_panel.open_dialog(),
            tip="Open a trained model (ONNX, .npy/.npz weights, PyTorch state dict)",
        ),
        "open_sample_model": _action(
            window,
            "Open sample mo&del",
            lambda: window.model_panel.open_sample(),
            tip="The bundled PP-OCR text-direction classifier (MobileNetV3-style)",
        ),
        "load_design": _action(window, "&Load design…", window.load_design),
        "save_design": _action(window, "&Save design…", window.save_design, k.Save),
        "export": _action(
            window,
            "&Export results…",
            window.export_results,
            "Ctrl+E",
            tip="Save outputs and stages as PNG, 16-bit PNG/TIFF or .npy",
        ),
        "copy_view": _action(
            window,
            "&Copy views",
            window.copy_view,
            "Ctrl+Shift+C",
            tip="Copy the image views to the clipboard",
        ),
        # Quit has no standard binding on some Linux desktops (and none offscreen).
        "quit": _action(window, "&Quit", window.close, "Ctrl+Q"),
        "pause": _action(
            window,
            "&Pause",
            controller.toggle_pause,
            "Space",
            checkable=True,
            tip="Pause or resume the live source (Space)",
        ),
        "step": _action(window, "&Step one frame", controller.step, "Right"),
        "stop": _action(window, "S&top source", controller.stop_source),
        "full_resolution": _action(
            window,
            "Still images at &full resolution",
            controller.set_full_resolution,
            checkable=True,
            tip="Off: images larger than full HD are processed downscaled, so edits stay "
            "interactive",
        ),
        "zoom_in": _action(window, "Zoom &in", lambda: window.results.zoom(1.25), k.ZoomIn),
        "zoom_out": _action(window, "Zoom &out", lambda: window.results.zoom(0.8), k.ZoomOut),
        "reset_view": _action(window, "&Reset view", window.results.reset_view, "Ctrl+0"),
        "full_screen": _action(
            window,
            "&Full screen",
            lambda on: window.showFullScreen() if on else window.showNormal(),
            k.FullScreen,
            checkable=True,
        ),
        "about": _action(window, "&About sepconv-gui", lambda: show_about(window)),
        "about_qt": _action(window, "About &Qt", QApplication.aboutQt),
    }

    # Design edits: the stack labels the actions ("Undo Change sigma").
    actions["undo"] = window.history.stack.createUndoAction(window, "&Undo")
    actions["undo"].setShortcut(QKeySequence(k.Undo))
    actions["redo"] = window.history.stack.createRedoAction(window, "&Redo")
    actions["redo"].setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])

    # Ctrl+= too: on most keyboards "+" needs Shift, and people press Ctrl and "=".
    actions["zoom_in"].setShortcuts([QKeySequence(k.ZoomIn), QKeySequence("Ctrl+=")])

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(actions["open"])
    window.recent_menu = QMenu("Open &recent", window)
    file_menu.addMenu(window.recent_menu)
    samples = file_menu.addMenu("Open &sample")
    for title, path in window.sample_actions():
        samples.addAction(title).triggered.connect(lambda _=False, p=path: window.open_path(p))
    file_menu.addActions([actions["open_model"], actions["open_sample_model"]])
    file_menu.addSeparator()
    file_menu.addActions([actions["load_design"], actions["save_design"]])
    file_menu.addSeparator()
    file_menu.addActions([actions["export"], actions["copy_view"]])
    file_menu.addSeparator()
    file_menu.addAction(actions["quit"])

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([actions["undo"], actions["redo"]])
    edit_menu.addSeparator()
    actions["copy_code"] = _action(
        window,
        "Copy as &code…",
        window.show_code_preview,
        tip="The design as a runnable OpenCV, PyTorch or Keras snippet, with a preview",
    )
    edit_menu.addAction(actions["copy_code"])

    source_menu = bar.addMenu("&Source")
    pattern = source_menu.addMenu("Test &pattern")
    for width, height in PATTERN_SIZES:
        spec = SourceSpec("pattern", f"{width}x{height}")
        pattern.addAction(f"{width}×{height}").triggered.connect(
            lambda _=False, s=spec: window.start_source(s)
        )
    window.camera_menu = source_menu.addMenu("&Camera")
    window.camera_menu.aboutToShow.connect(window.rebuild_camera_menu)
    resolution_menu = source_menu.addMenu("Camera &resolution")
    group = QActionGroup(window)
    current = window.settings.camera_resolution()
    for size in CAMERA_RESOLUTIONS:
        action = resolution_menu.addAction(size.replace("x", "×") or "Camera default")
        action.setCheckable(True)
        action.setChecked(size == current)
        group.addAction(action)
        action.triggered.connect(lambda _=False, s=size: window.settings.set_camera_resolution(s))
    actions["full_resolution"].setChecked(controller.full_resolution)
    source_menu.addAction(actions["full_resolution"])
    source_menu.addSeparator()
    source_menu.addActions([actions["pause"], actions["step"], actions["stop"]])

    view_menu = bar.addMenu("&View")
    view_menu.addActions([actions["zoom_in"], actions["zoom_out"], actions["reset_view"]])
    view_menu.addSeparator()
    for dock in window.findChildren(QDockWidget):
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addAction(actions["full_screen"])
    view_menu.addSeparator()
    add_engine_threads_menu(view_menu, window.settings)  # also applies the saved thread cap

    help_menu = bar.addMenu("&Help")
    help_menu.addActions([actions["about"], actions["about_qt"]])

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.addActions([actions["open"], actions["pause"], actions["step"], actions["reset_view"]])
    window.rebuild_recent_menu()
    window.rebuild_camera_menu()
    return actions


def fill_recent_menu(window: MainWindow) -> None:
    """File ▸ Recent: the remembered files, newest first, and Clear list."""
    menu = window.recent_menu
    menu.clear()
    files = window.settings.recent_files()
    for index, name in enumerate(files, 1):
        action = menu.addAction(f"&{index % 10} {Path(name).name}")
        action.setToolTip(name)
        action.triggered.connect(lambda _=False, n=name: window.open_path(n))
    menu.addSeparator()
    clear = menu.addAction("Clear list")
    clear.setEnabled(bool(files))
    clear.triggered.connect(
        lambda: (window.settings.clear_recent_files(), window.rebuild_recent_menu())
    )


def fill_camera_menu(window: MainWindow) -> None:
    """Source ▸ Camera: the cameras found now, and Rescan."""
    menu = window.camera_menu
    menu.clear()
    cameras = describe_cameras(window.settings.camera_resolution())
    if not cameras:
        menu.addAction("No camera found").setEnabled(False)
    for label, spec in cameras:
        menu.addAction(label).triggered.connect(lambda _=False, s=spec: window.start_source(s))
    menu.addSeparator()
    menu.addAction("Rescan").triggered.connect(window.rebuild_camera_menu)
