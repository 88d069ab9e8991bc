"""The guided lessons as data: read from ``resources/lessons.toml``, checked, turned into designs.

No Qt here. All lesson text lives in that one file so a teacher can reword or reorder it
without touching code; this module only checks each step names a real preset, real modes and
real docks, and says which step and key is wrong when not.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ...app.state import Design, DesignError
from ...assets import resource_path
from ...engine import MODES, preset_kernel

LESSONS_FILE = "lessons.toml"
DOCKS = (
    "designDock",
    "costDock",
    "timingDock",
    "stagesDock",
    "differenceDock",
    "benchmarkDock",
    "modelDock",
    "pixelDock",
)
DESIGN_KEYS = ("out_channels", "multiplier", "pointwise", "pointwise_seed", "spatial_rank")
KEYS = {"title", "text", "preset", "size", "params", "modes", "show", "raise", "focus"}
KEYS |= set(DESIGN_KEYS)


class LessonError(ValueError):
    """The lessons file cannot be used; the message names the step and the key."""


@dataclass(frozen=True)
class LessonStep:
    title: str
    text: str
    design: Design  # the kernel and channel side; the source's grayscale setting is kept
    show: tuple[str, ...] = ()
    raise_dock: str = ""
    focus: str = "normal"
    size: int = 3

    def design_for(self, current: Design) -> Design:
        """The step's design on the user's input (grayscale stays as the user set it)."""
        return self.design.with_changes(grayscale=current.grayscale)


def _step(number: int, raw: dict) -> LessonStep:
    where = f"lesson step {number}"
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise LessonError(
            f"{where}: unknown key {', '.join(unknown)}; use {', '.join(sorted(KEYS))}"
        )
    for key in ("title", "text", "preset", "size", "modes"):
        if key not in raw:
            raise LessonError(f"{where} ({raw.get('title', '?')}): {key} is missing")
    modes = tuple(raw["modes"])
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise LessonError(f"{where}: modes {bad or modes} unknown; use {', '.join(MODES)}")
    docks = tuple(raw.get("show", ()))
    raised = raw.get("raise", "")
    bad = [d for d in (*docks, raised) if d and d not in DOCKS]
    if bad:
        raise LessonError(f"{where}: unknown dock {', '.join(bad)}; use {', '.join(DOCKS)}")
    focus = raw.get("focus", modes[-1])
    if focus not in modes:
        raise LessonError(f"{where}: focus {focus!r} is not one of its modes {modes}")
    params = dict(raw.get("params", {}))
    try:
        kernel = preset_kernel(raw["preset"], raw["size"], **params)
        design = Design(
            kernel=tuple(tuple(float(v) for v in row) for row in kernel),
            preset=raw["preset"],
            preset_params=params,
            modes=modes,
            **{key: raw[key] for key in DESIGN_KEYS if key in raw},
        )
    except (ValueError, TypeError, DesignError) as error:
        raise LessonError(f"{where} ({raw['title']}): {error}") from None
    return LessonStep(
        title=str(raw["title"]).strip(),
        text=str(raw["text"]).strip(),
        design=design,
        show=docks,
        raise_dock=raised,
        focus=focus,
        size=int(raw["size"]),
    )


def parse_lessons(text: str) -> list[LessonStep]:
    """The steps in a lessons file's text; LessonError names what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"{LESSONS_FILE} is not valid TOML: {error}") from None
    steps = data.get("step")
    if not isinstance(steps, list) or not steps:
        raise LessonError(f"{LESSONS_FILE} has no [[step]] tables")
    return [_step(number, raw) for number, raw in enumerate(steps, 1)]


def load_lessons(path: str | Path | None = None) -> list[LessonStep]:
    """The bundled lessons (or those at ``path``)."""
    path = Path(path) if path is not None else resource_path(LESSONS_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LessonError(f"cannot read the lessons ({path}): {error.strerror}") from None
    return parse_lessons(text)
