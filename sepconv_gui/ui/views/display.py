"""How an output array becomes something to look at: the display mappings of a view.

Plain numpy, no Qt, so what a view shows can be checked exactly in tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SATURATED = 0.005
"""Fraction of pixels the signed and absolute mappings let saturate: one bright outlier
(a corner, a specular highlight) would otherwise squeeze every other edge into near-grey."""

SAMPLE = 1 << 14
"""Most values looked at to place the levels: enough for a stable percentile, cheap per frame."""

MAPPINGS = {
    "clip": "Clip to [0, 1]",
    "normalize": "Min-max normalize",
    "abs": "Absolute value",
    "signed": "Signed (zero = grey)",
}


def pick_channels(array: np.ndarray, channel: int | None) -> np.ndarray:
    """One channel ``(H, W)``, or the RGB triple ``(H, W, 3)`` when ``channel`` is None.

    An array with exactly 3 channels shows as RGB; any other count shows one channel.
    """
    if array.ndim == 2:
        return array
    if channel is None:
        if array.shape[2] == 3:
            return array
        channel = 0
    return array[:, :, min(channel, array.shape[2] - 1)]


def round_up_2(value: float) -> float:
    """``value`` rounded up to two significant digits (0.01234 -> 0.013)."""
    if value <= 0 or not np.isfinite(value):
        return value
    step = 10.0 ** (np.floor(np.log10(value)) - 1)
    return float(np.ceil(value / step - 1e-9) * step)


def robust_limit(array: np.ndarray) -> float:
    """The magnitude that all but SATURATED of |array| stays below (from a pixel sample).

    Whole pixels are sampled on a grid, every channel of each, so no channel is skipped
    whatever the image size; non-finite values are ignored. Rounded up to two significant
    digits: on live video the levels, and the colour bar that shows them, then hold still
    from frame to frame instead of twitching with the noise.
    """
    pixels = array if array.ndim == 3 else array[:, :, np.newaxis]
    height, width, channels = pixels.shape
    step = max(1, int(np.sqrt(height * width * channels / SAMPLE)))
    sample = np.abs(pixels[::step, ::step]).reshape(-1)
    sample = sample[np.isfinite(sample)]
    limit = float(np.quantile(sample, 1.0 - SATURATED)) if sample.size else 0.0
    if limit <= 0:  # mostly zeros (a sparse edge map): fall back to the largest magnitude
        low, high = finite_range(array)
        limit = max(abs(low), abs(high))
    return round_up_2(limit) or 1.0


def finite_range(array: np.ndarray) -> tuple[float, float]:
    """Minimum and maximum over the finite values (0, 0 when there are none)."""
    if array.size:  # two passes and no mask when all is finite (NaN and inf would show here)
        low, high = float(array.min()), float(array.max())
        if np.isfinite(low) and np.isfinite(high):
            return low, high
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return 0.0, 0.0
    return float(finite.min()), float(finite.max())


def map_for_display(array: np.ndarray, mapping: str) -> tuple[np.ndarray, tuple[float, float]]:
    """The array to hand to an image item and the levels to show it with.

    Levels are explicit on every frame: pyqtgraph's auto-levels would make live video flicker.
    ``signed`` keeps zero at the middle of the colour map, so edge responses read as
    positive/negative around a neutral grey. ``signed`` and ``abs`` place their limit so that
    SATURATED of the pixels saturate; ``normalize`` is the exact minimum and maximum.
    """
    if mapping == "clip":
        return np.clip(array, 0.0, 1.0), (0.0, 1.0)
    if mapping == "abs":
        return np.abs(array), (0.0, robust_limit(array))
    if mapping == "signed":
        limit = robust_limit(array)
        return array, (-limit, limit)
    if mapping == "normalize":
        low, high = finite_range(array)
        return array, (low, high if high > low else low + 1.0)
    raise ValueError(f"unknown display mapping {mapping!r}; use one of {', '.join(MAPPINGS)}")


def default_mapping(array: np.ndarray) -> str:
    """Signed for outputs with clearly negative values (edge kernels), clip otherwise."""
    low, high = finite_range(array)
    if low < -0.05 * max(abs(high), 1e-12):
        return "signed"
    return "clip" if high <= 1.0 + 1e-6 else "normalize"


def mapping_levels(array: np.ndarray, mapping: str) -> tuple[float, float]:
    """The levels :func:`map_for_display` gives, without making the mapped array (the input
    view of every live frame is clipped: its levels are known without a pass over it)."""
    if mapping == "clip":
        return (0.0, 1.0)
    if mapping == "abs":
        return (0.0, robust_limit(array))
    return map_for_display(array, mapping)[1]  # signed and normalize map nothing


def apply_mapping(array: np.ndarray, mapping: str) -> np.ndarray:
    """The values an image item is given under ``mapping`` (levels are set separately)."""
    if mapping == "clip":
        return np.clip(array, 0.0, 1.0)
    if mapping == "abs":
        return np.abs(array)
    if mapping in ("signed", "normalize"):
        return array
    raise ValueError(f"unknown display mapping {mapping!r}; use one of {', '.join(MAPPINGS)}")


@dataclass(frozen=True)
class SharedLook:
    """One display mapping for every output, so equal numbers look equal in every view.

    ``rgb`` is True only when every output has three channels: then all may show colour;
    otherwise every view shows one channel through the same colour map (a 1-channel spatial
    output next to 3-channel normal output would else be a colour map beside an RGB image).
    """

    mapping: str
    levels: tuple[float, float]
    rgb: bool


def shared_mapping(arrays: list[np.ndarray]) -> str:
    """:func:`default_mapping` decided over the values of all ``arrays`` together."""
    ranges = [finite_range(a) for a in arrays]
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    return default_mapping(np.array([low, high], dtype=np.float64))


def shared_look(arrays: list[np.ndarray], mapping: str | None = None) -> SharedLook:
    """Mapping and levels that fit every array (all channels of each), for all views alike."""
    if not arrays:
        return SharedLook(mapping or "clip", (0.0, 1.0), True)
    rgb = all(a.ndim == 3 and a.shape[2] == 3 for a in arrays)
    mapping = mapping or shared_mapping(arrays)
    if mapping == "clip":
        levels = (0.0, 1.0)
    elif mapping in ("abs", "signed"):
        limit = max(robust_limit(a) for a in arrays)
        levels = (0.0, limit) if mapping == "abs" else (-limit, limit)
    elif mapping == "normalize":
        ranges = [finite_range(a) for a in arrays]
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
        levels = (low, high if high > low else low + 1.0)
    else:
        raise ValueError(f"unknown display mapping {mapping!r}; use one of {', '.join(MAPPINGS)}")
    return SharedLook(mapping, levels, rgb)


def tick_labels(values: list[float], spacing: float) -> list[str]:
    """Short colour-bar labels for any range: plain decimals from 0.001 to 9999, otherwise
    a mantissa and exponent ("5e15", "-2.5e-6") with the fewest digits that keep every label
    distinct and equal to its value to 1 % of a tick spacing."""
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    if not finite or not math.isfinite(spacing) or spacing <= 0:
        return [f"{v:g}" for v in values]
    largest = max(finite)
    if 1e-3 <= largest < 1e4:
        places = max(0, math.ceil(-math.log10(spacing) - 1e-9))
        return [f"{v:.{places}f}" for v in values]
    for digits in range(5):
        labels = [_exponent_label(v, digits) for v in values]
        close = all(abs(float(t) - v) <= 0.01 * spacing for t, v in zip(labels, values))
        if close and len(set(labels)) == len(labels):
            return labels
    return labels


def _exponent_label(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}"
