"""Record the demo: the image views (or the presentation) to an MP4 clip for slides.

MP4 only: OpenCV's VideoWriter cannot write GIF (its FFmpeg GIF encoder refuses the pixel
format OpenCV hands it), and Pillow, which could, is not a dependency; an MP4 drops into
every slide program. The clip is written to a hidden temporary file beside the target and
moved into place when the recording stops, so a half-written clip never carries the chosen
name and an existing file is only replaced when the user agreed to it (the save dialog asks).
A recording ends by itself at MAX_SECONDS or MAX_BYTES, and when the window closes.

Frames are taken at FPS by the wall clock: when the GUI thread is late, the frame on screen
is repeated, so the clip plays at the speed it was shown.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu, QMessageBox, QWidget

if TYPE_CHECKING:
    from ..shell.main_window import MainWindow

FPS = 10
MAX_SECONDS = 120
MAX_BYTES = 200 * 2**20
SUFFIX = ".mp4"
FOURCC = "mp4v"  # in every OpenCV wheel's FFmpeg; H.264 encoders are often missing


def widget_frame(widget: QWidget) -> np.ndarray:
    """What ``widget`` shows now, as an (H, W, 3) uint8 BGR array (OpenCV's order)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format_RGB888)
    height, width = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * height)
    rgb = rows.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(height, width, 3)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def letterbox(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` scaled to fit ``size`` (width, height) with its shape kept, centred on black."""
    width, height = size
    scale = min(width / frame.shape[1], height / frame.shape[0])
    fitted = (max(1, round(frame.shape[1] * scale)), max(1, round(frame.shape[0] * scale)))
    small = cv2.resize(frame, fitted, interpolation=cv2.INTER_AREA)
    out = np.zeros((height, width, 3), np.uint8)
    top, left = (height - fitted[1]) // 2, (width - fitted[0]) // 2
    out[top : top + fitted[1], left : left + fitted[0]] = small
    return out


def free_name(path: Path) -> Path:
    """``path``, or ``name (2).mp4`` and so on when it exists."""
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
        number += 1
    return candidate


class Recorder(QObject):
    """Writes frames of ``target()`` to an MP4 file between :meth:`start` and :meth:`stop`."""

    progress = Signal(float)  # seconds recorded
    finished = Signal(str)  # what happened, for the status bar

    def __init__(
        self,
        target: Callable[[], QWidget],
        *,
        fps: int = FPS,
        max_seconds: float = MAX_SECONDS,
        max_bytes: int = MAX_BYTES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.target, self.fps = target, fps
        self.max_frames = max(1, round(max_seconds * fps))
        self.max_bytes = max_bytes
        self.frames = 0
        self.path: Path | None = None
        self._temp: Path | None = None
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] = (0, 0)
        self._overwrite = False
        self._started = 0.0
        self._timer = QTimer(self, interval=round(1000 / fps), timeout=self._tick)

    @property
    def recording(self) -> bool:
        return self._writer is not None

    @property
    def seconds(self) -> float:
        return self.frames / self.fps

    def start(self, path: str | os.PathLike, *, overwrite: bool = False, timed: bool = True):
        """Begin a clip that will be saved as ``path`` (.mp4). An existing file is refused
        unless ``overwrite`` (the user said yes). ``timed=False`` leaves the frames to
        :meth:`capture` (tests)."""
        if self.recording:
            raise RuntimeError("already recording")
        path = Path(path)
        if path.suffix.lower() != SUFFIX:
            raise ValueError(f"recordings are MP4 files: end the name with {SUFFIX}")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path.name} exists; choose another name or agree to replace it")
        widget = self.target()
        width, height = widget.width() // 2 * 2, widget.height() // 2 * 2  # codecs want even
        if width < 16 or height < 16:
            raise ValueError("nothing to record: the views are not on screen")
        handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=SUFFIX, dir=path.parent)
        os.close(handle)
        writer = cv2.VideoWriter(temp, cv2.VideoWriter_fourcc(*FOURCC), self.fps, (width, height))
        if not writer.isOpened():
            os.unlink(temp)
            raise OSError("OpenCV could not open an MP4 writer (no FFmpeg in this OpenCV?)")
        self._writer, self._temp, self.path = writer, Path(temp), path
        self._size, self._overwrite, self.frames = (width, height), overwrite, 0
        self._started = time.monotonic()
        self.capture()
        if timed:
            self._timer.start()

    def capture(self, repeat: int = 1) -> None:
        """Write what the target shows now, ``repeat`` times; stop at a limit."""
        if not self.recording:
            return
        frame = widget_frame(self.target())
        if frame.shape[1::-1] != self._size:  # another size (presentation on): fit, no stretch
            frame = letterbox(frame, self._size)
        for _ in range(max(1, min(repeat, self.max_frames - self.frames))):
            self._writer.write(frame)
            self.frames += 1
        self.progress.emit(self.seconds)
        if self.frames >= self.max_frames:
            self.stop(f"the {self.max_frames / self.fps:.0f} s limit")
        elif self.frames % self.fps == 0 and self._temp.stat().st_size >= self.max_bytes:
            self.stop(f"the {self.max_bytes / 2**20:.0f} MB limit")

    def _tick(self) -> None:
        due = int((time.monotonic() - self._started) * self.fps) + 1
        if due > self.frames:
            self.capture(due - self.frames)

    def stop(self, reason: str = "") -> Path | None:
        """Finish the clip and move it into place; returns where it went (None if idle)."""
        if not self.recording:
            return None
        self._timer.stop()
        writer, self._writer = self._writer, None
        writer.release()
        target = self.path
        if target.exists() and not self._overwrite:  # appeared while recording: keep both
            target = free_name(target)
        try:
            os.replace(self._temp, target)
        except OSError as error:
            self.finished.emit(f"Recording kept as {self._temp}: {error.strerror}")
            return self._temp
        why = f" (stopped at {reason})" if reason else ""
        self.finished.emit(f"Recorded {self.seconds:.1f} s to {target}{why}")
        self.path = target
        return target


def add_recording(window: MainWindow) -> dict[str, QAction]:
    """File ▸ Record demo: a checkable action, a red indicator, and a stop when the window
    closes. Records the presentation when it is on, the image views otherwise."""

    def target() -> QWidget:
        presentation = getattr(window, "presentation", None)
        if presentation is not None and presentation.active:
            return presentation.view.stage
        return window.centralWidget()

    recorder = Recorder(target, parent=window)
    window.recorder = recorder
    indicator = QLabel()
    indicator.setObjectName("recordingIndicator")
    indicator.setStyleSheet("color: #ff3b30; font-weight: 600")
    indicator.hide()
    window.statusBar().addPermanentWidget(indicator)
    action = QAction("&Record demo (MP4)…", window)
    action.setCheckable(True)
    action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    action.setStatusTip(
        f"Record the views (or the presentation) to an MP4 clip, at most {MAX_SECONDS // 60} "
        "minutes; choose the file first, stop with the same entry"
    )
    window.addAction(action)  # the shortcut works in presentation mode too

    def toggled(on: bool) -> None:
        if not on:
            recorder.stop()
            return
        path, _ = QFileDialog.getSaveFileName(
            window, "Record the views", "sepconv-demo.mp4", "MP4 video (*.mp4)"
        )
        agreed = bool(path)  # the dialog asked before picking an existing file
        if path and not path.lower().endswith(SUFFIX):
            path += SUFFIX
            agreed = not Path(path).exists() or _ask_replace(window, Path(path))
        if not path or not agreed:
            action.setChecked(False)
            return
        try:
            recorder.start(path, overwrite=Path(path).exists())
        except (OSError, ValueError) as error:
            window.show_error(f"Cannot record: {error}")
            action.setChecked(False)

    def progress(seconds: float) -> None:
        text = f"● REC {_clock(seconds)} / {_clock(recorder.max_frames / recorder.fps)}"
        indicator.setText(text)
        indicator.show()
        presentation = getattr(window, "presentation", None)
        if presentation is not None:
            presentation.view.recording.setText(text)

    def finished(message: str) -> None:
        indicator.hide()
        presentation = getattr(window, "presentation", None)
        if presentation is not None:
            presentation.view.recording.clear()
        action.blockSignals(True)
        action.setChecked(False)
        action.blockSignals(False)
        window.statusBar().showMessage(message, 10000)

    action.toggled.connect(toggled)
    recorder.progress.connect(progress)
    recorder.finished.connect(finished)
    window.installEventFilter(_StopOnClose(recorder))
    file_menu = next(
        (m for m in window.menuBar().findChildren(QMenu) if m.title() == "&File"), None
    )
    if file_menu is not None:
        before = next((a for a in file_menu.actions() if a.text() == "&Quit"), None)
        file_menu.insertAction(before, action) if before else file_menu.addAction(action)
    return {"record": action}


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _ask_replace(window: QWidget, path: Path) -> bool:
    answer = QMessageBox.question(window, "Replace file?", f"{path.name} exists. Replace it?")
    return answer == QMessageBox.Yes


class _StopOnClose(QObject):
    """Finishes the clip when the window closes, so it is never left half-written."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder)
        self.recorder = recorder

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Close:
            self.recorder.stop("closing the window")
        return False
