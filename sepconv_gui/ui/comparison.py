"""Display arithmetic behind the stage grid, the difference view and the pixel inspector.

Plain numpy and OpenCV, no Qt: what those widgets show can be checked exactly in tests.
Nothing here convolves; it only measures and shrinks arrays a convolution already produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..app.pipeline import FrameResult
from ..engine import MODES
from .display import default_mapping

THUMBNAIL_SIDE = 128
"""Longest side of a stage thumbnail, in pixels."""

EQUAL_TOLERANCE = 1e-4
"""Two outputs count as equal when they differ by less than this fraction of max |A|.

float32 sums of a few thousand products drift by about 1e-6 of their size, so anything
below 1e-4 is rounding, not a different computation."""

ROW_NAMES = {
    ("normal", "normal"): "Normal out",
    ("spatial", "vertical"): "Spatial vertical",
    ("spatial", "horizontal"): "Spatial out",
    ("depthwise", "depthwise"): "Depthwise maps",
    ("depthwise", "pointwise"): "Depthwise out",
}


# --- thumbnails ---------------------------------------------------------------------------
def thumbnail_size(height: int, width: int, max_side: int = THUMBNAIL_SIDE) -> tuple[int, int]:
    """``(width, height)`` of a thumbnail: the longest side at most ``max_side``, never enlarged."""
    scale = min(1.0, max_side / max(height, width))
    return max(1, round(width * scale)), max(1, round(height * scale))


def thumbnails(stage: np.ndarray, start: int, stop: int,
               max_side: int = THUMBNAIL_SIDE) -> np.ndarray:
    """Channels ``start:stop`` of an ``(H, W, N)`` stage, shrunk to ``(h, w, stop - start)``.

    INTER_AREA averages the pixels each thumbnail pixel covers, so fine detail greys out
    instead of aliasing into false patterns. Only the requested channels are copied, which
    keeps a page of a 64-channel stage as cheap as a 3-channel one.
    """
    height, width = stage.shape[:2]
    size = thumbnail_size(height, width, max_side)
    block = np.ascontiguousarray(stage[:, :, start:stop], dtype=np.float32)
    if size == (width, height):
        return block
    small = cv2.resize(block, size, interpolation=cv2.INTER_AREA)
    return small.reshape(size[1], size[0], stop - start)


def stage_mapping(stage: np.ndarray) -> str:
    """"signed", "clip" or "normalize" for a whole stage, judged on a strided sample."""
    return default_mapping(_sample(stage))


def stage_levels(stage: np.ndarray, mapping: str) -> tuple[float, float]:
    """Levels shared by every thumbnail of a stage, so its maps can be compared by eye.

    They come from a strided sample of the full-size stage: its extremes are at least those
    of the averaged thumbnails, so thumbnails are never clipped much, and the cost stays
    small for stages with many channels.
    """
    sample = _sample(stage)
    if mapping == "signed":
        limit = float(np.abs(sample).max(initial=0.0))
        return (-limit, limit) if limit > 0 else (-1.0, 1.0)
    if mapping == "clip":
        return 0.0, 1.0
    low, high = float(sample.min(initial=0.0)), float(sample.max(initial=0.0))
    return (low, high) if high > low else (low, low + 1.0)


def _sample(stage: np.ndarray) -> np.ndarray:
    step = max(1, max(stage.shape[:2]) // (2 * THUMBNAIL_SIDE))
    return stage[::step, ::step]


def to_rgb8(plane: np.ndarray, levels: tuple[float, float], lut: np.ndarray) -> np.ndarray:
    """A 2-D plane through a ``(256, 3)`` uint8 lookup table: C-contiguous ``(h, w, 3)`` uint8."""
    low, high = levels
    scaled = (plane - low) * (255.0 / (high - low))
    index = np.clip(scaled, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(lut[index])


# --- differences --------------------------------------------------------------------------
@dataclass
class DifferenceStats:
    """How far output B is from output A over the channels both have.

    ``peak`` is the data range of A (max - min), the signal PSNR is measured against, so
    signed edge outputs and [0, 1] images are judged alike; an A with no range falls back to
    max |A|, then to 1. ``psnr`` is infinite when the outputs are bit-identical.
    """

    max_abs: float
    rms: float
    psnr: float
    relative: float
    peak: float
    channels: int
    channels_a: int
    channels_b: int
    worst: tuple[int, int, int]
    scale: float
    error_map: np.ndarray = field(repr=False)

    @property
    def equal(self) -> bool:
        """Equal up to float32 rounding (see :data:`EQUAL_TOLERANCE`)."""
        return self.max_abs <= self.tolerance

    @property
    def tolerance(self) -> float:
        """Rounding allowance: :data:`EQUAL_TOLERANCE` of ``scale``, the max |A|."""
        return EQUAL_TOLERANCE * self.scale


def difference_stats(a: np.ndarray, b: np.ndarray) -> DifferenceStats:
    """Compare two ``(H, W, channels)`` outputs over their first ``min`` channels.

    Returns
    -------
    DifferenceStats
        ``error_map`` is ``(H, W)``: the largest ``|A - B|`` over the compared channels at
        each pixel; ``worst`` is ``(y, x, channel)`` of the largest error; ``relative`` is
        ``||A - B|| / ||A||`` (Frobenius norms).
    """
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(f"outputs of different sizes cannot be compared: {a.shape} and {b.shape}")
    channels = min(a.shape[2], b.shape[2])
    a64 = a[:, :, :channels].astype(np.float64)
    diff = np.abs(a64 - b[:, :, :channels])
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    max_abs = float(diff[worst])
    mse = float(np.mean(diff * diff))
    scale = float(np.abs(a64).max())
    peak = float(a64.max() - a64.min()) or scale or 1.0
    psnr = math.inf if mse == 0 else 10.0 * math.log10(peak * peak / mse)
    norm = float(np.linalg.norm(a64))
    relative = float(np.linalg.norm(diff)) / norm if norm else (0.0 if max_abs == 0 else math.inf)
    return DifferenceStats(
        max_abs, math.sqrt(mse), psnr, relative, peak, channels, a.shape[2], b.shape[2],
        tuple(int(i) for i in worst), scale or 1.0, diff.max(axis=2).astype(np.float32),
    )


@dataclass
class BorderReport:
    """The largest error within ``band`` pixels of each edge, against the interior.

    ``sides`` maps "top", "bottom", "left", "right" to the largest error in that strip;
    ``flagged`` lists the sides whose error exceeds :data:`BORDER_FACTOR` times the interior
    one (and the rounding tolerance): where a separable rewrite treats the border differently.
    ``interior_max`` is None when the image has no pixels outside the band.
    """

    band: int
    border_max: float
    interior_max: float | None
    sides: dict[str, float]
    flagged: tuple[str, ...]


BORDER_FACTOR = 2.0


def border_report(error_map: np.ndarray, band: int, tolerance: float = 0.0) -> BorderReport:
    """Split an ``(H, W)`` error map into its outer ``band``-pixel frame and the interior."""
    height, width = error_map.shape
    band = max(0, min(band, height, width))
    if band == 0:
        return BorderReport(0, 0.0, float(error_map.max(initial=0.0)), {}, ())
    sides = {
        "top": float(error_map[:band].max()),
        "bottom": float(error_map[height - band:].max()),
        "left": float(error_map[:, :band].max()),
        "right": float(error_map[:, width - band:].max()),
    }
    inner = error_map[band:height - band, band:width - band]
    interior = float(inner.max()) if inner.size else None
    threshold = max(tolerance, BORDER_FACTOR * (interior or 0.0))
    flagged = tuple(side for side, error in sides.items() if error > threshold)
    return BorderReport(band, max(sides.values()), interior, sides, flagged)


def kernel_shape(result: FrameResult) -> tuple[int, int] | None:
    """The ``(kh, kw)`` of the design behind ``result``, read back from its parameter counts.

    Exact when the spatial mode ran (its passes store ``r kh`` and ``r kw`` weights) or the
    kernel is square; otherwise the factor pair of ``kh kw`` closest to square, a guess that
    only matters for non-square kernels. None when no mode ran.
    """
    channels = result.image.shape[2]
    product = total = None
    for mode, conv in result.results.items():
        stages = conv.cost.stages
        if mode == "spatial":
            rank = max(1, conv.stages["vertical"].shape[2] // channels)
            return stages["vertical"].parameters // rank, stages["horizontal"].parameters // rank
        if mode == "normal":
            product = stages["normal"].parameters // (conv.output.shape[2] * channels)
        elif mode == "depthwise":
            per_map = stages["depthwise"].parameters // conv.stages["depthwise"].shape[2]
            if conv.algorithm.startswith("sepfilter"):
                total = per_map  # 1-D passes store kh + kw weights per map
            else:
                product = per_map
    if product is not None and total is not None:
        root = math.isqrt(max(0, total * total - 4 * product))
        return (total + root) // 2, (total - root) // 2
    if product is not None:
        short = max(d for d in range(1, math.isqrt(product) + 1) if product % d == 0)
        return product // short, short
    if total is not None:
        return total - total // 2, total // 2
    return None


def border_band(result: FrameResult) -> int:
    """``max(kh, kw) // 2``: how far the kernel reaches past the edge, hence the border strip."""
    shape = kernel_shape(result)
    return max(shape) // 2 if shape else 0


# --- pixel inspector ----------------------------------------------------------------------
def format_values(values: np.ndarray, limit: int = 8) -> str:
    """``"0.42, -1.3, …"``: the first ``limit`` values with 4 significant digits."""
    shown = ", ".join(f"{float(v):.4g}" for v in values[:limit])
    hidden = len(values) - limit
    return f"{shown}, … (+{hidden} more)" if hidden > 0 else shown


def pixel_report(result: FrameResult, x: float, y: float, limit: int = 8) -> list[tuple[str, str]]:
    """The value at column ``x``, row ``y`` of the input and of every stage of every mode.

    Returns
    -------
    list of (str, str)
        ``("Input", "0.42, 0.31, 0.1")`` then one row per stage in mode order, e.g.
        ``("Depthwise maps", ...)``; at most ``limit`` channels each. Empty when the point
        lies outside the image, so hovering past the edge clears the readout.
    """
    height, width = result.image.shape[:2]
    column, row = math.floor(x), math.floor(y)
    if not (0 <= column < width and 0 <= row < height):
        return []
    rows = [("Input", format_values(result.image[row, column], limit))]
    for mode in MODES:
        conv = result.results.get(mode)
        if conv is None:
            continue
        for stage, array in conv.stages.items():
            name = ROW_NAMES.get((mode, stage), f"{mode.capitalize()} {stage}")
            rows.append((name, format_values(array[row, column], limit)))
    return rows
