"""Source specifications and the sources they make.

``pattern:640x480`` or ``pattern:640x480@60`` (frame rate), ``camera:0`` or
``camera:0@1280x720`` (requested resolution), ``video:PATH``, ``image:PATH``.

One text form serves the command line and the menus. The frame sources themselves (pattern,
video, camera) are in ``io/sources.py`` and ``io/camera.py``; this module only names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..io.camera import CameraSource, list_cameras
from ..io.sources import FrameSource, PatternSource, VideoFileSource

KINDS = ("pattern", "camera", "video", "image")


@dataclass(frozen=True)
class SourceSpec:
    kind: str
    argument: str = ""

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.argument}"

    @classmethod
    def parse(cls, text: str) -> SourceSpec:
        kind, _, argument = text.partition(":")
        if kind not in KINDS:
            raise ValueError(
                f"source {text!r} is not understood; use pattern:WIDTHxHEIGHT[@FPS], "
                "camera:INDEX[@WIDTHxHEIGHT], video:PATH or image:PATH"
            )
        return cls(kind, argument)


def parse_size(text: str, default: tuple[int, int] = (640, 480)) -> tuple[int, int]:
    if not text:
        return default
    match = re.fullmatch(r"(\d+)[x×](\d+)", text.strip())
    if not match:
        raise ValueError(f"size {text!r} should look like 640x480")
    width, height = int(match[1]), int(match[2])
    if not (16 <= width <= 7680 and 16 <= height <= 4320):
        raise ValueError(f"size {width}x{height} is outside 16x16 .. 7680x4320")
    return width, height


def make_source(spec: SourceSpec) -> FrameSource:
    """A frame source for ``spec`` (not opened yet); ValueError for a bad specification."""
    if spec.kind == "pattern":
        size_text, _, fps_text = spec.argument.partition("@")
        width, height = parse_size(size_text)
        try:
            fps = float(fps_text) if fps_text else 30.0
        except ValueError:
            fps = 0.0
        if not 1.0 <= fps <= 1000.0:
            raise ValueError(f"pattern frame rate {fps_text!r} should be 1 to 1000, e.g. @60")
        return PatternSource(width, height, fps=fps)
    if spec.kind == "camera":
        index_text, _, size_text = spec.argument.partition("@")
        if not index_text.isdigit():
            raise ValueError(f"camera {spec.argument!r}: give a device number, e.g. camera:0")
        size = parse_size(size_text) if size_text else (None, None)
        return CameraSource(int(index_text), width=size[0], height=size[1])
    if spec.kind == "video":
        if not spec.argument:
            raise ValueError("video: give a file path, e.g. video:clip.mp4")
        return VideoFileSource(spec.argument, loop=True)
    raise ValueError(f"{spec.kind} is not a streaming source")


CAMERA_RESOLUTIONS = ("", "640x480", "1280x720", "1920x1080")


def describe_cameras(resolution: str = "") -> list[tuple[str, SourceSpec]]:
    """Menu labels and specs for every camera found (an empty list when there is none)."""
    suffix = f"@{resolution}" if resolution else ""
    return [
        (
            f"{camera.name} (/dev/video{camera.index})",
            SourceSpec("camera", f"{camera.index}{suffix}"),
        )
        for camera in list_cameras()
    ]
