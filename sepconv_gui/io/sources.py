"""Frame sources: one interface for a test pattern, a still image, a video file and a camera.

Nothing here starts a thread or touches Qt. The app layer calls ``open``, ``read`` and
``close`` from its capture thread, and may call ``open`` again after ``close`` to restart a
source. ``read`` blocks for at most about a frame period (a camera: a bounded timeout).

All frames carry float32 RGB ``(H, W, 3)`` images in [0, 1], whatever the source. Cameras
live in :mod:`.camera`; their names are importable from here too.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import cv2
import numpy as np

from .images import to_float_rgb
from .patterns import MovingPattern


VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")
"""File name endings opened as videos (and offered in open dialogs); anything else is tried
as an image."""


class SourceError(Exception):
    """A source cannot be opened or stopped delivering. ``str(error)`` is for the user."""


@dataclass(frozen=True)
class Frame:
    """One picture from a source.

    Attributes
    ----------
    image : numpy.ndarray
        float32 RGB ``(H, W, 3)`` in [0, 1].
    index : int
        Frames delivered since the source was opened, from 0.
    timestamp : float
        Seconds. Media time for files and synthetic sources (where the frame sits in the
        stream), wall-clock ``time.time()`` at capture for live ones.
    """

    image: np.ndarray
    index: int
    timestamp: float


class FrameSource(ABC):
    """Where frames come from. Use as a context manager, or call open/read/close yourself."""

    @property
    @abstractmethod
    def name(self) -> str:
        """Short human-readable name for menus and the status bar."""

    @property
    def size(self) -> tuple[int, int] | None:
        """``(width, height)`` of the frames, or None while unknown (before ``open``)."""
        return None

    @property
    def fps(self) -> float:
        """Nominal frames per second; the capture loop paces non-live sources to it."""
        return 30.0

    @property
    def is_live(self) -> bool:
        """True when frames arrive at the device's pace and cannot be replayed."""
        return False

    @abstractmethod
    def open(self) -> None:
        """Acquire the source. Raises :class:`SourceError` with a message for the user."""

    @abstractmethod
    def read(self) -> Frame | None:
        """The next frame, or None when a finite source has ended. Raises SourceError."""

    @abstractmethod
    def close(self) -> None:
        """Release the source; safe to call twice, and ``open`` may follow."""

    def take_notice(self) -> str | None:
        """A message for the user that does not stop the source (e.g. a video that decodes
        only partly), once; None when there is nothing to say. The capture loop asks after
        every read."""
        return None

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class PatternSource(FrameSource):
    """A synthetic moving test pattern (see :class:`~.patterns.MovingPattern`).

    Frame ``n`` is a pure function of ``n``, the size, ``fps`` and ``seed``, so runs are
    reproducible and tests can compare frames exactly. It never ends.
    """

    def __init__(self, width: int, height: int, fps: float = 30.0, seed: int = 0) -> None:
        self._width, self._height, self._fps, self.seed = int(width), int(height), fps, seed
        self._pattern = MovingPattern(self._height, self._width, fps=fps, seed=seed)
        self._next = 0
        self._open = False

    @property
    def name(self) -> str:
        return f"Test pattern {self._width}×{self._height}"

    @property
    def size(self) -> tuple[int, int]:
        return self._width, self._height

    @property
    def fps(self) -> float:
        return float(self._fps)

    def open(self) -> None:
        self._next, self._open = 0, True

    def frame_at(self, index: int) -> Frame:
        """Frame ``index`` without moving the read position."""
        return Frame(self._pattern.frame(index), index, index / self._fps)

    def read(self) -> Frame | None:
        if not self._open:
            raise SourceError(f"{self.name} is not open")
        frame = self.frame_at(self._next)
        self._next += 1
        return frame

    def close(self) -> None:
        self._open = False


class ImageSource(FrameSource):
    """The same still image again and again, so a still can go through the live pipeline.

    The image is copied once and made read-only: every frame shares that one array, and an
    in-place change by any consumer would otherwise alter all later frames.
    """

    def __init__(self, image: np.ndarray, name: str = "Still image", fps: float = 10.0) -> None:
        array = np.asarray(image, dtype=np.float32)
        if array.ndim == 2:
            array = np.repeat(array[..., None], 3, axis=2)
        if array.ndim != 3 or array.shape[2] != 3:
            raise ValueError(f"expected a (H, W) or (H, W, 3) image, got shape {array.shape}")
        self._image = np.array(array, dtype=np.float32, order="C")  # always a private copy
        self._image.setflags(write=False)
        self._name, self._fps = name, float(fps)
        self._next, self._open = 0, False

    @property
    def name(self) -> str:
        return self._name

    @property
    def size(self) -> tuple[int, int]:
        return self._image.shape[1], self._image.shape[0]

    @property
    def fps(self) -> float:
        return self._fps

    def open(self) -> None:
        self._next, self._open = 0, True

    def read(self) -> Frame | None:
        if not self._open:
            raise SourceError(f"{self.name} is not open")
        frame = Frame(self._image, self._next, self._next / self._fps)
        self._next += 1
        return frame

    def close(self) -> None:
        self._open = False


def stated_fps(capture: cv2.VideoCapture) -> float:
    """The frame rate a capture reports, or 30 when it states none or nonsense (0, NaN, 90000):
    some containers and drivers do."""
    fps = capture.get(cv2.CAP_PROP_FPS)
    return fps if math.isfinite(fps) and 0 < fps <= 1000 else 30.0


class CaptureSource(FrameSource):
    """What the sources read through ``cv2.VideoCapture`` share: the capture, its frame size
    and rate once known, the next frame index, and releasing the capture on close."""

    def __init__(self) -> None:
        self._capture: cv2.VideoCapture | None = None
        self._size: tuple[int, int] | None = None
        self._fps = 30.0
        self._next = 0

    @property
    def size(self) -> tuple[int, int] | None:
        return self._size

    @property
    def fps(self) -> float:
        return self._fps

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
        self._capture = None


class VideoFileSource(CaptureSource):
    """Frames of a video file, decoded by FFmpeg through ``cv2.VideoCapture``.

    Parameters
    ----------
    path : str or Path
        Any container and codec this OpenCV build's FFmpeg reads (MP4, AVI, MKV, WebM, ...).
    loop : bool
        Start again from the first frame at the end instead of returning None.
    """

    def __init__(self, path: str | Path, loop: bool = True) -> None:
        super().__init__()
        self.path, self.loop = Path(path), loop
        self._pending: np.ndarray | None = None
        self._pending_ms = 0.0
        self._pass_frames = 0  # frames decoded since the file was last (re)started
        self._stated_frames = 0
        self._notice: str | None = None
        self._noticed = False

    @property
    def name(self) -> str:
        return self.path.name

    def open(self) -> None:
        self.close()
        if not self.path.is_file():
            what = "is a folder" if self.path.is_dir() else "does not exist"
            raise SourceError(f'Cannot play "{self.path}": the file {what}.')
        capture = self._start()
        self._fps = stated_fps(capture)
        # Reading the first frame here is the only reliable test that FFmpeg can decode the
        # stream: VideoCapture happily opens files whose codec it cannot decode.
        ok, bgr = capture.read()
        if not ok or bgr is None:
            capture.release()
            raise SourceError(
                f'Cannot play "{self.path.name}": it has no video frames this app can decode.'
            )
        self._capture, self._pending = capture, bgr
        self._pending_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
        self._size = (bgr.shape[1], bgr.shape[0])
        self._next = 0
        self._stated_frames = int(max(0.0, capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0))
        self._pass_frames, self._noticed = 0, False

    def _start(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            raise SourceError(
                f'Cannot play "{self.path.name}": it is not a video this app '
                "can read, or the file is damaged."
            )
        return capture

    def read(self) -> Frame | None:
        if self._capture is None:
            raise SourceError(f'"{self.path.name}" is not open')
        if self._pending is not None:
            bgr, position_ms, self._pending = self._pending, self._pending_ms, None
        else:
            ok, bgr = self._capture.read()
            if not ok or bgr is None:
                self._check_complete()
                if not self.loop:
                    return None
                # Reopening is the one rewind that works for every container and codec;
                # seeking to frame 0 is unreliable for some streams.
                self._capture.release()
                self._capture = self._start()
                ok, bgr = self._capture.read()
                if not ok or bgr is None:
                    raise SourceError(f'"{self.path.name}" stopped delivering frames.')
                self._pass_frames = 0
            position_ms = self._capture.get(cv2.CAP_PROP_POS_MSEC)
        self._pass_frames += 1
        frame = Frame(to_float_rgb(bgr), self._next, max(position_ms, 0.0) / 1000.0)
        self._next += 1
        return frame

    def _check_complete(self) -> None:
        """At the end of the stream: say so (once) if far fewer frames decoded than the
        container states, instead of silently looping over the part that could be read.
        Stated counts can be estimates (duration × rate), so a few frames short is normal."""
        stated, read = self._stated_frames, self._pass_frames
        if not self._noticed and stated and read < stated - max(2, stated // 20):
            self._noticed = True
            self._notice = (
                f'"{self.path.name}": decoding stopped at frame {read} of {stated}; '
                "playing what could be read."
            )

    def take_notice(self) -> str | None:
        notice, self._notice = self._notice, None
        return notice

    def close(self) -> None:
        super().close()
        self._pending = None
