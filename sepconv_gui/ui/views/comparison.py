"""Display arithmetic behind the stage grid, the difference view and the pixel inspector.

Plain numpy and OpenCV, no Qt: what those widgets show can be checked exactly in tests.
Nothing here convolves; it only measures and shrinks arrays a convolution already produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from ...app.pipeline import FrameResult
from ...engine import MODES
from .display import SATURATED, default_mapping

THUMBNAIL_SIDE = 128
"""Longest side of a stage thumbnail, in pixels."""


EQUAL_TOLERANCE = 1e-4
"""Two outputs count as equal when they differ by at most this fraction of max |A|.

float32 sums of a few thousand products drift by about 1e-6 of their size, so anything
below 1e-4 is rounding, not a different computation."""

BORDER_FACTOR = 2.0
"""A border part is flagged when its error exceeds this many times the interior's."""

STAGE_NAMES = {
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


def thumbnails(
    stage: np.ndarray, start: int, stop: int, max_side: int = THUMBNAIL_SIDE
) -> np.ndarray:
    """Channels ``start:stop`` of an ``(H, W, N)`` stage, shrunk to float32 ``(h, w, n)``.

    Each channel equals ``cv2.resize(stage[:, :, k], size, interpolation=cv2.INTER_AREA)``:
    area averaging greys fine detail out instead of aliasing it into false patterns. Only the
    requested channels are read, so a page of a 64-channel stage costs a page, not 64 maps.
    """
    height, width = stage.shape[:2]
    size = thumbnail_size(height, width, max_side)
    block = np.ascontiguousarray(stage[:, :, start:stop], dtype=np.float32)
    count = block.shape[2]
    if size == (width, height):
        return block
    # INTER_AREA takes up to 512 channels at whole-number scales (plain block averages) but
    # at most 4 otherwise.
    whole = width % size[0] == 0 and height % size[1] == 0
    step = 512 if whole else 4
    out = np.empty((size[1], size[0], count), np.float32)
    for first in range(0, count, step):
        small = cv2.resize(block[:, :, first : first + step], size, interpolation=cv2.INTER_AREA)
        out[:, :, first : first + step] = small.reshape(size[1], size[0], -1)
    return out


def stage_mapping(stage: np.ndarray) -> str:
    """ "signed", "clip" or "normalize" for a whole stage, judged on a strided sample."""
    step = max(1, max(stage.shape[:2]) // (2 * THUMBNAIL_SIDE))
    return default_mapping(stage[::step, ::step])


def stage_levels(small: np.ndarray, mapping: str) -> tuple[float, float]:
    """Levels shared by a page of thumbnails, so the maps on it can be compared by eye.

    They come from the thumbnails themselves, not the full-size stage: area averaging shrinks
    thin, zero-mean edge responses several times over, and levels set by full-size peaks
    would leave such thumbnails nearly blank. The brightest :data:`SATURATED` fraction may
    saturate for the same reason. "clip" is always ``(0, 1)``.
    """
    if mapping == "clip":
        return 0.0, 1.0
    values = small.ravel()
    if values.size == 0:
        return (-1.0, 1.0) if mapping == "signed" else (0.0, 1.0)
    if mapping == "signed":
        limit = float(np.percentile(np.abs(values), 100 * (1 - SATURATED)))
        return (-limit, limit) if limit > 0 else (-1.0, 1.0)
    low, high = (float(v) for v in np.percentile(values, [100 * SATURATED, 100 * (1 - SATURATED)]))
    return (low, high) if high > low else (low, low + 1.0)


def to_rgb8(plane: np.ndarray, levels: tuple[float, float], lut: np.ndarray) -> np.ndarray:
    """A 2-D plane through a ``(256, 3)`` uint8 lookup table: C-contiguous ``(h, w, 3)`` uint8.

    ``levels[0]`` maps to the first entry, ``levels[1]`` and above to the last.
    """
    low, high = levels
    scaled = (plane - low) * (255.0 / (high - low))
    index = np.clip(scaled, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(lut[index])


# --- differences --------------------------------------------------------------------------
@dataclass
class DifferenceStats:
    """How far output B is from output A.

    ``peak`` is max |A|, the signal PSNR is measured against (1 when A is all zero);
    ``psnr`` is infinite when the outputs are bit-identical. ``worst`` is ``(y, x, channel)``
    of the largest error; ``error_map`` is ``(H, W)``, the largest ``|A - B|`` over the
    channels at each pixel; ``relative`` is ``||A - B|| / ||A||`` (Frobenius norms).
    """

    max_abs: float
    rms: float
    psnr: float
    relative: float
    peak: float
    worst: tuple[int, int, int]
    error_map: np.ndarray = field(repr=False)

    @property
    def tolerance(self) -> float:
        """Rounding allowance: :data:`EQUAL_TOLERANCE` of the peak."""
        return EQUAL_TOLERANCE * self.peak

    @property
    def equal(self) -> bool:
        """Equal up to float32 rounding."""
        return self.max_abs <= self.tolerance


def difference_stats(a: np.ndarray, b: np.ndarray) -> DifferenceStats:
    """Compare two ``(H, W, channels)`` outputs of the same shape (ValueError otherwise)."""
    if a.shape != b.shape:
        raise ValueError(f"outputs of different shapes cannot be compared: {a.shape} and {b.shape}")
    height, width, channels = a.shape
    # OpenCV's norms accumulate in double and run several times faster than numpy here; they
    # want 2-D arrays, hence the (H, W * channels) views.
    a_flat = np.ascontiguousarray(a, dtype=np.float32).reshape(height, -1)
    b_flat = np.ascontiguousarray(b, dtype=np.float32).reshape(height, -1)
    diff = cv2.absdiff(a_flat, b_flat)
    mse = cv2.norm(diff, cv2.NORM_L2SQR) / diff.size
    planes = diff.reshape(height, width, channels)
    # The largest error over the channels of each pixel: cv2.reduce runs 3-7x faster than
    # planes.max(axis=2), whose last axis is short.
    pixels = diff.reshape(height * width, channels)
    error_map = cv2.reduce(pixels, 1, cv2.REDUCE_MAX).reshape(height, width)
    worst_pixel = np.unravel_index(int(np.argmax(error_map)), error_map.shape)
    worst_channel = int(np.argmax(planes[worst_pixel]))
    max_abs = float(error_map[worst_pixel])
    low, high = cv2.minMaxLoc(a_flat)[:2]
    peak = max(abs(low), abs(high)) or 1.0
    psnr = math.inf if mse == 0 else 10.0 * math.log10(peak * peak / mse)
    norm = cv2.norm(a_flat, cv2.NORM_L2)
    relative = math.sqrt(mse * diff.size) / norm if norm else (0.0 if max_abs == 0 else math.inf)
    worst = (int(worst_pixel[0]), int(worst_pixel[1]), worst_channel)
    return DifferenceStats(max_abs, math.sqrt(mse), psnr, relative, peak, worst, error_map)


@dataclass
class BorderReport:
    """The largest error within ``band`` pixels of each edge, against the interior.

    ``sides`` maps "top", "bottom", "left", "right" to the largest error in that strip,
    corners left out, and "top-left" ... "bottom-right" to the largest in each ``band`` x
    ``band`` corner square, where both paddings meet. ``flagged`` lists the parts whose
    error exceeds :data:`BORDER_FACTOR` times the interior one and the rounding
    ``tolerance``. ``interior_max`` is None when the band covers the whole image.
    """

    band: int
    border_max: float
    interior_max: float | None
    sides: dict[str, float]
    flagged: tuple[str, ...]

    @property
    def concentrated(self) -> bool:
        """The errors sit in the border band: some part of it stands out from the interior."""
        return bool(self.flagged)


def border_report(error_map: np.ndarray, band: int, tolerance: float = 0.0) -> BorderReport:
    """Split an ``(H, W)`` error map into its outer ``band``-pixel frame and the interior."""
    height, width = error_map.shape
    band = max(0, min(band, height // 2, width // 2))
    if band == 0:
        return BorderReport(0, 0.0, float(error_map.max(initial=0.0)), {}, ())
    far_row, far_col = height - band, width - band
    parts = {
        "top": error_map[:band, band:far_col],
        "bottom": error_map[far_row:, band:far_col],
        "left": error_map[band:far_row, :band],
        "right": error_map[band:far_row, far_col:],
    }
    for row_name, rows in (("top", slice(0, band)), ("bottom", slice(far_row, height))):
        for col_name, cols in (("left", slice(0, band)), ("right", slice(far_col, width))):
            parts[f"{row_name}-{col_name}"] = error_map[rows, cols]
    sides = {name: float(part.max(initial=0.0)) for name, part in parts.items()}
    inner = error_map[band:far_row, band:far_col]
    interior = float(inner.max()) if inner.size else None
    threshold = max(tolerance, BORDER_FACTOR * (interior or 0.0))
    flagged = tuple(side for side, error in sides.items() if error > threshold)
    return BorderReport(band, max(sides.values()), interior, sides, flagged)


def kernel_shape(result: FrameResult) -> tuple[int, int] | None:
    """The ``(kh, kw)`` of the design behind ``result``, read back from its parameter counts.

    Exact when the spatial mode ran (its passes store ``r kh`` and ``r kw`` weights), when
    the kernel is square, or when normal and a 1-D-pass depthwise both ran (product and sum
    of kh and kw); otherwise the factor pair closest to square. None when no mode ran.
    """
    channels = result.image.shape[2]
    product = total = None
    for mode, conv in result.results.items():
        stages = conv.cost.stages
        if mode == "spatial" and "vertical" in conv.stages:  # kept only when shown
            rank = max(1, conv.stages["vertical"].shape[2] // channels)
            return stages["vertical"].parameters // rank, stages["horizontal"].parameters // rank
        if mode == "normal":
            product = stages["normal"].parameters // (conv.output.shape[2] * channels)
        elif mode == "depthwise":
            maps = stages["pointwise"].parameters // conv.output.shape[2]  # P·(C·M) weights
            per_map = stages["depthwise"].parameters // max(1, maps)
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
    """``"0.42, -1.3, … (+4 more)"``: the first ``limit`` values with 4 significant digits."""
    shown = ", ".join(f"{float(v):.4g}" for v in values[:limit])
    hidden = len(values) - limit
    return f"{shown}, … (+{hidden} more)" if hidden > 0 else shown


@dataclass
class PixelRow:
    """One array at one pixel: its name, every channel's value, and the readout text."""

    name: str
    values: np.ndarray
    text: str


def stride_of(result: FrameResult) -> tuple[int, int]:
    """The design's (vertical, horizontal) stride; (1, 1) when the result has no design."""
    design = result.design
    return tuple(design.stride) if design is not None else (1, 1)


def cell_of(shape, image_shape, stride) -> tuple[int, int]:
    """How many input pixels (rows, columns) one pixel of an array of ``shape`` stands for.

    A strided output (or stage) has one pixel per stride step; the views draw it over those
    input pixels, so every view shows the same region and the mouse names one input pixel.
    An array as tall (wide) as the input covers one row (column) per pixel.
    """
    (h, w), (image_h, image_w) = shape[:2], image_shape[:2]
    return (stride[0] if h != image_h else 1, stride[1] if w != image_w else 1)


def pixel_report(result: FrameResult, x: float, y: float, limit: int = 8) -> list[PixelRow]:
    """The value at input column ``x``, row ``y`` (floored) of the input and every stage of
    every mode (a strided array is read at the pixel that covers that input pixel).

    Rows come in order: "Input", then each mode's stages in execution order, e.g.
    "Depthwise maps", "Depthwise out". ``values`` holds every channel; ``text`` the first
    ``limit``. Empty when the point lies outside the image, so hovering past the edge
    clears the readout.
    """
    height, width = result.image.shape[:2]
    column, row = math.floor(x), math.floor(y)
    if not (0 <= column < width and 0 <= row < height):
        return []
    arrays = [("Input", result.image)]
    for mode in MODES:
        conv = result.results.get(mode)
        if conv is not None:
            arrays += [
                (STAGE_NAMES.get((mode, stage), f"{mode.capitalize()} {stage}"), array)
                for stage, array in conv.stages.items()
            ]
    rows = []
    stride = stride_of(result)
    for name, array in arrays:
        cell_h, cell_w = cell_of(array.shape, result.image.shape, stride)
        values = np.array(array[row // cell_h, column // cell_w], ndmin=1)
        rows.append(PixelRow(name, values, format_values(values, limit)))
    return rows
