"""What a trained network's convolution layers cost, how separable their filters are, and what
their best depthwise-separable replacements would cost and miss.

Layers are duck-typed (``name``, ``weights`` ``(P, C / groups, kh, kw)`` or None, ``groups``,
``stride``, ``dilation``, ``pads`` (top, left, bottom, right), ``auto_pad``, ``kind``,
``input_path``), which is what :func:`sepconv_gui.io.models.load_conv_layers` returns; the
engine itself reads no files.

Counting follows :mod:`.cost`: one multiplication per tap per output value, border pixels like
interior ones, no bias. A layer's output size is computed from the chosen model input size
through every stride, pool and padding before it, as ONNX defines them.

The depthwise-separable fit of a normal layer at multiplier M is the per-input-channel optimal
rank-M factorization of the ``P x (kh kw)`` slice (see
:func:`.separability.factorize_depthwise_separable`): its relative Frobenius error follows from
the singular values of those slices alone, so every M costs one batched SVD. Its depthwise step
keeps the layer's stride, dilation and padding, so it has the layer's output size, and it costs
``M / P + M / (kh kw)`` of the layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .validation import as_weights


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def conv_output_size(
    size, kernel, *, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), auto_pad="NOTSET",
    ceil_mode=False,
) -> tuple[int, int]:  # fmt: skip
    """Output (H, W) of a convolution or pooling window over an input of ``size``.

    ``pads`` is (top, left, bottom, right); ``auto_pad`` follows ONNX ("SAME_UPPER" and
    "SAME_LOWER" give ``ceil(size / stride)``, "VALID" pads nothing).

    Examples
    --------
    >>> conv_output_size((224, 224), (3, 3), stride=(2, 2), pads=(1, 1, 1, 1))
    (112, 112)
    >>> conv_output_size((16, 16), (3, 3), dilation=(2, 2))
    (12, 12)
    """
    out = []
    for axis in range(2):
        n, k, s, d = int(size[axis]), int(kernel[axis]), int(stride[axis]), int(dilation[axis])
        span = (k - 1) * d + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            out.append(_ceil_div(n, s))
            continue
        padded = n if auto_pad == "VALID" else n + int(pads[axis]) + int(pads[axis + 2])
        if padded < span:
            out.append(0)
            continue
        out.append((_ceil_div(padded - span, s) if ceil_mode else (padded - span) // s) + 1)
    return out[0], out[1]


def layer_input_size(input_path, size) -> tuple[int, int]:
    """(H, W) a layer sees when the model's input is ``size``, through its ``input_path``.

    Raises ValueError when the input is too small for some window on the way.
    """
    h, w = _check_size(size)
    for op in input_path or ():
        if op.is_global:
            h, w = 1, 1
            continue
        h, w = conv_output_size(
            (h, w), op.kernel, stride=op.stride, dilation=op.dilation, pads=op.pads,
            auto_pad=op.auto_pad, ceil_mode=op.ceil_mode,
        )  # fmt: skip
        if h < 1 or w < 1:
            raise ValueError(f"an input of {size[0]} x {size[1]} is too small for this model")
    return h, w


def _check_size(size) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"input size must be two whole numbers (H, W); got {size!r}") from None
    if h < 1 or w < 1 or h != size[0] or w != size[1]:
        raise ValueError(f"input size must be two whole numbers >= 1; got {size!r}")
    return h, w


def filter_singular_values(weights) -> np.ndarray:
    """Singular values of every filter of a ``(P, C, kh, kw)`` bank: ``(P, C, min(kh, kw))``."""
    bank = as_weights("weights", weights, 4, "(P, C, kh, kw)", np.float64)
    return np.linalg.svd(bank, compute_uv=False)


def rank1_energy(singular_values: np.ndarray) -> float:
    """Share of the bank's energy (sum of squares) kept by every filter's rank-1 part."""
    energy = singular_values.astype(np.float64) ** 2
    total = float(energy.sum())
    return float(energy[..., 0].sum() / total) if total > 0 else 1.0


def fit_errors(weights) -> np.ndarray:
    """Relative Frobenius error of the best depthwise-separable fit at M = 1 .. kh kw.

    Entry ``M - 1`` is ``||W - W_M||_F / ||W||_F`` where ``W_M`` keeps the M largest singular
    values of every input channel's ``P x (kh kw)`` slice; it is 0 from ``M = min(P, kh kw)``
    on, and 0 throughout for an all-zero bank.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> bank = np.einsum("pc,chw->pchw", rng.random((8, 3)), rng.random((3, 3, 3)))
    >>> bool(fit_errors(bank)[0] < 1e-12)
    True
    """
    bank = as_weights("weights", weights, 4, "(P, C, kh, kw)", np.float64)
    p, c, kh, kw = bank.shape
    slices = bank.transpose(1, 0, 2, 3).reshape(c, p, kh * kw)
    energy = np.linalg.svd(slices, compute_uv=False) ** 2  # (C, min(P, kh kw))
    total = float(energy.sum())
    per_rank = energy.sum(axis=0)
    suffix = np.cumsum(per_rank[::-1])[::-1]  # suffix[i]: energy of ranks i+1 and above
    tail = np.zeros(kh * kw)  # tail[M - 1]: energy left out when M values are kept
    tail[: len(suffix) - 1] = suffix[1:]
    return np.sqrt(tail / total) if total > 0 else tail


def equivalent_normal_bank(depthwise, pointwise, *, multiplier: int = 1) -> np.ndarray:
    """The normal ``(P, C, kh, kw)`` bank a depthwise then pointwise pair computes.

    ``depthwise`` is ``(C M, 1, kh, kw)`` (or ``(C M, kh, kw)``), kernel ``c M + m`` reading
    channel c; ``pointwise`` is ``(P, C M)`` (or ``(P, C M, 1, 1)``). Activations between the
    two are left out: this is the linear part.

    Examples
    --------
    >>> box = np.ones((2, 3, 3)) / 9
    >>> equivalent_normal_bank(box, [[1.0, -1.0]])[0, :, 0, 0].tolist() == [1 / 9, -1 / 9]
    True
    """
    depth = np.asarray(depthwise, dtype=np.float64)
    depth = depth.reshape(depth.shape[0], *depth.shape[-2:])
    point = np.asarray(pointwise, dtype=np.float64)
    point = point.reshape(point.shape[0], -1)
    cm, m = depth.shape[0], int(multiplier)
    if m < 1 or cm % m:
        raise ValueError(f"{cm} depthwise kernels do not split into multiplier {multiplier!r}")
    if point.shape[1] != cm:
        raise ValueError(f"pointwise reads {point.shape[1]} channels; depthwise makes {cm}")
    kh, kw = depth.shape[1:]
    # out_p = sum_c sum_m w[p, cM+m] (k_{cM+m} * x_c): per channel, the weighted kernels add up.
    return np.einsum("pcm,cmhw->pchw", point.reshape(-1, cm // m, m), depth.reshape(-1, m, kh, kw))


@dataclass(frozen=True)
class LayerAnalysis:
    """One layer at one input size. Counts are None for a layer whose weights are unavailable;
    ``fit_error`` / ``fit_multiplications`` (keyed by M) only exist for normal layers."""

    name: str
    kind: str
    in_channels: int
    out_channels: int
    kernel: tuple[int, int]
    groups: int
    stride: tuple[int, int]
    dilation: tuple[int, int]
    input_size: tuple[int, int] | None
    output_size: tuple[int, int] | None
    multiplications: int | None
    parameters: int | None
    rank1_energy: float | None
    fit_error: dict[int, float] = field(default_factory=dict)
    fit_multiplications: dict[int, int] = field(default_factory=dict)
    note: str = ""


def _multipliers(multipliers, taps: int) -> list[int]:
    if multipliers is None:
        return list(range(1, taps + 1))
    chosen = sorted({int(m) for m in multipliers})
    if not chosen or chosen[0] < 1 or any(m != int(m) for m in multipliers):
        raise ValueError(f"multipliers must be whole numbers >= 1; got {multipliers!r}")
    return [m for m in chosen if m <= taps]


def analyze_layer(layer, input_size, multipliers=None) -> LayerAnalysis:
    """Cost, filter separability and (normal layers) depthwise-separable fits of one layer.

    Parameters
    ----------
    layer : ConvLayer-like
        See the module docstring.
    input_size : (int, int)
        The *model's* input (H, W); the layer's own follows through ``layer.input_path``.
    multipliers : iterable of int, optional
        The depthwise multipliers M to fit; default 1 .. kh kw. Values above kh kw are dropped.
    """
    note = layer.note
    if layer.weights is None:
        return LayerAnalysis(
            layer.name, layer.kind, 0, 0, (0, 0), layer.groups, tuple(layer.stride),
            tuple(layer.dilation), None, None, None, None, None, note=note,
        )  # fmt: skip
    p, cg, kh, kw = layer.weights.shape
    c = cg * layer.groups
    if layer.input_path is None:
        size = _check_size(input_size)
        note = "; ".join(filter(None, [note, "input size taken as given"]))
    else:
        size = layer_input_size(layer.input_path, input_size)
    out = conv_output_size(
        size, (kh, kw), stride=layer.stride, dilation=layer.dilation, pads=layer.pads,
        auto_pad=layer.auto_pad,
    )  # fmt: skip
    if min(out) < 1:
        raise ValueError(
            f"layer {layer.name!r}: an input of {size[0]} x {size[1]} is too small for its "
            f"{kh} x {kw} kernel"
        )
    pixels = out[0] * out[1]
    parameters = p * cg * kh * kw
    energy = None if min(kh, kw) == 1 else rank1_energy(filter_singular_values(layer.weights))
    fit_error, fit_mults = {}, {}
    if layer.kind == "normal" and kh * kw > 1:
        errors = fit_errors(layer.weights)
        for m in _multipliers(multipliers, kh * kw):
            fit_error[m] = float(errors[m - 1])
            fit_mults[m] = pixels * (c * m * kh * kw + p * c * m)
    return LayerAnalysis(
        layer.name, layer.kind, c, p, (kh, kw), layer.groups, tuple(layer.stride),
        tuple(layer.dilation), size, out, pixels * parameters, parameters, energy, fit_error,
        fit_mults, note,
    )  # fmt: skip


@dataclass(frozen=True)
class PairAnalysis:
    """A depthwise layer and the pointwise layer after it, against the normal layer they equal."""

    depthwise: str
    pointwise: str
    multiplications: int
    normal_multiplications: int
    parameters: int
    normal_parameters: int
    formula_ratio: float
    """``M / P + M / (kh kw)``: MobileNet's ratio (M = 1) for these layer sizes."""

    @property
    def ratio(self) -> float:
        return self.multiplications / self.normal_multiplications


def depthwise_pointwise_pairs(layers) -> list[tuple[int, int]]:
    """Indices (i, j) of each depthwise layer and the first later pointwise layer that reads
    its channels on full-size maps (squeeze-excite gates in between are stepped over)."""
    pairs = []
    for i, depth in enumerate(layers):
        if depth.kind != "depthwise":
            continue
        for j in range(i + 1, len(layers)):
            point = layers[j]
            path = point.input_path or ()
            if point.kind == "pointwise" and not any(op.is_global for op in path):
                if point.in_channels == depth.out_channels:
                    pairs.append((i, j))
                break
    return pairs


def analyze_pair(depth: LayerAnalysis, point: LayerAnalysis) -> PairAnalysis:
    """Cost of a depthwise + pointwise pair and of its equivalent normal layer (which keeps the
    depthwise layer's stride, so both produce the pointwise layer's output size)."""
    c, cm, p = depth.in_channels, depth.out_channels, point.out_channels
    m = cm // c
    kh, kw = depth.kernel
    pixels = math.prod(depth.output_size)
    normal_parameters = p * c * kh * kw
    return PairAnalysis(
        depth.name, point.name, depth.multiplications + point.multiplications,
        pixels * normal_parameters, depth.parameters + point.parameters, normal_parameters,
        m / p + m / (kh * kw),
    )  # fmt: skip


@dataclass(frozen=True)
class NetworkAnalysis:
    input_size: tuple[int, int]
    layers: list[LayerAnalysis]
    pairs: list[PairAnalysis]

    @property
    def multiplications(self) -> int:
        return sum(x.multiplications or 0 for x in self.layers)

    @property
    def parameters(self) -> int:
        return sum(x.parameters or 0 for x in self.layers)

    def multiplications_with_fit(self, m: int) -> int:
        """Total if every normal layer with a fit at M ran as that fit instead."""
        return sum(x.fit_multiplications.get(m, x.multiplications or 0) for x in self.layers)


def analyze_network(layers, input_size, multipliers=None) -> NetworkAnalysis:
    """:func:`analyze_layer` for every layer, and every depthwise + pointwise pair."""
    size = _check_size(input_size)
    results = [analyze_layer(layer, size, multipliers) for layer in layers]
    pairs = [
        analyze_pair(results[i], results[j])
        for i, j in depthwise_pointwise_pairs(layers)
        if results[i].multiplications is not None and results[j].multiplications is not None
    ]
    return NetworkAnalysis(size, results, pairs)
