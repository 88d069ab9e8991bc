"""ONNX graphs in, :class:`~sepconv_gui.io.models.ConvLayer` lists out (needs the optional
``onnx`` package: ``pip install -e ".[models]"``).

Weights are found wherever an exporter leaves fixed numbers: graph initializers, ``Constant``
nodes (the bundled sample keeps all of its weights there) and ``Identity`` nodes over either.
A weight produced by any other node is computed when the model runs; that layer is listed with
the reason instead of failing the model. A ``BatchNormalization`` that alone reads a conv's
output is folded into its weights and bias, as inference engines do.

Each layer also records the size-changing steps (convs, pools, global pools) between the
model's input and its own input, so the analysis can count multiplications at any input size.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from .models import (
    INSTALL_HINT,
    ConvLayer,
    ModelLoadError,
    SpatialOp,
    LayerList,
    check_bank_shape,
    classify,
    finite_float32,
)

# Ops that keep the spatial size of their (non-constant) inputs.
_SIZE_KEEPING = {
    "Abs", "Add", "BatchNormalization", "Cast", "Clip", "Concat", "Div", "Dropout", "Elu",
    "Erf", "Exp", "Gelu", "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization",
    "LeakyRelu", "Max", "Mean", "Min", "Mish", "Mul", "Neg", "Pow", "PRelu", "Relu", "Selu",
    "Sigmoid", "Softplus", "Softsign", "Sqrt", "Sub", "Sum", "Tanh",
}  # fmt: skip
_POOLS = {"MaxPool", "AveragePool", "LpPool"}
_GLOBAL_POOLS = {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}
_OTHER_CONVS = {
    "ConvInteger": "a quantized (integer) convolution; its weights are not read",
    "QLinearConv": "a quantized (integer) convolution; its weights are not read",
    "ConvTranspose": "a transposed (upsampling) convolution; not analysed here",
}
_MAX_STEP = 4096  # largest stride or dilation taken at face value


class _Unavailable(Exception):
    """This layer's weights cannot be read; the message is the reason shown beside it."""


def _import_onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ModelLoadError(
            f"Opening ONNX models needs the optional 'onnx' package: {INSTALL_HINT}"
        ) from None
    return onnx, numpy_helper


class _Graph:
    """Where each tensor of an ONNX graph comes from, and who reads it."""

    def __init__(self, graph, onnx, numpy_helper):
        self.onnx, self.numpy_helper = onnx, numpy_helper
        self.constants = {t.name: t for t in graph.initializer}
        self.producers, self.consumers = {}, {}
        for node in graph.node:
            for name in node.output:
                self.producers[name] = node
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
            if node.op_type == "Constant" and node.output:
                value = self._constant_value(node)
                if value is not None:
                    self.constants[node.output[0]] = value
        self.outputs = {o.name for o in graph.output}
        self.model_inputs = {i.name for i in graph.input} - set(self.constants)

    def _constant_value(self, node):
        for attribute in node.attribute:
            if attribute.name == "value":
                return attribute.t
            if attribute.name in ("value_float", "value_floats"):
                values = self.onnx.helper.get_attribute_value(attribute)
                return self.numpy_helper.from_array(np.asarray(values, np.float32))
        return None

    def resolve(self, name: str):
        """The TensorProto behind ``name`` (through Identity nodes), or raise _Unavailable."""
        for _ in range(64):
            if name in self.constants:
                return self.constants[name]
            node = self.producers.get(name)
            if node is None:
                if name in self.model_inputs:
                    raise _Unavailable("its weights are a model input, given at run time")
                raise _Unavailable(f"its weights {name!r} are not defined in the file")
            if node.op_type != "Identity":
                raise _Unavailable(
                    f"its weights come from a {node.op_type} node, computed when the model runs"
                )
            name = node.input[0]
        raise _Unavailable("its weights pass through too many Identity nodes")

    def array(self, name: str, expected: int | None = None, layer: str = "") -> np.ndarray:
        """The numbers behind ``name``; sizes are checked before anything is converted."""
        tensor = self.resolve(name)
        types = self.onnx.TensorProto
        if tensor.data_location == types.EXTERNAL:
            raise _Unavailable("its weights are in an external data file, which is not read")
        if tensor.data_type not in (types.FLOAT, types.DOUBLE, types.FLOAT16, types.BFLOAT16):
            type_name = types.DataType.Name(tensor.data_type)
            raise _Unavailable(f"its weights are stored as {type_name}, not as real numbers")
        dims = tuple(int(d) for d in tensor.dims)
        if any(d < 0 for d in dims):
            raise ModelLoadError(f"layer {layer!r}: tensor {name!r} declares negative sizes")
        if expected is None:
            check_bank_shape(layer, dims if len(dims) == 4 else (0,))
        elif math.prod(dims) != expected:
            raise ModelLoadError(
                f"layer {layer!r}: tensor {name!r} has {math.prod(dims)} values, not {expected}"
            )
        count = math.prod(dims)
        itemsize = {types.FLOAT: 4, types.DOUBLE: 8}.get(tensor.data_type, 2)
        stored = (
            len(tensor.raw_data) // itemsize
            if tensor.raw_data
            else len(tensor.float_data) + len(tensor.double_data) + len(tensor.int32_data)
        )
        if stored != count or (tensor.raw_data and len(tensor.raw_data) != count * itemsize):
            raise ModelLoadError(
                f"layer {layer!r}: tensor {name!r} declares {count} values but stores {stored}"
            )
        return finite_float32(layer, self.numpy_helper.to_array(tensor)).reshape(dims)


def _attributes(onnx, node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pair(values, default: int, what: str) -> tuple[int, int]:
    values = tuple(int(v) for v in values) if values else (default, default)
    if len(values) != 2 or not all(1 <= v <= _MAX_STEP for v in values):
        raise _Unavailable(f"its {what} {values} is not two whole numbers from 1 to {_MAX_STEP}")
    return values


def _pads(values) -> tuple[int, int, int, int]:
    values = tuple(int(v) for v in values) if values else (0, 0, 0, 0)
    if len(values) != 4 or not all(0 <= v <= _MAX_STEP for v in values):
        raise _Unavailable(f"its pads {values} are not four whole numbers from 0 to {_MAX_STEP}")
    return values


def _auto_pad(attrs) -> str:
    value = attrs.get("auto_pad", b"NOTSET")
    return value.decode() if isinstance(value, bytes) else str(value)


def _spatial_op(attrs, kernel: tuple[int, int]) -> SpatialOp:
    return SpatialOp(
        kernel=kernel,
        stride=_pair(attrs.get("strides"), 1, "stride"),
        dilation=_pair(attrs.get("dilations"), 1, "dilation"),
        pads=_pads(attrs.get("pads")),
        auto_pad=_auto_pad(attrs),
        ceil_mode=bool(attrs.get("ceil_mode", 0)),
    )


def _folding_bn(graph: _Graph, node):
    """The BatchNormalization that alone reads this conv's output, or None."""
    out = node.output[0]
    readers = graph.consumers.get(out, [])
    if out in graph.outputs or len(readers) != 1 or readers[0].op_type != "BatchNormalization":
        return None
    bn = readers[0]
    return bn if bn.input and bn.input[0] == out and len(bn.input) >= 5 else None


def _fold(graph: _Graph, bn, weights, bias, layer: str):
    p = weights.shape[0]
    scale, offset, mean, var = (graph.array(n, p, layer).astype(np.float64) for n in bn.input[1:5])
    epsilon = float(_attributes(graph.onnx, bn).get("epsilon", 1e-5))
    factor = scale / np.sqrt(var + epsilon)
    folded = weights.astype(np.float64) * factor[:, None, None, None]
    base = np.zeros(p) if bias is None else bias.astype(np.float64)
    return finite_float32(layer, folded), finite_float32(layer, (base - mean) * factor + offset)


def _layer_name(node) -> str:
    """The node's own name, unless an exporter numbered it ("Conv@3", "Conv_12"): then its
    weight tensor's name ("conv3_depthwise_weights" -> "conv3_depthwise"), which says more."""
    name = node.name
    if (not name or re.fullmatch(r"[A-Za-z]*Conv[@_]?\d*", name)) and len(node.input) > 1:
        name = re.sub(r"[._]?weights?$", "", node.input[1]) or node.input[1]
    return name or node.output[0]


def _conv_layer(graph: _Graph, node, input_path) -> ConvLayer:
    """The layer of one Conv node (with a following BatchNormalization folded in)."""
    name = _layer_name(node)
    attrs = _attributes(graph.onnx, node)
    groups = int(attrs.get("group", 1))
    described = dict(
        name=name, input_path=input_path, auto_pad=_auto_pad(attrs), input_name=node.input[0]
    )
    try:
        if node.op_type in _OTHER_CONVS:
            raise _Unavailable(_OTHER_CONVS[node.op_type])
        if len(node.input) < 2:
            raise _Unavailable("it has no weight input")
        weights = graph.array(node.input[1], layer=name)
        p, per_group, kh, kw = weights.shape
        if groups < 1 or p % groups:
            raise _Unavailable(f"its {p} outputs do not split into {groups} groups")
        check_bank_shape(name, weights.shape, groups)
        op = _spatial_op(attrs, (kh, kw))
        described.update(stride=op.stride, dilation=op.dilation, pads=op.pads, groups=groups)
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = graph.array(node.input[2], p, name)
        note = ""
        bn = _folding_bn(graph, node)
        if bn is not None:
            try:
                weights, bias = _fold(graph, bn, weights, bias, name)
                note = "BatchNormalization folded"
            except _Unavailable as why:
                note = f"BatchNormalization not folded: {why}"
        kind = classify(groups, weights.shape)
        return ConvLayer(weights=weights, bias=bias, kind=kind, note=note, **described)
    except _Unavailable as why:
        return ConvLayer(weights=None, kind="unavailable", note=str(why), **described)


def _size_path(graph: _Graph, node, paths: dict):
    """The size-changing steps leading to this node's outputs, or None when unknown."""
    onnx = graph.onnx
    known = [paths[name] for name in node.input if name in paths]
    first = known[0] if known else None
    op = node.op_type
    if op in _SIZE_KEEPING:
        if op == "Concat" and _attributes(onnx, node).get("axis", 1) not in (1, -3):
            return None
        # x * se(x): follow the full-size input, not the globally pooled one.
        full = [p for p in known if p is not None and not any(s.is_global for s in p)]
        return full[0] if full else first
    if first is None:
        return None
    if op in _GLOBAL_POOLS:
        return first + (SpatialOp(is_global=True),)
    if op in _POOLS or op == "Conv":
        attrs = _attributes(onnx, node)
        kernel = attrs.get("kernel_shape")
        if not kernel and op == "Conv" and len(node.input) > 1:
            try:
                kernel = graph.resolve(node.input[1]).dims[2:]
            except _Unavailable:
                return None
        if not kernel or len(kernel) != 2:
            return None
        try:
            return first + (_spatial_op(attrs, tuple(int(k) for k in kernel)),)
        except _Unavailable:
            return None
    return None


def _declared_input_size(graph: _Graph, model) -> tuple[int, int] | None:
    """(H, W) of the first 4-D model input, when both are fixed numbers."""
    for value in model.graph.input:
        if value.name not in graph.model_inputs:
            continue
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4:
            h, w = (d.dim_value if d.HasField("dim_value") else 0 for d in dims[2:])
            return (int(h), int(w)) if h > 0 and w > 0 else None
    return None


def load_onnx(path: Path) -> tuple[list[ConvLayer], tuple[int, int] | None]:
    """Every 2-D convolution layer of an ONNX model file, in graph order, and the (H, W) its
    input declares (None when left open)."""
    onnx, numpy_helper = _import_onnx()
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise ModelLoadError(
            f"{path.name}: not a model file this app reads (ONNX, .npy, .npz or a PyTorch "
            f"state dict); as ONNX: {reason}"
        ) from None
    if not model.graph.node:
        raise ModelLoadError(f"{path.name}: not an ONNX model (no graph nodes)")
    graph = _Graph(model.graph, onnx, numpy_helper)
    paths = {name: () for name in graph.model_inputs}
    layers = LayerList(path.name)
    for node in model.graph.node:
        if node.op_type in ("Conv", *_OTHER_CONVS):
            weight = graph.constants.get(node.input[1]) if len(node.input) > 1 else None
            if weight is None or len(weight.dims) == 4:
                layers.add(_conv_layer(graph, node, paths.get(node.input[0])))
        path_after = _size_path(graph, node, paths)
        for name in node.output:
            paths[name] = path_after
    return layers, _declared_input_size(graph, model)
