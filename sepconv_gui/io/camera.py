"""Live cameras: listing them from sysfs and reading them through OpenCV's V4L2 backend."""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2

from .images import to_float_rgb
from .sources import CaptureSource, Frame, SourceError, stated_fps

V4L_TIMEOUT_ENV = "OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT"
"""OpenCV's wait for a V4L2 frame, in whole **seconds** (default 10). Read once per process, at
the first capture, so :class:`CameraSource` sets it (unless the user did) before opening."""

V4L_TIMEOUT_SECONDS = "1"

SYSFS_VIDEO = Path("/sys/class/video4linux")


@dataclass(frozen=True)
class CameraInfo:
    """A capture device found by :func:`list_cameras`."""

    index: int  # N of /dev/videoN: what CameraSource takes
    name: str  # the driver's name for the device, e.g. "Integrated Camera: Integrated C"
    device: str  # "/dev/videoN"


def list_cameras(sysfs_root: str | Path = SYSFS_VIDEO) -> list[CameraInfo]:
    """The video capture devices of this machine, by index; [] where there are none.

    Scans ``sysfs_root`` (Linux's ``/sys/class/video4linux``) without opening any device, so
    it is fast and cannot disturb a camera another program is using. Never raises.

    A UVC webcam registers two nodes: ``videoN`` for pictures and ``videoN+1`` for metadata,
    and only the first can deliver frames. Heuristic: a node whose sysfs ``index`` file (its
    number among the nodes of the same device) is not 0 is a secondary node and is skipped;
    a node without that file is kept. This can hide a second genuine capture node on
    multi-input capture cards; on other platforms the list is simply empty.
    """
    root = Path(sysfs_root)
    cameras = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = re.fullmatch(r"video(\d+)", entry.name)
        if not match:
            continue
        number = int(match[1])
        try:
            node_index = (entry / "index").read_text().strip()
            if node_index and int(node_index) != 0:
                continue
        except (OSError, ValueError):
            pass  # no (readable) index file: keep the node rather than hide a camera
        try:
            name = (entry / "name").read_text(errors="replace").strip()
        except OSError:
            name = ""
        cameras.append(CameraInfo(number, name or f"Camera {number}", f"/dev/video{number}"))
    return sorted(cameras, key=lambda camera: camera.index)


class CameraSource(CaptureSource):
    """A live camera through ``cv2.VideoCapture`` (V4L2 on Linux).

    Each ``read`` tries up to ``max_failures`` times; on Linux every try waits at most
    :data:`V4L_TIMEOUT_SECONDS` instead of OpenCV's default 10 s, so an unplugged camera is
    reported in seconds, as a :class:`SourceError`, instead of freezing the capture thread.

    Parameters
    ----------
    index : int
        Device number (``/dev/videoN`` on Linux), as in :class:`CameraInfo`.
    width, height : int, optional
        Requested frame size; the driver picks the nearest it supports.
    name : str, optional
        Display name; defaults to "Camera N".
    max_failures : int
        Consecutive failed grabs before the camera is declared gone.
    """

    def __init__(
        self,
        index: int,
        width: int | None = None,
        height: int | None = None,
        *,
        name: str | None = None,
        max_failures: int = 5,
    ) -> None:
        super().__init__()
        self.index, self._width, self._height = int(index), width, height
        self._name = name or f"Camera {index}"
        self.max_failures = max(1, max_failures)

    @property
    def name(self) -> str:
        return self._name

    @property
    def is_live(self) -> bool:
        return True

    def open(self) -> None:
        self.close()
        if sys.platform.startswith("linux"):
            os.environ.setdefault(V4L_TIMEOUT_ENV, V4L_TIMEOUT_SECONDS)
            capture = cv2.VideoCapture(self.index, cv2.CAP_V4L2)
        else:
            capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            node = Path(f"/dev/video{self.index}")
            if sys.platform.startswith("linux") and not node.exists():
                raise SourceError(f"There is no camera {self.index} ({node} does not exist).")
            raise SourceError(
                f"{self.name} could not be opened: it may be in use by another "
                "program, or it is not a capture device."
            )
        if self._width:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
        if self._height:
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
        self._fps = stated_fps(capture)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._size = (width, height) if width > 0 and height > 0 else None
        self._capture, self._next = capture, 0

    def read(self) -> Frame | None:
        if self._capture is None:
            raise SourceError(f"{self.name} is not open")
        for _ in range(self.max_failures):
            try:
                ok, bgr = self._capture.read()
            except cv2.error:
                ok, bgr = False, None
            if ok and bgr is not None and bgr.size:
                frame = Frame(to_float_rgb(bgr), self._next, time.time())
                self._next += 1
                self._size = (bgr.shape[1], bgr.shape[0])
                return frame
        raise SourceError(
            f"{self.name} stopped delivering frames ({self.max_failures} failed "
            "reads in a row): it may have been unplugged or taken by another "
            "program."
        )
