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
  keys, since a newer format comes with a newer version number. Keys are checked against the
  fields of the version the file declares, then migrated.

Versions: 1 (kernel, preset, channels as the source gives them, shared turned copies,
pointwise presets or a custom matrix, the equivalent normal bank); 2 adds ``channels``
(synthesized C), ``depthwise_kind`` / ``depthwise_custom`` (per-channel or per-map
kernels), ``luma`` and ``swap`` pointwise presets, and ``normal_kind`` / ``normal_seed`` /
``normal_bank_file`` (an independent normal bank), and ``kernel_factors`` (the 1-D
factors the user typed, run as given by the spatial mode; optional, written only when set),
and ``stride`` / ``dilation`` (``[vertical, horizontal]``, each 1 to :data:`MAX_STEP`, a
single number meaning both: the sampling grid every mode runs at; optional, written only
when not 1, so files without them read as before), and ``layer_input`` (the model layer
whose input the design runs on, written only when set).
Version-1 files load unchanged: every version-2 field defaults to version-1 behaviour.

**Where big arrays live**: beside the JSON as ``.npy`` files (plain ``numpy.save``, exact,
readable without this app, and of any size up to the engine's limits, which JSON numbers
could not reach within the 16 MB cap). An imported normal bank always goes beside
(``<name>.normal.npy``, named in ``normal_bank_file``), never inline; a custom pointwise
matrix or per-channel/per-map kernels go inline up to :data:`INLINE_VALUES` numbers and
beside beyond (``<name>.pointwise.npy`` / ``<name>.depthwise.npy``, named in
``pointwise_custom_file`` / ``depthwise_custom_file``), so a fitted network-sized design
still saves. On load such a name must be a bare file name in the JSON's folder, or an
absolute path (what the app's own autosave uses); the file is read with
``allow_pickle=False`` after its header is checked (numeric, the right number of axes, at
most :data:`MAX_ARRAY_VALUES` values). A random bank is stored as its seed only.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
from pathlib import Path

import numpy as np

from .design_checks import DesignError

FORMAT_NAME = "sepconv-gui design"
FORMAT_VERSION = 2
MAX_STEP = 8  # largest stride or dilation a design may ask for
MAX_ARRAY_VALUES = 1 << 25
INLINE_VALUES = 1 << 16
# Array fields that may live in an .npy beside the JSON: axes, and the file-name suffix.
BESIDE = {
    "normal_bank": (4, "normal"),
    "pointwise_custom": (2, "pointwise"),
    "depthwise_custom": (3, "depthwise"),
}
V1_FIELDS = frozenset(
    "kernel preset preset_params multiplier out_channels pointwise pointwise_seed "
    "pointwise_custom spatial_rank border flip algorithm modes grayscale".split()
)
V2_FIELDS = V1_FIELDS | {
    "channels",
    "depthwise_kind",
    "depthwise_custom",
    "normal_kind",
    "normal_seed",
    "normal_bank_file",
    "pointwise_custom_file",
    "depthwise_custom_file",
    "kernel_factors",
    "stride",
    "dilation",
    "layer_input",
}
FIELDS_OF_VERSION = {1: V1_FIELDS, 2: V2_FIELDS}
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


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting of *valid* JSON text, at C speed.

    Only for text ``json.loads`` accepted: its strings are well formed, so removing them with
    a regular expression takes linear time and leaves only structural brackets.
    """
    structure = np.frombuffer(_STRINGS.sub("", text).encode("ascii", "ignore"), np.uint8)
    step = np.isin(structure, (ord("["), ord("{"))).astype(np.int32)
    step -= np.isin(structure, (ord("]"), ord("}")))
    return int(step.cumsum().max(initial=0))


def parse(text: str | bytes, known_fields: set[str], folder=None) -> dict:
    """The Design field values of a design file's text, migrated to :data:`FORMAT_VERSION`.

    ``known_fields`` are the Design's fields (a check that the format tables are complete);
    ``folder`` is where a bare ``normal_bank_file`` name is looked for.
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
    if nesting_depth(text) > MAX_DEPTH:
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
    _refuse_unknown(values, FIELDS_OF_VERSION[version])
    for step in range(version, FORMAT_VERSION):
        values = MIGRATIONS[step](values)
    for field, (ndim, _) in BESIDE.items():
        name = values.pop(f"{field}_file", None)
        if name is not None:
            if values.get(field) not in (None, []):
                raise DesignError(f"{field} is given both inline and as {field}_file")
            values[field] = load_array(f"{field}_file", name, folder, ndim)
    assert set(values) <= set(known_fields), "design_file field tables out of date"
    return values


def _refuse_unknown(values: dict, allowed: frozenset) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        hints = []
        for key in unknown[:5]:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise DesignError(f"unknown design keys: {', '.join(hints)}{more}")


def _v1_to_v2(values: dict) -> dict:
    # Every version-2 field's default is version-1 behaviour: nothing to change.
    return dict(values)


# MIGRATIONS[n] turns the fields of a version-n file into those of version n + 1.
MIGRATIONS = {1: _v1_to_v2}


def step_pair(name: str, value) -> tuple[int, int]:
    """A design's stride or dilation as ``(vertical, horizontal)``: one whole number or two,
    each 1..MAX_STEP (raises DesignError naming the field otherwise)."""
    items = list(value) if isinstance(value, (list, tuple)) else [value, value]
    ok = len(items) == 2 and all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_STEP for v in items
    )
    if not ok:
        raise DesignError(
            f"{name} must be a whole number from 1 to {MAX_STEP}, or two of them "
            f"[vertical, horizontal]; got {value!r}"
        )
    return items[0], items[1]


def load_array(key: str, name, folder, ndim: int) -> np.ndarray:
    """Read an ``.npy`` named by a design file's ``key`` (see the module doc)."""
    if not isinstance(name, str) or not name.endswith(".npy"):
        raise DesignError(f"{key} must name an .npy file; got {name!r}")
    if os.path.isabs(name):
        path = Path(name)
    elif Path(name).name == name and name not in (".", ".."):
        if folder is None:
            raise DesignError(f"{key} {name!r} is beside the design file; load it from its file")
        path = Path(folder) / name
    else:
        raise DesignError(
            f"{key} must be a file name beside the design or an absolute path; got {name!r}"
        )
    try:
        with open(path, "rb") as stream:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
            if dtype.kind not in "iuf" or len(shape) != ndim:
                raise DesignError(
                    f"{key} {path.name} must hold a {ndim}-D array of numbers; "
                    f"it holds {dtype} {shape}"
                )
            if int(np.prod(shape)) > MAX_ARRAY_VALUES:
                raise DesignError(
                    f"{key} {path.name} holds {int(np.prod(shape))} values; "
                    f"at most {MAX_ARRAY_VALUES}"
                )
            stream.seek(0)
            return np.load(stream, allow_pickle=False)
    except OSError as error:
        raise DesignError(f"{key} {name!r} cannot be read: {error.strerror}") from None
    except ValueError as error:
        raise DesignError(f"{key} {path.name} is not a valid .npy: {error}") from None


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if value is None:
        return []
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def design_json(design, files: dict[str, str] | None = None) -> str:
    """Version-2 JSON text: one field per line, each value compact (grids on one line).

    ``files`` maps array fields to the ``.npy`` names written for them (see
    :func:`write_arrays`); an imported bank or an array over INLINE_VALUES needs one.
    """
    files = files or {}
    entries = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
    for name in design.__dataclass_fields__:
        value = getattr(design, name)
        if name in files:
            entries[f"{name}_file"] = files[name]
            continue
        if (
            name in BESIDE
            and value is not None
            and (name == "normal_bank" or value.array.size > INLINE_VALUES)
        ):
            raise DesignError(
                f"{name} is saved beside the design as .npy; save the design to a file"
            )
        # Written only when typed, so files without them stay readable by earlier v2 builds.
        if name != "normal_bank" and not (name == "kernel_factors" and value is None):
            if name in ("stride", "dilation") and tuple(value) == (1, 1):
                continue
            if name == "layer_input" and not value:
                continue
            entries[name] = _plain(value)
    lines = [
        f"  {json.dumps(k)}: {json.dumps(v, separators=(', ', ': '))}" for k, v in entries.items()
    ]
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise DesignError(
            f"this design is {len(text) / 2**20:.1f} MB as JSON; design files are limited to "
            "16 MB: use a shorter kernel list or fewer preset parameters"
        )
    return text


def beside_path(path: str | os.PathLike, field: str) -> Path:
    """Where the ``.npy`` of array ``field`` of a design saved at ``path`` goes."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{BESIDE[field][1]}.npy")


def arrays_beside(design) -> list[str]:
    """The array fields that a save writes beside the JSON."""
    return [
        field
        for field in BESIDE
        if getattr(design, field) is not None
        and (field == "normal_bank" or getattr(design, field).array.size > INLINE_VALUES)
    ]


def write_arrays(design, path: str | os.PathLike, *, absolute: bool = False) -> dict[str, str]:
    """Write the arrays that go beside a design saved at ``path``; map field -> name used."""
    from ..io.files import write_bytes_atomic

    names = {}
    for field in arrays_beside(design):
        target = beside_path(path, field)
        buffer = io.BytesIO()
        np.save(buffer, getattr(design, field).array, allow_pickle=False)
        write_bytes_atomic(target, buffer.getvalue())
        names[field] = str(target.resolve()) if absolute else target.name
    return names


def save_design(design, path: str | os.PathLike) -> list[str]:
    """Write ``design`` to ``path`` atomically, big arrays beside it; list the files written."""
    from ..io.files import write_text_atomic

    path = Path(path)
    planned = {field: beside_path(path, field).name for field in arrays_beside(design)}
    text = design_json(design, planned)  # an oversized design is refused before writing
    names = write_arrays(design, path)
    write_text_atomic(path, text)
    return [str(path)] + [str(path.with_name(name)) for name in names.values()]
