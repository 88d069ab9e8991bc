"""The arithmetic behind one output pixel, in every mode, as the numbers a student can follow.

Plain numpy, no Qt. Given the input the modes ran on, the engine inputs of a design, the
border mode and a pixel, :func:`explain_pixel` rebuilds each mode's sum for that pixel from
its operands: the k×k patch times the kernel for normal, a vertical then a horizontal 1-D
pass for spatial-separable, per-map patch sums then the pointwise mix for depthwise-separable.
The sums are redone in float64 from the same operands the engine reads (the same border
padding, anchor and 180° turn under ``flip``), so they equal the engine's float32 outputs at
that pixel up to rounding; the tests hold them to that.

Only the output channel asked for is worked out: one pixel of a 256 → 512 channel, 31×31
design is a few million products, the whole output column would be a hundred times more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..engine.grid import output_size
from ..engine.per_position import multiplications_per_position

# numpy.pad modes that pad an index array the way OpenCV pads pixels (see engine.reference).
_PAD_MODE = {
    "reflect101": "reflect",
    "reflect": "symmetric",
    "replicate": "edge",
    "constant": "constant",
    "wrap": "wrap",
}


@dataclass(frozen=True)
class EngineInputs:
    """What the three modes were given: as ``pipeline.run_mode`` hands them to the engine.

    ``normal`` is ``(P, C, kh, kw)`` (or anything with that ``shape`` whose ``[p]`` is one
    output's kernels, as :class:`EquivalentBank`); ``column`` and ``row`` are ``(r, kh)``
    and ``(r, kw)``; ``depthwise`` is ``(C*M, kh, kw)`` and ``pointwise`` ``(P, C*M)``. A
    mode that is not wanted may be None.
    """

    normal: np.ndarray | EquivalentBank | None
    column: np.ndarray | None
    row: np.ndarray | None
    depthwise: np.ndarray | None
    pointwise: np.ndarray | None
    border: str = "reflect101"
    flip: bool = False
    stride: tuple[int, int] = (1, 1)  # (vertical, horizontal), as engine.geometry
    dilation: tuple[int, int] = (1, 1)


class EquivalentBank:
    """The normal bank a depthwise-separable design equals, one output's row at a time.

    ``bank[p]`` is ``design_weights.normal_bank(...)[p]``; the whole bank of a 256 → 512,
    31×31 design would be a gigabyte of float64, for one hovered pixel.
    """

    def __init__(self, depthwise: np.ndarray, pointwise: np.ndarray, channels: int) -> None:
        self.depthwise, self.pointwise = depthwise, pointwise
        maps, kh, kw = depthwise.shape
        self.multiplier = maps // channels
        self.shape = (pointwise.shape[0], channels, kh, kw)

    def __getitem__(self, p: int) -> np.ndarray:
        _, channels, kh, kw = self.shape
        weights = self.pointwise[p].reshape(channels, self.multiplier)
        kernels = self.depthwise.reshape(channels, self.multiplier, kh, kw)
        return np.einsum("cm,cmhw->chw", weights, kernels)


def engine_inputs(design, channels: int) -> EngineInputs:
    """The arrays a design's modes run with on ``channels`` input channels."""
    wanted = set(design.modes)
    column = row = None
    if "spatial" in wanted:
        column, row = (np.atleast_2d(f) for f in design.spatial_factors())
    deep = "depthwise" in wanted or design.normal_kind == "equivalent"
    depthwise = design.depthwise_kernels(channels) if deep else None
    pointwise = design.pointwise_weights(channels) if deep else None
    normal = None
    if "normal" in wanted:
        if design.normal_kind == "equivalent":
            normal = EquivalentBank(depthwise, pointwise, channels)
        else:
            normal = design.normal_weights(channels)
    deep = "depthwise" in wanted
    return EngineInputs(
        normal=normal,
        column=column,
        row=row,
        depthwise=depthwise if deep else None,
        pointwise=pointwise if deep else None,
        border=design.border,
        flip=design.flip,
        stride=tuple(getattr(design, "stride", (1, 1))),
        dilation=tuple(getattr(design, "dilation", (1, 1))),
    )


@dataclass
class Dot:
    """One weighted sum: ``total = Σ values[i] · weights[i]``.

    ``label`` names what it makes ("c2", "c1·m2", "p1", "x = 41"); ``shape`` is the patch's
    ``(kh, kw)`` (or ``(n,)`` for a list) so the terms can be laid out as the patch they are.
    """

    label: str
    values: np.ndarray
    weights: np.ndarray
    shape: tuple[int, ...]
    sum: float | None = None  # given when computed for many dots at once

    @property
    def total(self) -> float:
        if self.sum is None:
            self.sum = float(np.sum(self.values * self.weights))
        return self.sum

    @property
    def multiplications(self) -> int:
        return int(self.values.size)


@dataclass
class Step:
    """One stage of a mode at this pixel: its name and the weighted sums it made."""

    title: str
    dots: list[Dot]


@dataclass
class ModeArithmetic:
    """How one mode made output channel ``channel`` at the pixel.

    ``value`` is the output there; ``multiplications`` what that one value took;
    ``per_pixel`` what the mode spends on every output channel at one pixel (the Cost dock's
    count divided by H·W); ``formula`` says how ``per_pixel`` comes about.
    """

    mode: str
    channel: int
    steps: list[Step]
    value: float
    multiplications: int
    per_pixel: int
    formula: str
    notes: list[str] = field(default_factory=list)


@dataclass
class PixelArithmetic:
    x: int
    y: int
    modes: dict[str, ModeArithmetic]


GRID_1 = ((1, 1), (1, 1))  # stride 1, no dilation


def source_indices(
    size: int, position: int, taps: int, anchor: int, border: str, step: int = 1
) -> np.ndarray:
    """Which input rows (or columns) a ``taps``-long kernel anchored at ``anchor`` reads
    around input ``position``, ``step`` apart (the dilation): -1 where the constant border
    supplies a zero."""
    before, after = step * anchor, step * (taps - 1 - anchor)
    options = {"constant_values": -1} if border == "constant" else {}
    padded = np.pad(np.arange(size), (before, after), mode=_PAD_MODE[border], **options)
    return padded[position + step * np.arange(taps)]


def _anchor(taps: int, flip: bool) -> int:
    return taps - 1 - taps // 2 if flip else taps // 2


def _turned(kernel: np.ndarray, flip: bool) -> np.ndarray:
    """The kernel as correlated: turned 180° for a true convolution (as engine.filtering)."""
    return kernel[..., ::-1, ::-1] if flip and kernel.ndim >= 2 else kernel


def patch(
    image: np.ndarray, x: int, y: int, kh: int, kw: int, border: str, flip: bool, grid=GRID_1
) -> np.ndarray:
    """The ``(kh, kw, C)`` float64 neighbourhood the kernel meets at output (x, y), borders
    filled; ``grid`` is ``(stride, dilation)``, each (vertical, horizontal)."""
    height, width = image.shape[:2]
    (sy, sx), (dy, dx) = grid
    rows = source_indices(height, sy * y, kh, _anchor(kh, flip), border, dy)
    cols = source_indices(width, sx * x, kw, _anchor(kw, flip), border, dx)
    values = image[np.clip(rows, 0, None)][:, np.clip(cols, 0, None)].astype(np.float64)
    values[rows < 0] = 0.0
    values[:, cols < 0] = 0.0
    return values


def channel_name(index: int) -> str:
    return f"c{index + 1}"


def explain_normal(image, bank, x, y, p, border, flip, grid=GRID_1) -> ModeArithmetic:
    out, channels, kh, kw = bank.shape
    window = patch(image, x, y, kh, kw, border, flip, grid)
    kernels = _turned(np.asarray(bank[p], dtype=np.float64), flip)
    sums = np.einsum("hwc,chw->c", window, kernels)
    dots = [
        Dot(channel_name(c), window[:, :, c], kernels[c], (kh, kw), float(sums[c]))
        for c in range(channels)
    ]
    total = Dot(f"p{p + 1}", sums, np.ones_like(sums), (channels,))
    taps = kh * kw
    return ModeArithmetic(
        "normal",
        p,
        [
            Step(f"each input channel's {kh}×{kw} patch × its kernel for p{p + 1}", dots),
            Step(f"p{p + 1} = the sum over the C = {channels} channels", [total]),
        ],
        total.total,
        multiplications_per_position("normal", channels, 1, kh, kw),
        multiplications_per_position("normal", channels, out, kh, kw),
        f"k²·C·P = {taps}·{channels}·{out}",
    )


def explain_spatial(image, column, row, x, y, c, border, flip, grid=GRID_1) -> ModeArithmetic:
    columns, rows = np.atleast_2d(column), np.atleast_2d(row)
    rank, kh, kw = columns.shape[0], columns.shape[1], rows.shape[1]
    height, width, channels = image.shape
    (sy, sx), (dy, dx) = grid
    row_ids = source_indices(height, sy * y, kh, _anchor(kh, flip), border, dy)
    col_ids = source_indices(width, sx * x, kw, _anchor(kw, flip), border, dx)
    steps, total = [], 0.0
    for pair in range(rank):
        down = columns[pair][::-1] if flip else columns[pair]
        across = rows[pair][::-1] if flip else rows[pair]
        vertical = []
        for j, column_id in enumerate(col_ids):
            # The horizontal pass reads the vertical pass's border: a zero column under
            # "constant", else the vertical pass of the column the border copies.
            if column_id < 0:
                values = np.zeros(kh)
            else:
                values = image[np.clip(row_ids, 0, None), column_id, c].astype(np.float64)
                values[row_ids < 0] = 0.0
            column_at = sx * x + dx * (j - _anchor(kw, flip))  # in input pixels
            vertical.append(Dot(f"x = {column_at}", values, down, (kh,)))
        suffix = f" (pair {pair + 1} of {rank})" if rank > 1 else ""
        steps.append(Step(f"vertical pass: {kh} rows × the column factor{suffix}", vertical))
        sums = np.array([d.total for d in vertical])
        horizontal = Dot(f"{channel_name(c)}", sums, np.asarray(across, np.float64), (kw,))
        steps.append(
            Step(f"horizontal pass: the {kw} vertical sums × the row factor", [horizontal])
        )
        total += horizontal.total
    notes = []
    if rank > 1:
        notes.append(f"rank {rank}: the output adds the horizontal passes of {rank} pairs")
    return ModeArithmetic(
        "spatial",
        c,
        steps,
        total,
        multiplications_per_position("spatial", 1, 1, kh, kw, 1, rank),
        multiplications_per_position("spatial", channels, channels, kh, kw, 1, rank),
        (
            f"r·(kh + kw)·C = {rank}·({kh} + {kw})·{channels}"
            if rank > 1
            else f"(kh + kw)·C = ({kh} + {kw})·{channels}"
        ),
        notes,
    )


def explain_depthwise(image, kernels, mix, x, y, p, border, flip, grid=GRID_1) -> ModeArithmetic:
    maps, kh, kw = kernels.shape
    channels = image.shape[2]
    multiplier = maps // channels
    window = patch(image, x, y, kh, kw, border, flip, grid)
    turned = _turned(np.asarray(kernels, dtype=np.float64), flip)
    # Every map's patch sum in one call: 4096 maps of 31×31 one by one took 0.1 s a hover.
    grouped = turned.reshape(channels, multiplier, kh, kw)
    sums = np.einsum("hwc,cmhw->cm", window, grouped).ravel()
    dots = []
    for k in range(maps):
        c, m = divmod(k, multiplier)
        label = f"c{c + 1}·m{m + 1}" if multiplier > 1 else channel_name(c)
        dots.append(Dot(label, window[:, :, c], turned[k], (kh, kw), float(sums[k])))
    weights = np.asarray(mix[p], dtype=np.float64)
    point = Dot(f"p{p + 1}", sums, weights, (maps,))
    out = mix.shape[0]
    taps = kh * kw
    return ModeArithmetic(
        "depthwise",
        p,
        [
            Step(f"depthwise: each map's {kh}×{kw} patch × its own kernel (C·M = {maps})", dots),
            Step(f"pointwise: p{p + 1} mixes the {maps} maps (1×1 weights)", [point]),
        ],
        point.total,
        multiplications_per_position("depthwise", channels, 1, kh, kw, multiplier),
        multiplications_per_position("depthwise", channels, out, kh, kw, multiplier),
        f"k²·C·M + C·M·P = {taps}·{maps} + {maps}·{out}",
    )


def explain_pixel(
    image: np.ndarray, inputs: EngineInputs, x: float, y: float, channel: int = 0
) -> PixelArithmetic | None:
    """Every mode's arithmetic for output ``channel`` at output column ``x``, row ``y``
    (floored; with a stride the output is ``ceil(H / sy) x ceil(W / sx)``).

    ``image`` is the ``(H, W, C)`` array the modes ran on (``FrameResult.image``). Spatial
    keeps C channels, so it explains channel ``channel mod C``; normal and depthwise clamp
    ``channel`` to their P. None when the point lies outside the output.
    """
    image = image[:, :, np.newaxis] if image.ndim == 2 else image
    height, width, channels = image.shape
    grid = (tuple(inputs.stride), tuple(inputs.dilation))
    rows, columns = output_size(height, width, grid[0])
    column, line = math.floor(x), math.floor(y)
    if not (0 <= column < columns and 0 <= line < rows):
        return None
    modes: dict[str, ModeArithmetic] = {}
    border, flip = inputs.border, inputs.flip
    at = (column, line)
    if inputs.normal is not None:
        p = min(channel, inputs.normal.shape[0] - 1)
        modes["normal"] = explain_normal(image, inputs.normal, *at, p, border, flip, grid)
    if inputs.column is not None and inputs.row is not None:
        c = channel % channels
        modes["spatial"] = explain_spatial(
            image, inputs.column, inputs.row, *at, c, border, flip, grid
        )
    if inputs.depthwise is not None and inputs.pointwise is not None:
        p = min(channel, inputs.pointwise.shape[0] - 1)
        modes["depthwise"] = explain_depthwise(
            image, inputs.depthwise, inputs.pointwise, *at, p, border, flip, grid
        )
    return PixelArithmetic(column, line, modes)
