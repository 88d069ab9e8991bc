"""A benchmark sweep as files: the table as CSV, a JSON report with the machine it ran on.

No Qt. Every write is atomic (a temporary file beside the target, then a rename) and refuses
to replace an existing file unless ``overwrite=True``: the panel asks the user first.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any


from .. import __version__
from ..bench.machine import describe, library_version
from ..io.files import write_bytes_atomic
from .sweep import SweepPoint, SweepResult

CSV_FIELDS: tuple[str, ...] = (
    "point",
    "variable",
    "value",
    "width",
    "height",
    "channels",
    "outputs",
    "k",
    "mode",
    "algorithm",
    "ms",
    "p25_ms",
    "p75_ms",
    "stages_ms",
    "repeats",
    "multiplications",
    "normal_multiplications",
    "compared_with",
    "reference_ms",
    "reference_p25_ms",
    "reference_p75_ms",
    "theoretical_ratio",
    "measured_ratio",
    "theoretical_speedup",
    "measured_speedup",
    "load_before",
    "load_after",
    "busy",
    "threads",
    "settings",
)

#: What each mode's ratios compare it with (like for like).
COMPARED_WITH = {
    "normal": "",
    "spatial": "the same per-channel k×k filter (OpenCV filter2D)",
    "depthwise": "normal convolution with the same C → P",
}


# --- what the numbers were measured on ------------------------------------------------------
def describe_machine() -> dict[str, Any]:
    """CPU, cores, library versions and thread counts: what makes two sweeps comparable.

    The benchmark's own description (:func:`sepconv_gui.bench.machine.describe`, with the
    timing protocol's thread settings) plus the app's versions.
    """
    machine = describe()
    machine.update(
        {
            "sepconv_gui": __version__,
            "PySide6": library_version("PySide6", "PySide6", "PySide6-Essentials"),
            "pyqtgraph": library_version("pyqtgraph"),
        }
    )
    return machine


# --- records --------------------------------------------------------------------------------
def _speedup(ratio: float | None) -> float | None:
    return 1.0 / ratio if ratio else None


def mode_record(point: SweepPoint, mode: str) -> dict[str, Any]:
    """One mode at one point, in ms and plain numbers (the JSON and CSV share it)."""
    timing = point.modes[mode]
    theoretical, measured = float(point.theoretical_ratio(mode)), point.measured_ratio(mode)
    reference = point.reference_for(mode) if mode != "normal" else None
    compared = COMPARED_WITH.get(mode, "")
    if mode == "spatial" and (reference is None or reference.mode == "normal"):
        reference, compared = None, COMPARED_WITH["spatial"] + " (not timed)"
    return {
        "compared_with": compared,
        "reference_ms": None if reference is None else reference.seconds * 1e3,
        "reference_p25_ms": None if reference is None else reference.protocol.get("p25_ms"),
        "reference_p75_ms": None if reference is None else reference.protocol.get("p75_ms"),
        "load_after": timing.protocol.get("load_after"),
        "threads": timing.protocol.get("threads"),
        "algorithm": timing.algorithm,
        "ms": timing.seconds * 1e3,
        "times_ms": [t * 1e3 for t in timing.times],
        "stages_ms": {name: s * 1e3 for name, s in timing.stages.items()},
        "p25_ms": timing.protocol.get("p25_ms"),
        "p75_ms": timing.protocol.get("p75_ms"),
        "load_before": timing.protocol.get("load_before"),
        "busy": timing.protocol.get("busy"),
        "multiplications": timing.multiplications,
        "theoretical_ratio": theoretical,
        "measured_ratio": measured,
        "theoretical_speedup": _speedup(theoretical),
        "measured_speedup": _speedup(measured),
    }


def settings_summary(result: SweepResult) -> str:
    """The sweep's design and conditions in one cell: what a reader of a lone CSV needs."""
    spec, machine = result.spec, result.machine or {}
    parts = [
        f"vary {spec.variable} over {','.join(map(str, spec.values))}",
        f"k={spec.k} C={spec.channels} P={spec.outputs} image={spec.width}x{spec.height}",
        f"modes={'+'.join(spec.modes)} algorithm={spec.algorithm} repeats={spec.repeats}",
        f"seed={spec.seed}",
    ]
    for key in ("cpu", "cores_available", "blas", "numpy", "opencv"):
        if machine.get(key) is not None:
            parts.append(f"{key}={machine[key]}")
    return "; ".join(parts)


def to_csv(result: SweepResult) -> str:
    """One row per point and mode, columns :data:`CSV_FIELDS`; empty cells mean "no value"."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    settings = settings_summary(result)
    for point in result.points:
        for mode in point.modes:
            record = mode_record(point, mode)
            stages = ";".join(f"{name}={ms:.6g}" for name, ms in record.pop("stages_ms").items())
            record.pop("times_ms")
            record["threads"] = json.dumps(record["threads"], sort_keys=True)
            writer.writerow(
                {
                    "point": point.index,
                    "variable": result.spec.variable,
                    "value": point.value,
                    **asdict(point.config),
                    "mode": mode,
                    "stages_ms": stages,
                    "repeats": len(point.modes[mode].times),
                    "normal_multiplications": point.normal_multiplications,
                    "settings": settings,
                    **record,
                }
            )
    return buffer.getvalue()


def to_json(result: SweepResult) -> str:
    """The machine, the sweep's settings and every point, as an indented JSON document."""
    document = {
        "format": "sepconv-gui benchmark sweep",
        "version": 1,
        "started": result.started,
        "status": result.status,
        "machine": result.machine,
        "sweep": asdict(result.spec),
        "points": [
            {
                "index": p.index,
                "value": p.value,
                **asdict(p.config),
                "normal_multiplications": p.normal_multiplications,
                "seconds": p.seconds,
                "modes": {mode: mode_record(p, mode) for mode in p.modes},
            }
            for p in result.points
        ],
    }
    return json.dumps(document, indent=2) + "\n"


# --- files ----------------------------------------------------------------------------------
def write_new(path: str | Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; FileExistsError if it exists and not ``overwrite``."""
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(f"{path.name} already exists")
    write_bytes_atomic(path, data)


def write_csv(path: str | Path, result: SweepResult, *, overwrite: bool = False) -> None:
    write_new(path, to_csv(result).encode("utf-8"), overwrite=overwrite)


def write_json(path: str | Path, result: SweepResult, *, overwrite: bool = False) -> None:
    write_new(path, to_json(result).encode("utf-8"), overwrite=overwrite)
