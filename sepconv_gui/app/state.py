"""The whole design as plain data, with a versioned JSON round-trip.

One design drives all three modes so they can be compared honestly:

* the *base kernel* K (kh x kw) comes from a preset or the grid editor;
* **spatial-separable** runs K on every input channel as a rank-r sum of 1-D passes
  (r = ``spatial_rank``; 0 means "exact": the kernel's numerical rank);
* **depthwise-separable** gives channel c the M kernels "K turned m quarter turns clockwise"
  (``rot90(K, -m)``) for m = 0..M-1, as maps ``c*M + m`` — so M = 2 turns Sobel x into
  Sobel x then Sobel y (the ``sobel_y`` preset), M = 4 adds -Sobel x and -Sobel y; a
  non-square kernel repeats unturned — then mixes the C*M maps into P outputs with the
  pointwise matrix (identity: output p is map ``(p mod C)*M``, channel p's unturned kernel);
* **normal** runs the full P x C bank that the depthwise-separable design is equivalent to,
  ``weights[p, c] = sum_m pointwise[p, c*M + m] * depthwise[c*M + m]``: the same outputs,
  at the full cost. That equality is the point the app demonstrates.

With the defaults (P = C, M = 1, identity pointwise) all three modes compute K on every channel.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from ..engine import ALGORITHMS, BORDER_MODES, MODES, PRESETS, analyze_kernel
from . import design_checks as check
from .design_checks import DesignError
from .design_file import FORMAT_NAME, FORMAT_VERSION, parse, read_design_text

__all__ = ["Design", "DesignError", "FORMAT_VERSION", "validate"]

POINTWISE_KINDS = ("identity", "average", "random", "custom")
MAX_KERNEL_SIDE = 31
MAX_CHANNELS = 256
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
    pointwise_custom: tuple[tuple[float, ...], ...] = ()
    spatial_rank: int = 0
    border: str = "reflect101"
    flip: bool = False
    algorithm: str = "auto"
    modes: tuple[str, ...] = MODES
    grayscale: bool = False

    def __post_init__(self) -> None:
        validate(self)

    # --- what the engine needs -------------------------------------------------------------
    def kernel_array(self) -> np.ndarray:
        return np.array(self.kernel, dtype=np.float64)

    def depthwise_kernels(self, channels: int) -> np.ndarray:
        """``(C*M, kh, kw)``: kernel ``c*M + m`` is the base kernel turned m quarter turns
        clockwise (Sobel x, then Sobel y)."""
        base = self.kernel_array()
        turns = [np.rot90(base, -m) for m in range(self.multiplier)]
        if any(t.shape != base.shape for t in turns):
            # A non-square kernel cannot turn in place; repeat it instead of changing shape.
            turns = [base] * self.multiplier
        return np.stack([turns[m] for _ in range(channels) for m in range(self.multiplier)])

    def pointwise_weights(self, channels: int) -> np.ndarray:
        """``(P, C*M)`` pointwise matrix for ``channels`` input channels."""
        p, maps = self.out_channels, channels * self.multiplier
        if self.pointwise == "identity":
            weights = np.zeros((p, maps))
            weights[np.arange(p), (np.arange(p) % channels) * self.multiplier] = 1.0
            return weights
        if self.pointwise == "average":
            return np.full((p, maps), 1.0 / maps)
        if self.pointwise == "random":
            rng = np.random.default_rng(self.pointwise_seed)
            return rng.standard_normal((p, maps)) / np.sqrt(maps)
        custom = np.array(self.pointwise_custom, dtype=np.float64)
        if custom.shape != (p, maps):
            raise DesignError(
                f"the custom pointwise matrix is {custom.shape} but this design needs "
                f"({p}, {maps}) = (P, C*M); edit it or pick another pointwise kind"
            )
        return custom

    def normal_weights(self, channels: int) -> np.ndarray:
        """The ``(P, C, kh, kw)`` bank equivalent to the depthwise-separable design."""
        m, (kh, kw) = self.multiplier, self.kernel_array().shape
        depth = self.depthwise_kernels(channels).reshape(channels, m, kh, kw)
        point = self.pointwise_weights(channels).reshape(self.out_channels, channels, m)
        return np.einsum("pcm,cmhw->pchw", point, depth)

    def spatial_factors(self) -> tuple[np.ndarray, np.ndarray]:
        analysis = analyze_kernel(self.kernel_array())
        limit = len(analysis.singular_values)
        rank = self.spatial_rank or max(analysis.rank, 1)
        return analysis.factors(min(rank, limit))

    # --- editing ------------------------------------------------------------------------------
    def with_changes(self, **changes) -> Design:
        """A copy with ``changes`` applied (validated; raises DesignError)."""
        return replace(self, **changes)

    # --- files --------------------------------------------------------------------------------
    def to_json(self) -> str:
        data = asdict(self)
        data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **data}
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Design:
        """The design in a file's text; DesignError names what is wrong (see design_file)."""
        return cls(**parse(text, {f.name for f in fields(cls)}))

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Design:
        """Load a design file (size-capped before reading). Raises DesignError or OSError."""
        return cls.from_json(read_design_text(path))


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
            "out_channels (the output channel count P)", design.out_channels, 1, MAX_CHANNELS
        ),
        "pointwise": check.choice("pointwise", design.pointwise, POINTWISE_KINDS),
        "pointwise_seed": check.whole("pointwise_seed", design.pointwise_seed, 0, check.MAX_SEED),
        "pointwise_custom": check.grid(
            "pointwise_custom",
            design.pointwise_custom,
            max_rows=MAX_CHANNELS,
            max_cols=MAX_CHANNELS * MAX_MULTIPLIER,
            allow_empty=True,
        ),
        "spatial_rank": check.whole("spatial_rank", design.spatial_rank, 0, MAX_KERNEL_SIDE),
        "border": check.choice("border", design.border, BORDER_MODES),
        "flip": check.flag("flip", design.flip),
        "algorithm": check.choice("algorithm", design.algorithm, ALGORITHMS),
        "modes": check.mode_list("modes", design.modes, MODES),
        "grayscale": check.flag("grayscale", design.grayscale),
    }
    for name, value in canonical.items():
        object.__setattr__(design, name, value)
