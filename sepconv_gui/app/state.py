"""The whole design as plain data, with a versioned, checked JSON round-trip.

One design drives all three modes so they can be compared honestly:

* the **input channels** C are the source's (1 or 3; 1 with ``grayscale``), or, with
  ``channels`` = N > 0, N channels synthesized from it (:mod:`.channels`: colour, gradients,
  blurs, shifted copies — names in ``channels.channel_names``);
* the *base kernel* K (kh x kw) comes from a preset or the grid editor;
* **spatial-separable** runs K on every input channel as a rank-r sum of 1-D passes
  (r = ``spatial_rank``; 0 means "exact": the kernel's numerical rank), or exactly the 1-D
  factors the user typed (``kernel_factors``, kept while K is their outer product);
* **depthwise-separable** makes C*M maps, map ``c*M + m`` being channel c's m-th kernel, then
  mixes them into P outputs with the ``(P, C*M)`` pointwise matrix. ``depthwise_kind``:
  ``shared`` gives every channel K turned m quarter turns clockwise (``rot90(K, -m)``: M = 2
  turns Sobel x into Sobel x then Sobel y, the ``sobel_y`` preset; a non-square K repeats);
  ``per_channel`` takes channel c's kernel from ``depthwise_custom[c]`` and turns it the same
  way; ``per_map`` takes every map's kernel from ``depthwise_custom[c*M + m]``. Pointwise
  kinds are presets (identity: output p is map ``(p mod C)*M``; swap; luma; average;
  random with ``pointwise_seed``) or ``custom`` (``pointwise_custom``);
* **normal** runs a P x C bank: by default (``normal_kind`` ``equivalent``) the one the
  depthwise-separable design equals, ``bank[p, c] = sum_m pointwise[p, c*M+m] *
  depthwise[c*M+m]`` — the same outputs at the full cost, the point the app demonstrates;
  or an independent bank (``random`` with ``normal_seed``, or an imported ``file``) that
  :func:`.design_fit.fit_depthwise` approximates.

With the defaults (P = C, M = 1, identity pointwise) all three modes compute K on every channel.
The engine inputs are built in :mod:`.design_weights`; files are read in :mod:`.design_file`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace

import numpy as np

from ..engine import ALGORITHMS, BORDER_MODES, MODES, PRESETS, analyze_kernel
from . import design_checks as check
from . import design_kernels, design_weights
from .design_checks import DesignError, FrozenArray
from .design_file import (
    FORMAT_VERSION,
    design_json,
    parse,
    read_design_text,
    save_design,
    step_pair,
)

__all__ = ["Design", "DesignError", "FORMAT_VERSION", "FrozenArray", "save_design", "validate"]

POINTWISE_KINDS = ("identity", "swap", "luma", "average", "random", "custom")
DEPTHWISE_KINDS = ("shared", "per_channel", "per_map")
NORMAL_KINDS = ("equivalent", "random", "file")
MAX_KERNEL_SIDE = 31
MAX_CHANNELS = 256  # input channels C
MAX_OUT_CHANNELS = 512  # output channels P
MAX_MULTIPLIER = 16
CUSTOM_PRESET = "custom"


@dataclass(frozen=True)
class Design:
    kernel: tuple[tuple[float, ...], ...] = ((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0))
    preset: str = "sobel_x"
    preset_params: dict[str, float] = field(default_factory=dict)
    multiplier: int = 1
    out_channels: int = 3
    pointwise: str = "identity"
    pointwise_seed: int = 0
    pointwise_custom: FrozenArray | None = None
    spatial_rank: int = 0
    border: str = "reflect101"
    flip: bool = False
    algorithm: str = "auto"
    modes: tuple[str, ...] = MODES
    grayscale: bool = False
    # Format version 2:
    channels: int = 0
    depthwise_kind: str = "shared"
    depthwise_custom: FrozenArray | None = None
    normal_kind: str = "equivalent"
    normal_seed: int = 0
    normal_bank: FrozenArray | None = None
    # (column, row) exactly as typed; kept only while ``kernel`` is their outer product.
    kernel_factors: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    # The sampling grid every mode runs at, (vertical, horizontal), as a network layer's.
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    # The model layer whose input this design runs on ("model.onnx › conv3"), "" for the
    # source itself: see app/layer_feed.py.
    layer_input: str = ""

    def __post_init__(self) -> None:
        validate(self)

    # --- what the engine needs -------------------------------------------------------------
    def kernel_array(self) -> np.ndarray:
        return np.array(self.kernel, dtype=np.float64)

    def depthwise_kernels(self, channels: int) -> np.ndarray:
        """``(C*M, kh, kw)``: map ``c*M + m`` is channel c's m-th kernel (see module doc)."""
        return design_weights.depthwise_stack(self, channels)

    def pointwise_weights(self, channels: int) -> np.ndarray:
        """``(P, C*M)`` pointwise matrix for ``channels`` input channels."""
        return design_weights.pointwise_weights(self, channels)

    def normal_weights(self, channels: int) -> np.ndarray:
        """The ``(P, C, kh, kw)`` normal-mode bank (see ``normal_kind``)."""
        return design_weights.normal_bank(self, channels)

    def check_channels(self, channels: int) -> None:
        """Raise DesignError if this design's weights do not fit ``channels`` input channels."""
        design_weights.check_sizes(self, channels)

    def spatial_factors(self) -> tuple[np.ndarray, np.ndarray]:
        """Column ``(r, kh)`` and row ``(r, kw)`` factors for the spatial-separable mode:
        the typed ``kernel_factors`` when there are some (exact, as typed), else the SVD's."""
        if self.kernel_factors is not None:
            column, row = self.kernel_factors
            return np.array([column]), np.array([row])
        analysis = analyze_kernel(self.kernel_array())
        limit = len(analysis.singular_values)
        rank = self.spatial_rank or max(analysis.rank, 1)
        return analysis.factors(min(rank, limit))

    # --- editing ------------------------------------------------------------------------------
    def with_changes(self, **changes) -> Design:
        """A copy with ``changes`` applied (validated; raises DesignError).

        A new kernel without new ``kernel_factors`` drops the typed factors: they belonged
        to the old kernel.
        """
        if "kernel" in changes and "kernel_factors" not in changes:
            changes = {**changes, "kernel_factors": None}
        # Per-channel / per-map kernels grow and shrink with C and M.
        changes = design_kernels.follow_sizes(self, changes)
        return replace(self, **changes)

    # --- files --------------------------------------------------------------------------------
    def to_json(self, files: dict[str, str] | None = None) -> str:
        """The design as version-2 JSON text.

        An imported normal bank, and a custom array over ``design_file.INLINE_VALUES``
        numbers, are not inlined: they live in ``.npy`` files whose names or paths ``files``
        gives per field (:func:`save_design` writes them beside the JSON).
        """
        return design_json(self, files)

    @classmethod
    def from_json(cls, text: str | bytes, folder: str | os.PathLike | None = None) -> Design:
        """The design in a file's text; DesignError names what is wrong (see design_file).

        ``folder`` is where ``.npy`` files named by the text (``*_file``) are looked for.
        """
        return cls(**parse(text, {f.name for f in fields(cls)}, folder))

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Design:
        """Load a design file (size-capped before reading). Raises DesignError or OSError."""
        return cls.from_json(read_design_text(path), folder=os.path.dirname(os.fspath(path)))

    def save(self, path: str | os.PathLike) -> list[str]:
        """Write the design to ``path`` (big arrays beside it); returns the files written."""
        return save_design(self, path)


def validate(design: Design) -> None:
    """Check every field's type and range, and store each in its canonical type.

    Called by ``Design.__post_init__``, so no Design with a wrong-typed field can exist:
    lists become tuples, ints in grids become floats, and anything else that does not fit
    raises DesignError naming the field.
    """
    canonical = {
        "kernel": check.grid(
            "kernel", design.kernel, max_rows=MAX_KERNEL_SIDE, max_cols=MAX_KERNEL_SIDE
        ),
        "preset": check.short_name("preset", design.preset, (CUSTOM_PRESET, *PRESETS)),
        "preset_params": check.params("preset_params", design.preset_params),
        "multiplier": check.whole(
            "multiplier (the depth multiplier M)", design.multiplier, 1, MAX_MULTIPLIER
        ),
        "out_channels": check.whole(
            "out_channels (the output channel count P)", design.out_channels, 1, MAX_OUT_CHANNELS
        ),
        "pointwise": check.choice("pointwise", design.pointwise, POINTWISE_KINDS),
        "pointwise_seed": check.whole("pointwise_seed", design.pointwise_seed, 0, check.MAX_SEED),
        "pointwise_custom": check.array(
            "pointwise_custom",
            design.pointwise_custom,
            2,
            (MAX_OUT_CHANNELS, MAX_CHANNELS * MAX_MULTIPLIER),
            allow_empty=True,
        ),
        "spatial_rank": check.whole("spatial_rank", design.spatial_rank, 0, MAX_KERNEL_SIDE),
        "border": check.choice("border", design.border, BORDER_MODES),
        "flip": check.flag("flip", design.flip),
        "algorithm": check.choice("algorithm", design.algorithm, ALGORITHMS),
        "modes": check.mode_list("modes", design.modes, MODES),
        "grayscale": check.flag("grayscale", design.grayscale),
        "channels": check.whole(
            "channels (synthesized input channels C, 0 = the source's)",
            design.channels,
            0,
            MAX_CHANNELS,
        ),
        "depthwise_kind": check.choice("depthwise_kind", design.depthwise_kind, DEPTHWISE_KINDS),
        "depthwise_custom": check.array(
            "depthwise_custom",
            design.depthwise_custom,
            3,
            (MAX_CHANNELS * MAX_MULTIPLIER, MAX_KERNEL_SIDE, MAX_KERNEL_SIDE),
            allow_empty=True,
        ),
        "normal_kind": check.choice("normal_kind", design.normal_kind, NORMAL_KINDS),
        "normal_seed": check.whole("normal_seed", design.normal_seed, 0, check.MAX_SEED),
        "normal_bank": check.array(
            "normal_bank",
            design.normal_bank,
            4,
            (MAX_OUT_CHANNELS, MAX_CHANNELS, MAX_KERNEL_SIDE, MAX_KERNEL_SIDE),
            allow_empty=True,
        ),
    }
    canonical["kernel_factors"] = _factors(design.kernel_factors, canonical["kernel"])
    canonical["stride"] = step_pair("stride", design.stride)
    canonical["dilation"] = step_pair("dilation", design.dilation)
    if not isinstance(design.layer_input, str) or len(design.layer_input) > 300:
        raise DesignError("layer_input must be a layer's name of at most 300 characters")
    for name, value in canonical.items():
        object.__setattr__(design, name, value)
    if design.depthwise_kind != "shared" and design.depthwise_custom is None:
        raise DesignError(
            f"depthwise_kind {design.depthwise_kind!r} needs the kernels in depthwise_custom"
        )
    if design.normal_kind == "file" and design.normal_bank is None:
        raise DesignError("normal_kind 'file' needs an imported bank (normal_bank)")
    if design.channels:
        design.check_channels(design.channels)


def _factors(value, kernel) -> tuple | None:
    """``kernel_factors`` as (column, row) tuples of floats, refused unless their outer
    product is exactly ``kernel`` (so the spatial mode never runs something else)."""
    if value is None or (isinstance(value, (list, tuple)) and len(value) == 0):
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or len(value) != 2:
        raise DesignError("kernel_factors must be [column, row], two lists of numbers")
    column, row = (
        check.grid(f"kernel_factors {name}", [part], max_rows=1, max_cols=MAX_KERNEL_SIDE)[0]
        for name, part in zip(("column", "row"), value, strict=True)
    )
    if not np.array_equal(np.outer(column, row), np.array(kernel)):
        raise DesignError(
            "kernel_factors: the kernel is not exactly outer(column, row); drop the factors "
            "or set the kernel to their product"
        )
    return column, row
