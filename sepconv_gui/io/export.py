"""Arrays to files: 8-bit PNG as displayed, 16-bit PNG / TIFF, and exact float32 ``.npy``.

No Qt and no display logic here: the caller maps an array for display (``ui/display.py``)
and passes the mapped array with its levels. Every write is atomic (a temporary file in the
same folder, then ``os.replace``) and never replaces an existing file unless asked: with
``overwrite=False`` every target is checked *before* anything is written. An export writes
all its files or none: they are staged in a hidden folder first (``io.files``).

File layout
-----------
- 1 channel → a grey image, 3 channels → an RGB image (stored the way image viewers read it;
  OpenCV's BGR order is handled here). Any other channel count → one grey file per channel,
  ``stem_c01.png``, ``stem_c02.png`` … (numbered from 1 like the stage grid's labels, so
  ``stem_c01`` holds ``array[..., 0]``).
- 16-bit files hold ``round((value - low) / (high - low) * 65535)``, clipped to 0..65535;
  ``stem.levels.json`` beside them records ``low`` and ``high`` so values can be recovered as
  ``low + (high - low) * pixel / 65535``.
- ``.npy`` holds the float32 array itself, every channel in one ``(H, W, C)`` file.

Example
-------
>>> import tempfile, numpy as np
>>> folder = tempfile.mkdtemp()
>>> [p.name for p in write_array(f"{folder}/ramp", np.zeros((4, 4, 3), np.float32), "npy")]
['ramp.npy']
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .files import PartialWriteError, write_files_atomic


@dataclass(frozen=True)
class ExportFormat:
    key: str
    extension: str
    title: str
    bits: int | None  # 8 or 16 for images, None for .npy


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("png8", ".png", "PNG, 8-bit (as displayed)", 8),
        ExportFormat("png16", ".png", "PNG, 16-bit (values)", 16),
        ExportFormat("tiff16", ".tif", "TIFF, 16-bit (values)", 16),
        ExportFormat("npy", ".npy", "NumPy .npy (exact float32)", None),
    )
}

LEVELS_SUFFIX = ".levels.json"


def export_format(key: str) -> ExportFormat:
    try:
        return FORMATS[key]
    except KeyError:
        raise ValueError(
            f"unknown export format {key!r}; use one of {', '.join(FORMATS)}"
        ) from None


def safe_stem(text: str) -> str:
    """A file name stem made of letters, digits, ``.``, ``_`` and ``-`` only.

    >>> safe_stem("depthwise / stage: dw 3")
    'depthwise-stage-dw-3'
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return stem or "image"


def as_channels(array: np.ndarray) -> np.ndarray:
    """``(H, W)`` or ``(H, W, C)`` as ``(H, W, C)``; anything else is a ValueError."""
    array = np.asarray(array)
    if array.ndim == 2:
        return array[:, :, np.newaxis]
    if array.ndim != 3:
        raise ValueError(f"expected an (H, W) or (H, W, C) array, got shape {array.shape}")
    return array


def value_levels(array: np.ndarray) -> tuple[float, float]:
    """Levels for a 16-bit file that keep every value: (0, 1) for data inside [0, 1], else
    the data's own minimum and maximum (NaN and infinities ignored)."""
    finite = np.asarray(array)[np.isfinite(array)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if low >= 0.0 and high <= 1.0:
        return 0.0, 1.0
    return (low, high) if high > low else (low, low + 1.0)


def quantize(array: np.ndarray, levels: tuple[float, float], bits: int) -> np.ndarray:
    """``array`` scaled from ``levels`` to ``0 .. 2**bits - 1`` (uint8 or uint16), rounded
    and clipped; NaN becomes 0."""
    low, high = float(levels[0]), float(levels[1])
    span = high - low if high > low else 1.0
    top = (1 << bits) - 1
    scaled = (np.asarray(array, dtype=np.float32) - np.float32(low)) * np.float32(top / span)
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=top, neginf=0.0)
    return np.rint(np.clip(scaled, 0, top)).astype(np.uint8 if bits == 8 else np.uint16)


def split_channels(channels: int) -> bool:
    """Whether an image file format needs one file per channel (not gray, not RGB)."""
    return channels not in (1, 3)


def channel_suffix(index: int, channels: int) -> str:
    """``_c01`` for channel index 0: numbered from 1, zero-padded so names sort in order."""
    return f"_c{index + 1:0{max(2, len(str(channels)))}d}"


def export_paths(folder: str | Path, stem: str, channels: int, fmt: str) -> list[Path]:
    """Every file one array of ``channels`` channels becomes, sidecar included."""
    spec = export_format(fmt)
    folder = Path(folder)
    if spec.bits is None:
        return [folder / f"{stem}{spec.extension}"]
    if split_channels(channels):
        paths = [
            folder / f"{stem}{channel_suffix(k, channels)}{spec.extension}" for k in range(channels)
        ]
    else:
        paths = [folder / f"{stem}{spec.extension}"]
    if spec.bits == 16:
        paths.append(folder / f"{stem}{LEVELS_SUFFIX}")
    return paths


@dataclass
class ExportJob:
    """One array to write under ``stem``.

    For ``png8`` pass the display-mapped array and its display levels (and optionally
    ``lut``, a ``(256, 3)`` uint8 RGB table that colours single-channel planes); for 16-bit
    formats pass the values and the levels to scale from (default :func:`value_levels`);
    ``.npy`` ignores levels and lut.
    """

    stem: str
    array: np.ndarray
    levels: tuple[float, float] | None = None
    lut: np.ndarray | None = None

    @property
    def channels(self) -> int:
        return as_channels(self.array).shape[2]


@dataclass
class ExportPlan:
    """Where a set of jobs will go; ``files`` lists every target in writing order."""

    folder: Path
    fmt: str
    jobs: list[ExportJob]
    targets: list[list[Path]] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [path for paths in self.targets for path in paths]

    def conflicts(self) -> list[Path]:
        """Targets that already exist (each would be replaced by ``overwrite=True``)."""
        return [path for path in self.files if os.path.lexists(path)]


def plan_export(folder: str | Path, jobs: Sequence[ExportJob], fmt: str) -> ExportPlan:
    """The files ``jobs`` will write into ``folder``; ValueError if two jobs share a file."""
    folder = Path(folder)
    plan = ExportPlan(folder, export_format(fmt).key, list(jobs))
    plan.targets = [export_paths(folder, job.stem, job.channels, fmt) for job in plan.jobs]
    seen: set[Path] = set()
    for path in plan.files:
        if path in seen:
            raise ValueError(f"two exported arrays would both be written to {path.name}")
        seen.add(path)
    return plan


def check_folder(folder: Path) -> None:
    """Raise an OSError naming ``folder`` if files cannot be created in it."""
    if not folder.exists():
        raise FileNotFoundError(f"The folder {folder} does not exist")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"Cannot write to the folder {folder}: permission denied")


def refuse_conflicts(paths: Sequence[Path]) -> None:
    if paths:
        shown = ", ".join(str(p) for p in paths[:5])
        more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
        raise FileExistsError(
            f"{len(paths)} file(s) already exist: {shown}{more}; nothing was written"
        )


def _encode_image(plane: np.ndarray, extension: str) -> bytes:
    if plane.ndim == 3 and plane.shape[2] == 3:
        plane = cv2.cvtColor(plane, cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(extension, np.ascontiguousarray(plane))
    if not ok:
        raise ValueError(
            f"OpenCV could not encode a {plane.dtype} {plane.shape} array as {extension}"
        )
    return data.tobytes()


def encode_job(job: ExportJob, fmt: str) -> list[bytes]:
    """The bytes of each file of ``job``, in the order of :func:`export_paths`."""
    spec = export_format(fmt)
    array = as_channels(job.array)
    if spec.bits is None:
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(job.array, dtype=np.float32), allow_pickle=False)
        return [buffer.getvalue()]
    levels = (
        job.levels
        if job.levels is not None
        else (value_levels(array) if spec.bits == 16 else (0.0, 1.0))
    )
    channels = array.shape[2]
    planes = (
        [array[:, :, k] for k in range(channels)]
        if split_channels(channels)
        else [array[:, :, 0] if channels == 1 else array]
    )
    blobs = []
    for plane in planes:
        pixels = quantize(plane, levels, spec.bits)
        if spec.bits == 8 and job.lut is not None and pixels.ndim == 2:
            pixels = np.asarray(job.lut, dtype=np.uint8)[pixels]  # (H, W, 3) RGB
        blobs.append(_encode_image(pixels, spec.extension))
    if spec.bits == 16:
        names = [p.name for p in export_paths(".", job.stem, channels, fmt)[:-1]]
        sidecar = {
            "format": spec.key,
            "files": names,
            "shape": list(array.shape),
            "layout": "gray"
            if channels == 1
            else "RGB"
            if channels == 3
            else "one gray file per channel",
            "levels": [float(levels[0]), float(levels[1])],
            "decode": "value = low + (high - low) * pixel / 65535",
        }
        blobs.append((json.dumps(sidecar, indent=2) + "\n").encode("utf-8"))
    return blobs


def write_plan(plan: ExportPlan, *, overwrite: bool = False) -> list[Path]:
    """Write every file of ``plan``, all or nothing; returns the paths written.

    Raises FileExistsError (naming the files, nothing written) when ``overwrite`` is False and
    any target exists, and an OSError naming the folder or file when writing fails: then
    nothing was written, or (:class:`~.files.PartialWriteError`, only if putting a finished
    file in place fails) its message and ``written`` list exactly the files that were.
    """
    check_folder(plan.folder)
    if not overwrite:
        refuse_conflicts(plan.conflicts())

    def files():  # encoded one job at a time, not all held in memory at once
        for job, paths in zip(plan.jobs, plan.targets, strict=True):
            yield from zip(paths, encode_job(job, plan.fmt), strict=True)

    try:
        return write_files_atomic(files())
    except PartialWriteError:
        raise
    except OSError as error:
        raise OSError(f"Could not write {error.filename}: {error.strerror or error}") from error


def write_array(
    path: str | Path,
    array: np.ndarray,
    fmt: str,
    *,
    levels: tuple[float, float] | None = None,
    lut: np.ndarray | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write one array; ``path`` names the file (its extension may be left off).

    Returns the files written: one, one per channel (plus a ``.levels.json`` sidecar for
    16-bit formats). See :class:`ExportJob` for ``levels`` and ``lut``.
    """
    path = Path(path)
    extension = export_format(fmt).extension
    known = {extension, ".tiff"} if extension == ".tif" else {extension}
    stem = path.stem if path.suffix.lower() in known else path.name
    plan = plan_export(path.parent, [ExportJob(stem, array, levels, lut)], fmt)
    return write_plan(plan, overwrite=overwrite)


@dataclass(frozen=True)
class ExportItem:
    """One array of a processed frame that can be exported.

    ``mode`` is None for the input image; ``stage`` is None for a mode's output.
    ``shows_output`` is True for the output and for the last stage (which is the output).
    """

    stem: str
    mode: str | None
    stage: str | None
    array: np.ndarray
    shows_output: bool = False


def result_items(image: np.ndarray, results: Mapping[str, Any]) -> list[ExportItem]:
    """Everything one frame produced: the input, then per mode its output and every stage.

    ``results`` maps a mode name to anything with ``.output`` and ``.stages`` (an engine
    ConvResult). Stems are file-safe, e.g. ``input``, ``normal_output``,
    ``depthwise_stage-depthwise``.
    """
    items = [ExportItem("input", None, None, image)]
    for mode, conv in results.items():
        prefix = safe_stem(mode)
        items.append(ExportItem(f"{prefix}_output", mode, None, conv.output, True))
        last = list(conv.stages)[-1] if conv.stages else None
        for name, stage in conv.stages.items():
            items.append(
                ExportItem(f"{prefix}_stage-{safe_stem(name)}", mode, name, stage, name == last)
            )
    return items
