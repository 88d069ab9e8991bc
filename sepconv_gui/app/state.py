"""The whole design as plain data, with a versioned JSON round-trip.

One design drives all three modes so they can be compared honestly:

* the *base kernel* K (kh x kw) comes from a preset or the grid editor;
* **spatial-separable** runs K on every input channel as a rank-r sum of 1-D passes
  (r = ``spatial_rank``; 0 means "exact": the kernel's numerical rank);
* **depthwise-separable** gives channel c the M kernels ``rot90(K, m)`` for m = 0..M-1
  (so M = 2 turns Sobel x into Sobel x and Sobel y), then mixes the C*M maps into P outputs
  with the pointwise matrix;
* **normal** runs the full P x C bank that the depthwise-separable design is equivalent to,
  ``weights[p, c] = sum_m pointwise[p, c*M + m] * depthwise[c*M + m]``: the same outputs,
  at the full cost. That equality is the point the app demonstrates.

With the defaults (P = C, M = 1, identity pointwise) all three modes compute K on every channel.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from ..engine import ALGORITHMS, BORDER_MODES, MODES, analyze_kernel

FORMAT_VERSION = 1
POINTWISE_KINDS = ("identity", "average", "random", "custom")
MAX_KERNEL_SIDE = 31
MAX_CHANNELS = 256


class DesignError(ValueError):
    """A design file or value that cannot be used; the message says why."""


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

    def input_channels(self, image_channels: int) -> int:
        return 1 if self.grayscale else image_channels

    def depthwise_kernels(self, channels: int) -> np.ndarray:
        """``(C*M, kh, kw)``: kernel ``c*M + m`` is the base kernel turned m quarter turns."""
        base = self.kernel_array()
        turns = [np.rot90(base, m) for m in range(self.multiplier)]
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
        data = {"format": "sepconv-gui design", "version": FORMAT_VERSION, **data}
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Design:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise DesignError(f"not a design file: invalid JSON ({error})") from None
        if not isinstance(data, dict) or data.get("format") != "sepconv-gui design":
            raise DesignError("not a design file: no 'format': 'sepconv-gui design' entry")
        version = data.get("version")
        if version != FORMAT_VERSION:
            raise DesignError(
                f"design file version {version!r} is not supported (this app reads version "
                f"{FORMAT_VERSION}); it may come from a newer sepconv-gui"
            )
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        try:
            for name in ("kernel", "pointwise_custom"):
                if name in values:
                    values[name] = tuple(tuple(float(x) for x in row) for row in values[name])
            if "modes" in values:
                values["modes"] = tuple(values["modes"])
            return cls(**values)
        except (TypeError, ValueError) as error:
            raise DesignError(f"the design file has a bad value: {error}") from None


def _whole(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DesignError(f"{name} must be a whole number from {low} to {high}; got {value!r}")


def validate(design: Design) -> None:
    kernel = np.array(design.kernel, dtype=np.float64)
    if kernel.ndim != 2 or kernel.size == 0:
        raise DesignError(
            f"the kernel must be a non-empty grid of numbers; got shape {kernel.shape}"
        )
    if max(kernel.shape) > MAX_KERNEL_SIDE:
        raise DesignError(f"kernel sides go up to {MAX_KERNEL_SIDE}; got {kernel.shape}")
    if not np.isfinite(kernel).all():
        raise DesignError("the kernel contains NaN or infinity")
    _whole("the depth multiplier M", design.multiplier, 1, 16)
    _whole("the output channel count P", design.out_channels, 1, MAX_CHANNELS)
    _whole("the spatial rank", design.spatial_rank, 0, MAX_KERNEL_SIDE)
    if design.pointwise not in POINTWISE_KINDS:
        raise DesignError(f"pointwise {design.pointwise!r} is unknown; use {POINTWISE_KINDS}")
    if design.border not in BORDER_MODES:
        raise DesignError(f"border {design.border!r} is unknown; use {BORDER_MODES}")
    if design.algorithm not in ALGORITHMS:
        raise DesignError(f"algorithm {design.algorithm!r} is unknown; use {ALGORITHMS}")
    unknown = set(design.modes) - set(MODES)
    if unknown:
        raise DesignError(f"unknown modes {sorted(unknown)}; use {MODES}")
