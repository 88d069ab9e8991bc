"""Checks a scripted run makes before any window or thread exists, and its exit codes.

A scripted run (``sepconv-gui ... --frames N``) is used by scripts that read only its exit
code and stderr, so every input it will need is tried here first: the image decodes, the video
gives a frame, the camera opens, the design runs, and the output files can be created. What
fails here costs well under a second and never opens a window. No Qt in this module.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np

from ..io.images import ImageLoadError, load_image
from ..io.sources import VIDEO_SUFFIXES, SourceError
from .pipeline import run_design
from .source_specs import SourceSpec, make_source
from .state import Design, DesignError


class ExitCode(IntEnum):
    """What ``sepconv-gui`` returns; README "Exit codes" says the same for users."""

    OK = 0
    BAD_INPUT = 2  # bad arguments, or an input (image, video, camera, design) is unusable
    FAILED = 3  # processing or the source failed during the run
    TIMEOUT = 4  # N frames did not arrive within --timeout
    WRITE_FAILED = 5  # a --stats-json or --screenshot file could not be written


class Refused(Exception):
    """An input a run cannot use; ``str()`` is the one-line reason, ``code`` the exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.BAD_INPUT) -> None:
        super().__init__(one_line(message))
        self.code = code


def one_line(message: str) -> str:
    """``message`` folded onto one line: scripts read stderr line by line."""
    return " ".join(str(message).split())


@dataclass
class Inputs:
    design: Design | None = None
    spec: SourceSpec | None = None  # from --source, or made from the positional path


def read_design(path: str) -> Design:
    try:
        return Design.from_file(path)  # size-capped before reading
    except (OSError, UnicodeDecodeError, DesignError) as error:
        raise Refused(f"cannot use design {path}: {error}") from None


def source_spec(source: str | None, path: str | None) -> SourceSpec | None:
    """The input as one spec: ``--source`` wins, a positional path is a video or an image."""
    if source:
        try:
            return SourceSpec.parse(source)
        except ValueError as error:
            raise Refused(str(error)) from None
    if path:
        kind = "video" if Path(path).suffix.lower() in VIDEO_SUFFIXES else "image"
        return SourceSpec(kind, path)
    return None


def check_source(spec: SourceSpec, *, open_it: bool) -> None:
    """Refuse a spec that is malformed; with ``open_it``, also one that cannot deliver a frame."""
    try:
        if spec.kind == "image":
            if open_it:
                load_image(spec.argument)
            return
        source = make_source(spec)  # checks sizes, rates and device numbers; opens nothing
        if open_it:
            source.open()  # a video reads its first frame here; a camera must answer
            source.close()
    except (ValueError, ImageLoadError, SourceError) as error:
        raise Refused(str(error)) from None


def check_design_runs(design: Design) -> None:
    """Run ``design`` once on a small image, so a design that loads but cannot run is refused
    before the window starts (the window would otherwise start on a design that fails)."""
    side = max(32, 2 * max(len(design.kernel), len(design.kernel[0])))
    image = np.linspace(0.0, 1.0, side * side * 3, dtype=np.float32).reshape(side, side, 3)
    try:
        run_design(image, design)
    except Exception as error:  # noqa: BLE001 - any failure here means "refuse this design"
        raise Refused(f"the design cannot run: {type(error).__name__}: {error}") from None


def check_writable(path: str, what: str) -> None:
    """Refuse an output path the atomic writer could not replace: it writes a temporary file
    beside the target (a symlink's target) and renames it, so that folder must exist and
    accept a new file."""
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    if target.is_dir():
        raise Refused(f"cannot write {what} {path}: it is a folder", ExitCode.WRITE_FAILED)
    folder = target.parent
    try:
        handle, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
    except OSError as error:
        reason = error.strerror or str(error)
        raise Refused(f"cannot write {what} {path}: {reason}", ExitCode.WRITE_FAILED) from None
    os.close(handle)
    os.unlink(probe)


def check_inputs(
    *,
    design_path: str | None,
    source: str | None,
    path: str | None,
    scripted: bool,
    stats_path: str | None = None,
    screenshot_path: str | None = None,
) -> Inputs:
    """Everything the command line names, checked; raises :class:`Refused`.

    Interactive starts check only what is cheap and certain (the design parses, the source
    text is well formed): the window reports the rest itself. Scripted runs check it all.
    """
    inputs = Inputs()
    if design_path:
        inputs.design = read_design(design_path)
        if scripted:
            check_design_runs(inputs.design)
    inputs.spec = source_spec(source, path)
    if inputs.spec is not None:
        check_source(inputs.spec, open_it=scripted)
    if stats_path:
        check_writable(stats_path, "statistics to")
    if screenshot_path:
        check_writable(screenshot_path, "the screenshot to")
    return inputs
