"""Synthesizing C input channels (up to 256) from a 1- or 3-channel source, deterministically.

Networks see tens to hundreds of channels; a camera gives three. To try network-sized C live,
the source is expanded into named feature channels, always in the same order:

1. **base features** — the source channels (``R, G, B`` or ``gray``), then for a colour
   source ``luma`` (BT.601), then of the luma (or gray): ``d/dx``, ``d/dy`` (Sobel 3×3,
   scaled by 1/8 so a unit step gives 1), ``|grad|``, Gaussian blurs ``blur σ1``, ``blur σ2``,
   ``blur σ4`` and ``laplacian`` (3×3);
2. **shifted variants** — when C exceeds the base count, the base features again, each moved
   by a whole-pixel offset (edge pixels repeat), cycling through the features and then
   through the offsets (0, +1), (+1, 0), (0, -1), (-1, 0), (+1, +1), (+1, -1), (-1, +1),
   (-1, -1), then the same at distance 2, 3, …; named like ``R shifted (+0,+1)`` (dy, dx:
   output pixel (y, x) shows the feature's pixel (y - dy, x - dx)).

Channel c of a C-channel expansion is the same array whatever C is, so growing C only adds
channels at the end. Borders use OpenCV's reflect-101, like the engine's default. No Qt.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from ..engine import ResourceError

MAX_SYNTH_CHANNELS = 256
# The expansion allocates H*W*C float32 at once; past this it would crowd out the modes.
EXPANSION_BUDGET_BYTES = 1 << 30
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_SOURCE_NAMES = {1: ("gray",), 3: ("R", "G", "B")}
_DERIVED = ("d/dx", "d/dy", "|grad|", "blur σ1", "blur σ2", "blur σ4", "laplacian")


def base_names(source_channels: int) -> tuple[str, ...]:
    if source_channels not in _SOURCE_NAMES:
        raise ValueError(f"the source must have 1 or 3 channels; got {source_channels}")
    names = _SOURCE_NAMES[source_channels]
    plane = "gray" if source_channels == 1 else "luma"
    extra = () if source_channels == 1 else ("luma",)
    return names + extra + tuple(f"{d} {plane}" for d in _DERIVED)


def _offsets():
    """(dy, dx) offsets: the 4 then 8 neighbours at distance 1, then at 2, 3, ..."""
    for distance in itertools.count(1):
        d = distance
        yield from ((0, d), (d, 0), (0, -d), (-d, 0), (d, d), (d, -d), (-d, d), (-d, -d))


def _plan(source_channels: int, count: int) -> list[tuple[int, tuple[int, int]]]:
    """For each output channel: (index of the base feature, (dy, dx) shift)."""
    base = len(base_names(source_channels))
    plan = [(i, (0, 0)) for i in range(min(base, count))]
    for offset in _offsets():
        for i in range(base):
            if len(plan) >= count:
                return plan
            plan.append((i, offset))
    return plan


def _check_count(count) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 256:
        raise ValueError(f"channel count must be a whole number from 1 to 256; got {count!r}")
    return count


def channel_names(source_channels: int, count: int) -> list[str]:
    """The names of the ``count`` synthesized channels of a 1- or 3-channel source."""
    names = base_names(source_channels)
    return [
        names[i] if shift == (0, 0) else f"{names[i]} shifted ({shift[0]:+d},{shift[1]:+d})"
        for i, shift in _plan(source_channels, _check_count(count))
    ]


def _base_features(image: np.ndarray) -> list[np.ndarray]:
    planes = [image[:, :, c] for c in range(image.shape[2])]
    plane = planes[0] if len(planes) == 1 else image @ LUMA
    if len(planes) == 3:
        planes.append(plane)
    border = cv2.BORDER_REFLECT_101
    dx = cv2.Sobel(plane, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8, borderType=border)
    dy = cv2.Sobel(plane, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8, borderType=border)
    blurs = [cv2.GaussianBlur(plane, (0, 0), s, borderType=border) for s in (1, 2, 4)]
    laplacian = cv2.Laplacian(plane, cv2.CV_32F, ksize=1, borderType=border)
    return planes + [dx, dy, np.hypot(dx, dy), *blurs, laplacian]


def _shift(plane: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``out[y, x] = plane[y - dy, x - dx]``, repeating edge pixels."""
    h, w = plane.shape
    rows = np.clip(np.arange(h) - dy, 0, h - 1)
    cols = np.clip(np.arange(w) - dx, 0, w - 1)
    return plane[rows[:, None], cols[None, :]]


def expand_channels(image: np.ndarray, count: int) -> np.ndarray:
    """``(H, W, count)`` float32 channels synthesized from an ``(H, W, 1 or 3)`` image.

    Raises ValueError for a bad count or source, and ResourceError when the result would
    exceed EXPANSION_BUDGET_BYTES (lower C or the image size).
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"the source must be (H, W) or (H, W, 1 or 3); got {image.shape}")
    plan = _plan(image.shape[2], _check_count(count))
    h, w = image.shape[:2]
    needed = h * w * count * 4
    if needed > EXPANSION_BUDGET_BYTES:
        raise ResourceError(
            f"{count} synthesized channels of a {w}×{h} image need {needed / 2**20:.0f} MB; "
            f"the limit is {EXPANSION_BUDGET_BYTES / 2**20:.0f} MB: lower C or the image size",
            needed_bytes=needed,
            budget_bytes=EXPANSION_BUDGET_BYTES,
        )
    features = _base_features(np.ascontiguousarray(image))
    out = np.empty((h, w, count), dtype=np.float32)
    for c, (i, (dy, dx)) in enumerate(plan):
        out[:, :, c] = features[i] if (dy, dx) == (0, 0) else _shift(features[i], dy, dx)
    return out
