"""Type and range checks for every design field, shared by the file reader and ``Design()``.

Each check takes the field's name and a raw value (from JSON, a widget or a test), returns the
value in the one canonical type the rest of the app relies on (tuples of floats, plain ints,
real bools) and raises :class:`DesignError` naming the field otherwise. Nothing is coerced
that could hide a mistake: ``"121"`` is not a kernel row, ``1.5`` is not a seed, ``"no"`` is
not a bool. Numbers must fit float32, the precision the engine computes in, so a value like
1e308 is refused here instead of turning into infinity in the middle of a frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real

import numpy as np

FLOAT32_MAX = float(np.finfo(np.float32).max)
MAX_SEED = 2**32 - 1
MAX_PARAMS = 32
MAX_NAME = 64


class DesignError(ValueError):
    """A design file or value that cannot be used; the message says why."""


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def real(name: str, value) -> float:
    """A finite real number within float32 range, as a Python float."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise DesignError(f"{name} must be a number; got {_show(value)}")
    if isinstance(value, Integral) and abs(int(value)) > FLOAT32_MAX:
        raise DesignError(f"{name} is beyond the float32 range (±3.4e38); got {_show(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise DesignError(f"{name} must be a finite number; got {_show(value)}")
    if abs(number) > FLOAT32_MAX:
        raise DesignError(f"{name} is beyond the float32 range (±3.4e38); got {number:g}")
    return number


def whole(name: str, value, low: int, high: int) -> int:
    """A whole number in ``low..high`` (bools and floats such as 1.0 are refused)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise DesignError(f"{name} must be a whole number from {low} to {high}; got {_show(value)}")
    return int(value)


def flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise DesignError(f"{name} must be true or false; got {_show(value)}")
    return bool(value)


def choice(name: str, value, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise DesignError(f"{name} {_show(value)} is unknown; use one of {', '.join(allowed)}")
    return value


def _sequence(name: str, value) -> Sequence:
    # A string is a sequence of characters: "121" must not become the row 1, 2, 1.
    if isinstance(value, np.ndarray):
        return list(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise DesignError(f"{name} must be a list; got {_show(value)}")
    return value


def grid(name: str, value, *, max_rows: int, max_cols: int, allow_empty: bool = False):
    """A rectangular grid of numbers as a tuple of tuples of floats."""
    rows = _sequence(name, value)
    if not rows:
        if allow_empty:
            return ()
        raise DesignError(f"{name} must have at least one row")
    if len(rows) > max_rows:
        raise DesignError(f"{name} has {len(rows)} rows; at most {max_rows} are allowed")
    result = []
    for i, row in enumerate(rows):
        cells = _sequence(f"{name} row {i}", row)
        if len(cells) > max_cols:
            raise DesignError(f"{name} row {i} has {len(cells)} values; at most {max_cols}")
        result.append(tuple(real(f"{name}[{i}][{j}]", x) for j, x in enumerate(cells)))
    widths = {len(row) for row in result}
    if len(widths) != 1 or 0 in widths:
        raise DesignError(
            f"{name} must be a rectangular grid with at least one column; "
            f"its rows have {sorted(widths)} values"
        )
    return tuple(result)


def params(name: str, value) -> dict[str, float]:
    """Preset parameters: a mapping of short names to numbers (ints kept as ints)."""
    if not isinstance(value, Mapping):
        raise DesignError(f"{name} must be a mapping of names to numbers; got {_show(value)}")
    if len(value) > MAX_PARAMS:
        raise DesignError(f"{name} has {len(value)} entries; at most {MAX_PARAMS}")
    result = {}
    for key, number in value.items():
        if not isinstance(key, str) or not 0 < len(key) <= MAX_NAME:
            raise DesignError(f"{name} keys must be short names; got {_show(key)}")
        checked = real(f"{name}[{key!r}]", number)
        result[key] = int(number) if isinstance(number, Integral) else checked
    return result


def mode_list(name: str, value, allowed: Sequence[str]) -> tuple[str, ...]:
    """A non-empty list of distinct modes, kept in the order given."""
    items = _sequence(name, value)
    modes = tuple(choice(f"{name} entry", item, allowed) for item in items)
    if not modes:
        raise DesignError(f"{name} must name at least one of {', '.join(allowed)}")
    if len(set(modes)) != len(modes):
        raise DesignError(f"{name} names a mode twice: {list(modes)}")
    return modes


def short_name(name: str, value, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_NAME:
        raise DesignError(f"{name} must be a short name; got {_show(value)}")
    return choice(name, value, allowed)


class FrozenArray:
    """A read-only float64 array that compares by value, so a frozen Design can hold one.

    Large weight sets (pointwise matrices, per-map kernels, normal banks) are kept as arrays,
    not tuples, so that checking and copying a design stays fast at network sizes.
    """

    __slots__ = ("array", "_key")

    def __init__(self, array: np.ndarray) -> None:
        array = np.array(array, dtype=np.float64, copy=True, order="C")
        array.setflags(write=False)
        self.array = array
        self._key = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    def __len__(self) -> int:
        return len(self.array)

    def __eq__(self, other) -> bool:
        if isinstance(other, FrozenArray):
            return self.shape == other.shape and bool(np.array_equal(self.array, other.array))
        return NotImplemented

    def __hash__(self) -> int:
        if self._key is None:
            self._key = hash((self.shape, self.array.tobytes()))
        return self._key

    def __repr__(self) -> str:
        return f"FrozenArray(shape={self.shape})"

    def tolist(self) -> list:
        return self.array.tolist()


def _first_bad(value, max_shape: Sequence[int], path: str):
    """The path and value of the first entry that is not a plain number (or a list where one
    belongs); raises DesignError for a list longer than ``max_shape`` allows."""
    if not max_shape:
        if type(value) in (int, float) or isinstance(value, (np.integer, np.floating)):
            return None
        return path, value
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        return path, value
    if len(value) > max_shape[0]:
        raise DesignError(f"{path} has {len(value)} entries; at most {max_shape[0]}")
    for i, item in enumerate(value):
        bad = _first_bad(item, max_shape[1:], f"{path}[{i}]")
        if bad:
            return bad
    return None


def array(
    name: str,
    value,
    ndim: int,
    max_shape: Sequence[int],
    *,
    allow_empty: bool = False,
    max_values: int = 1 << 25,
):
    """An ``ndim``-dimensional array of finite float32-range numbers, as a FrozenArray.

    Returns None for an empty value when ``allow_empty``. Every refusal names the entry.
    """
    if isinstance(value, FrozenArray):
        data = value.array
    else:
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "iuf":
                raise DesignError(f"{name} must hold numbers; got an array of {value.dtype}")
        else:
            if allow_empty and (value is None or isinstance(value, Sequence) and len(value) == 0):
                return None
            bad = _first_bad(value, tuple(max_shape)[:ndim], name)
            if bad:
                where, item = bad
                kind = "a number" if where.count("[") == ndim else "a list"
                raise DesignError(f"{where} must be {kind}; got {_show(item)}")
        try:
            data = np.array(value, dtype=np.float64)
        except (ValueError, OverflowError) as error:
            raise DesignError(f"{name} must be a rectangular array of numbers ({error})") from None
    if data.size == 0 and allow_empty:
        return None
    if data.ndim != ndim or data.size == 0:
        raise DesignError(f"{name} must be a non-empty {ndim}-D array; got shape {data.shape}")
    for axis, (size, limit) in enumerate(zip(data.shape, max_shape)):
        if size > limit:
            raise DesignError(f"{name} has {size} entries along axis {axis}; at most {limit}")
    if data.size > max_values:
        raise DesignError(f"{name} has {data.size} values; at most {max_values}")
    if isinstance(value, FrozenArray):
        return value
    bad = ~np.isfinite(data) | (np.abs(data) > FLOAT32_MAX)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = name + "".join(f"[{i}]" for i in index)
        raise DesignError(f"{where} must be a finite number within float32; got {data[index]!r}")
    return FrozenArray(data)
