"""An opened model, analysed at the chosen input size, and the designs its layers become.

The Model dock shows what this holds and asks it for everything it draws (no computing in
the widget). No Qt here: the same object answers tests and the dock.

"Use this layer" (:meth:`ModelSession.design_for`) takes normal and depthwise layers. One that
reads the image (C = 1 or 3) runs on the source itself; a deeper one runs on its own real
input (the model cut at that layer, through onnxruntime: :mod:`.layer_feed`), or, without
onnxruntime, on C channels synthesized from the source, and says which:

* a **normal** layer becomes an imported normal bank (``normal_kind`` "file"), its best
  depthwise-separable fit at M as the depthwise-separable design
  (:func:`.design_fit.fit_depthwise`), and the chosen filter as the base kernel, whose rank-r
  1-D factors the spatial mode runs;
* a **depthwise** layer becomes per-map depthwise kernels, the pointwise layer that follows it
  (if any) as the custom pointwise matrix, and their equivalent bank as the normal mode.

The layer's stride and dilation become the design's, so every mode samples as the layer does.
What the design cannot hold is said in the returned notes: the bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.network import (
    NetworkAnalysis,
    analyze_network,
    depthwise_pointwise_pairs,
    filter_singular_values,
)
from ..io.models import Model, load_model, sample_model
from .design_file import MAX_STEP
from .design_fit import fit_depthwise
from . import layer_feed
from .state import (
    MAX_CHANNELS,
    MAX_KERNEL_SIDE,
    MAX_MULTIPLIER,
    MAX_OUT_CHANNELS,
    Design,
    DesignError,
)

IMAGE_CHANNELS = (1, 3)


@dataclass(frozen=True)
class TradeoffPoint:
    multiplier: int
    relative_error: float
    multiplication_ratio: float  # fit / layer


class ModelSession:
    """One opened model and its analysis at ``input_size`` (all M = 1 .. kh kw fitted)."""

    def __init__(self, model: Model, input_size: tuple[int, int] | None = None) -> None:
        self.model = model
        self.analysis: NetworkAnalysis = analyze_network(
            model.layers, input_size or model.suggested_input_size()
        )
        self._pairs = dict(depthwise_pointwise_pairs(model.layers))

    @classmethod
    def open(cls, path) -> ModelSession:
        """Raises ModelLoadError (a sentence for the user) or ValueError (input too small)."""
        return cls(load_model(path))

    @classmethod
    def open_sample(cls) -> ModelSession:
        return cls(load_model(sample_model()))

    def with_input_size(self, size: tuple[int, int]) -> ModelSession:
        """The same model at another input size (raises ValueError when too small)."""
        return ModelSession(self.model, size)

    @property
    def input_size(self) -> tuple[int, int]:
        return self.analysis.input_size

    def __len__(self) -> int:
        return len(self.model.layers)

    def summary(self, multiplier: int) -> dict:
        """Whole-model totals: now, with every normal layer as its fit at M, and the ratio."""
        now = self.analysis.multiplications
        fitted = self.analysis.multiplications_with_fit(multiplier)
        pairs = self.analysis.pairs
        return {
            "layers": len(self.analysis.layers),
            "multiplications": now,
            "parameters": self.analysis.parameters,
            "fitted_multiplications": fitted,
            "ratio": fitted / now if now else 1.0,
            "pairs": len(pairs),
            "pair_multiplications": sum(p.multiplications for p in pairs),
            "pair_normal_multiplications": sum(p.normal_multiplications for p in pairs),
        }

    def filters(self, index: int) -> np.ndarray | None:
        """The layer's ``(P, C / groups, kh, kw)`` weights, or None when unavailable."""
        return self.model.layers[index].weights

    def filter_singular_values(self, index: int, output: int, channel: int) -> np.ndarray:
        weights = self.model.layers[index].weights
        return filter_singular_values(weights[output : output + 1, channel : channel + 1])[0, 0]

    def strongest_filter(self, index: int) -> tuple[int, int]:
        """(output, channel) of the filter with the most energy: the default pick."""
        weights = self.model.layers[index].weights
        energy = np.sum(weights.astype(np.float64) ** 2, axis=(2, 3))
        p, c = np.unravel_index(int(np.argmax(energy)), energy.shape)
        return int(p), int(c)

    def tradeoff(self, index: int) -> list[TradeoffPoint]:
        """Error against multiplications over M, for a normal layer (empty otherwise)."""
        layer = self.analysis.layers[index]
        return [
            TradeoffPoint(
                m, layer.fit_error[m], layer.fit_multiplications[m] / layer.multiplications
            )
            for m in sorted(layer.fit_error)
        ]

    def can_use(self, index: int) -> str:
        """Empty when "Use this layer" works for this layer, else why not."""
        layer = self.model.layers[index]
        if not layer.available:
            return "its weights are not available"
        if layer.kind not in ("normal", "depthwise"):
            return f"a {layer.kind} layer has no spatial kernel to show on an image"
        if layer.in_channels > MAX_CHANNELS:
            return f"it reads {layer.in_channels} channels, more than {MAX_CHANNELS}"
        if layer.input_path and any(op.is_global for op in layer.input_path):
            return "its input is pooled to 1 x 1: there is no image to show"
        if max(*layer.stride, *layer.dilation) > MAX_STEP:
            return f"its stride {layer.stride} or dilation {layer.dilation} exceeds {MAX_STEP}"
        kh, kw = layer.kernel_size
        if max(kh, kw) > MAX_KERNEL_SIDE:
            return f"its {kh} x {kw} kernel is larger than {MAX_KERNEL_SIDE} x {MAX_KERNEL_SIDE}"
        if layer.out_channels > MAX_OUT_CHANNELS:
            return f"its {layer.out_channels} outputs are more than {MAX_OUT_CHANNELS}"
        return ""

    def _register_input(self, key: str, layer) -> None:
        """Tell the pipeline how to compute this layer's input (ONNX models only)."""
        model = self.model
        if model.format != "onnx" or not layer.input_name:
            why = f"a {model.format} file holds the weights only, no graph to run"
            layer_feed.register(key, None, why)
            return
        from ..io.model_activations import LayerActivations, preprocess_for

        prep = preprocess_for(model.path, model.input_size)
        layer_feed.register(key, lambda: LayerActivations(model.path, layer.input_name, prep))

    def design_for(
        self, index: int, base: Design, multiplier: int = 1, chosen: tuple[int, int] | None = None
    ) -> tuple[Design, list[str]]:
        """The design "Use this layer" makes, and what it had to leave out.

        ``base`` supplies everything a layer does not decide (border, algorithm, modes...).
        Raises DesignError when the layer cannot be a design (:meth:`can_use` says why).
        """
        why = self.can_use(index)
        if why:
            raise DesignError(f"layer {self.model.layers[index].name!r} cannot be used: {why}")
        layer = self.model.layers[index]
        c = layer.in_channels
        weights = layer.weights.astype(np.float64)
        output, channel = chosen or self.strongest_filter(index)
        deep = c not in IMAGE_CHANNELS
        key = layer_feed.key_for(self.model.name, layer.name) if deep else ""
        if deep:
            self._register_input(key, layer)
        common = dict(
            kernel=weights[output, channel],
            preset="custom",
            preset_params={},
            spatial_rank=0,
            grayscale=c == 1,
            channels=c if deep else 0,
            layer_input=key,
            stride=tuple(layer.stride),
            dilation=tuple(layer.dilation),
        )
        notes = [f"input: {layer_feed.input_note(key)}"] if deep else []
        if layer.bias is not None:
            notes.append("the bias is left out (the design has none)")
        if layer.stride != (1, 1) or layer.dilation != (1, 1):
            notes.append(f"stride {layer.stride}, dilation {layer.dilation} as in the layer")
        if layer.kind == "normal":
            design = base.with_changes(
                **common, out_channels=layer.out_channels, normal_kind="file", normal_bank=weights
            )
            m = min(int(multiplier), MAX_MULTIPLIER)
            design, error = fit_depthwise(design, m, c)
            notes.append(f"depthwise-separable: its best fit at M = {m}, error {error:.3f}")
            return design, notes
        m = layer.out_channels // c
        if m > MAX_MULTIPLIER:
            raise DesignError(f"its depth multiplier {m} is more than {MAX_MULTIPLIER}")
        j = self._pairs.get(index)
        if j is not None:
            point = self.model.layers[j].weights.astype(np.float64).reshape(-1, c * m)
            notes.append(f"pointwise: layer {self.model.layers[j].name!r}")
        else:
            point = np.eye(c * m)
            notes.append("no pointwise layer follows: each map is passed through")
        design = base.with_changes(
            **common,
            multiplier=m,
            out_channels=point.shape[0],
            depthwise_kind="per_map",
            depthwise_custom=weights[:, 0],
            pointwise="custom",
            pointwise_custom=point,
            normal_kind="equivalent",
            normal_bank=None,
        )
        return design, notes
