"""Reading design files defensively: size, encoding, nesting, format, version, known keys.

A design file is a JSON object ``{"format": "sepconv-gui design", "version": N, ...fields}``.
Reading it goes through these gates, each refusing with a :class:`DesignError` that says what
was wrong:

* **size**: at most :data:`MAX_FILE_BYTES` (16 MB), checked from the file's size before reading
  and again while reading (a pipe or device has no size to check up front);
* **encoding**: UTF-8, with or without a byte-order mark;
* **nesting**: at most :data:`MAX_DEPTH` levels of lists and objects; JSON's own parser
  stops (with RecursionError, turned into DesignError) long before a deep file can exhaust
  the stack, and anything it parsed deeper than MAX_DEPTH is refused;
* **format and version**: older versions are migrated step by step to the current one;
  newer ones are refused (they may carry fields this app would silently drop);
* **keys**: unknown keys are *refused*, naming them (and the closest known key, for typos).
  Refusing is stricter than warning, but a design that loads is then exactly the design the
  file describes: nothing in it was ignored. Files written by this app never contain unknown
  keys, since a newer format comes with a newer version number.

Field values are checked afterwards by ``Design`` itself (see :mod:`.design_checks`).
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from .design_checks import DesignError

FORMAT_NAME = "sepconv-gui design"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 8


def read_design_text(path: str | os.PathLike) -> str:
    """The text of a design file, refusing files over the size cap before reading them.

    Raises DesignError for a file that is too big or not UTF-8; OSError for a file that
    cannot be opened or read.
    """
    path = Path(path)
    limit = f"design files are limited to {MAX_FILE_BYTES // (1024 * 1024)} MB"
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise DesignError(f"{path.name} is {size / 1024**2:.1f} MB; {limit}")
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DesignError(f"{path.name} is larger than 16 MB; {limit}")
    return decode(data)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DesignError(
            f"not a design file: not UTF-8 text (byte {error.start} is {data[error.start]:#04x})"
        ) from None


def nesting_depth(value, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and dicts nest in parsed JSON (stops counting past ``limit + 1``)."""
    if not isinstance(value, (list, dict)):
        return 0
    if limit < 0:
        return 1
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((nesting_depth(item, limit - 1) for item in items), default=0)


def parse(text: str | bytes, known_fields: set[str]) -> dict:
    """The field values of a design file's text, migrated to :data:`FORMAT_VERSION`.

    ``known_fields`` are the Design fields; any other key is refused.
    """
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_FILE_BYTES:
            raise DesignError("design files are limited to 16 MB")
        text = decode(bytes(text))
    if len(text) > MAX_FILE_BYTES:
        raise DesignError("design files are limited to 16 MB")
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DesignError(f"not a design file: invalid JSON ({error})") from None
    except RecursionError:
        raise DesignError(
            f"not a design file: lists nested far deeper than the {MAX_DEPTH} levels allowed"
        ) from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise DesignError(f"not a design file: {error}") from None
    if nesting_depth(data) > MAX_DEPTH:
        raise DesignError(f"not a design file: lists nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise DesignError(f"not a design file: no 'format': '{FORMAT_NAME}' entry")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DesignError(f"version must be a whole number >= 1; got {version!r}")
    if version > FORMAT_VERSION:
        raise DesignError(
            f"design file version {version} is not supported (this app reads versions 1 to "
            f"{FORMAT_VERSION}); it may come from a newer sepconv-gui"
        )
    values = {k: v for k, v in data.items() if k not in ("format", "version")}
    for step in range(version, FORMAT_VERSION):
        values = MIGRATIONS[step](values)
    unknown = sorted(set(values) - known_fields)
    if unknown:
        hints = []
        for key in unknown[:5]:
            close = difflib.get_close_matches(key, sorted(known_fields), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise DesignError(f"unknown design keys: {', '.join(hints)}{more}")
    return values


# MIGRATIONS[n] turns the fields of a version-n file into those of version n + 1.
MIGRATIONS: dict[int, callable] = {}
