"""What a benchmark sweep measures: the swept variable, its values and the fixed sizes.

Plain Python, no Qt. A :class:`SweepSpec` checks everything up front (every invalid setting
raises ValueError with a sentence that names it), so :mod:`.sweep` measures its points
without a second look, and the benchmark controls turn a spec into ranges and back.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..engine import ALGORITHMS, MODES
from .state import MAX_CHANNELS, MAX_KERNEL_SIDE

#: What a sweep can vary, and how plots and files name it.
VARIABLES: dict[str, str] = {
    "k": "kernel size k",
    "P": "output channels P",
    "C": "input channels C",
    "size": "image width W (px)",
}

#: A sensible range per variable: (first, last, step, geometric).
DEFAULT_RANGES: dict[str, tuple[int, int, int, bool]] = {
    "k": (3, 15, 2, False),
    "P": (1, 128, 2, True),
    "C": (1, 32, 2, True),
    "size": (80, 1280, 2, True),
}

MAX_POINTS = 200
MAX_REPEATS = 1000
MAX_SIDE = 8192
#: Largest output a point may make (float32 values): 512 MiB, so a typo cannot exhaust memory.
MAX_OUTPUT_VALUES = 2**27


def value_range(first: int, last: int, step: int, geometric: bool = False) -> list[int]:
    """``first, first+step, ...`` (or ``first, first*step, ...``) up to and including ``last``.

    Examples
    --------
    >>> value_range(3, 9, 2), value_range(1, 20, 2, geometric=True)
    ([3, 5, 7, 9], [1, 2, 4, 8, 16])
    """
    if first < 1 or last < first:
        raise ValueError(f"the range {first} to {last} is empty: use 1 <= from <= to")
    if step < (2 if geometric else 1):
        least = "2 (× step)" if geometric else "1 (+ step)"
        raise ValueError(f"a step of {step} never advances: use a step of at least {least}")
    values, value = [], first
    while value <= last:
        if len(values) == MAX_POINTS:
            raise ValueError(f"that range has more than {MAX_POINTS} values: use a larger step")
        values.append(value)
        value = value * step if geometric else value + step
    return values


def as_range(values: Iterable[int]) -> tuple[int, int, int, bool]:
    """``(first, last, step, geometric)`` that :func:`value_range` turns back into ``values``.

    Examples
    --------
    >>> as_range([3, 5, 7]), as_range([2, 4, 8])
    ((3, 7, 2, False), (2, 8, 2, True))
    """
    values = list(values)
    if not values:
        raise ValueError("no values: a range needs at least one")
    for geometric in (False, True):
        if len(values) < 2:
            step = 2 if geometric else 1
        else:
            step = values[1] // values[0] if geometric else values[1] - values[0]
        try:
            if value_range(values[0], values[-1], step, geometric) == values:
                return values[0], values[-1], step, geometric
        except ValueError:
            continue
    raise ValueError(f"{values} is neither an even (+) nor a geometric (×) range")


def _whole(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int in ``low..high``, or ValueError naming ``name``."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)  # ints and numpy ints; not floats, strings or None
    except TypeError:
        raise ValueError(f"{name} must be a whole number; got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be from {low} to {high}; got {number}")
    return number


@dataclass(frozen=True)
class PointConfig:
    """The sizes of one sweep point: image ``height x width x channels``, P outputs, k x k."""

    height: int
    width: int
    channels: int
    outputs: int
    k: int


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep. ``values`` are taken by ``variable``; the other sizes stay fixed.

    For ``variable="size"`` a value is the image width; the height follows the aspect ratio
    of the fixed ``width x height``. Every invalid spec raises ValueError with a message
    meant for the user (it names the offending setting).
    """

    variable: str = "k"
    values: tuple[int, ...] = (3, 5, 7, 9, 11, 13, 15)
    k: int = 3
    outputs: int = 16
    channels: int = 3
    width: int = 320
    height: int = 240
    modes: tuple[str, ...] = MODES
    algorithm: str = "auto"
    repeats: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.variable not in VARIABLES:
            raise ValueError(f"cannot sweep {self.variable!r}; use one of {', '.join(VARIABLES)}")
        try:
            values = tuple(_whole("a swept value", v, 1, MAX_SIDE) for v in self.values)
        except TypeError:
            raise ValueError(f"values must be whole numbers; got {self.values!r}") from None
        if not 1 <= len(values) <= MAX_POINTS:
            raise ValueError(f"a sweep needs 1 to {MAX_POINTS} values; got {len(values)}")
        if any(b <= a for a, b in itertools.pairwise(values)):
            raise ValueError(f"the swept values must increase; got {list(values)}")
        modes = tuple(dict.fromkeys(self.modes))  # duplicates dropped, order kept
        unknown = [m for m in modes if m not in MODES]
        if not modes or unknown:
            raise ValueError(
                f"pick one or more modes from {', '.join(MODES)}; "
                f"got {', '.join(map(str, modes)) or 'none'}"
            )
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm {self.algorithm!r} is not one of {', '.join(ALGORITHMS)}")
        # Frozen: normalised fields are set through object.__setattr__.
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "repeats", _whole("repeats", self.repeats, 1, MAX_REPEATS))
        object.__setattr__(self, "seed", _whole("the seed", self.seed, 0, 2**63 - 1))
        for config in self.points():
            _check_config(config)

    def points(self) -> list[PointConfig]:
        """One configuration per value, in sweep order."""
        configs = []
        for value in self.values:
            sizes = {
                "k": self.k,
                "outputs": self.outputs,
                "channels": self.channels,
                "width": self.width,
                "height": self.height,
            }
            if self.variable == "size":
                _whole("the image width", self.width, 1, MAX_SIDE)
                _whole("the image height", self.height, 1, MAX_SIDE)
                sizes["width"] = value
                sizes["height"] = max(1, round(value * self.height / self.width))
            else:
                sizes[{"k": "k", "P": "outputs", "C": "channels"}[self.variable]] = value
            configs.append(PointConfig(**sizes))
        return configs


def _check_config(c: PointConfig) -> None:
    for name, value, most in (
        ("the kernel size k", c.k, MAX_KERNEL_SIDE),
        ("the output channels P", c.outputs, MAX_CHANNELS),
        ("the input channels C", c.channels, MAX_CHANNELS),
        ("the image width", c.width, MAX_SIDE),
        ("the image height", c.height, MAX_SIDE),
    ):
        _whole(name, value, 1, most)
    if c.k > min(c.height, c.width):
        raise ValueError(
            f"a {c.k}×{c.k} kernel does not fit a {c.width}×{c.height} image: "
            "use a smaller k or a larger image"
        )
    channels = max(c.outputs, c.channels)
    if c.height * c.width * channels > MAX_OUTPUT_VALUES:
        raise ValueError(
            f"a {c.width}×{c.height} image with {channels} channels is too large "
            "for one benchmark point: use a smaller image or fewer channels"
        )
