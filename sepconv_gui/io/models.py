"""Trained models in, their 2-D convolution layers out: ONNX, NumPy banks, PyTorch state dicts.

:func:`load_conv_layers` goes by the file's content, not its name: ``.npy`` and ``.npz`` have
their own magic bytes, a zip with a ``data.pkl`` is a PyTorch checkpoint, anything else is
tried as ONNX. Every declared shape is checked against :data:`LIMITS` before the array behind
it is built, so a small hostile file that claims a huge tensor costs nothing. Problems the user
can act on raise :class:`ModelLoadError` with a sentence for them; one unreadable layer in an
otherwise good model is listed with its reason (``weights is None``) instead.

This module holds the layer types, the limits and the checks every reader shares; the readers
are :mod:`.onnx_models` (graphs) and :mod:`.weight_files` (NumPy banks, state dicts).
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sepconv_gui.assets import resource_path

KINDS = ("normal", "depthwise", "pointwise", "grouped")

INSTALL_HINT = 'pip install -e ".[models]"  (or: pip install onnx)'

SAMPLE_MODEL = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
"""The bundled model (``resources/models/README.md`` gives its source and licence)."""
SAMPLE_MODEL_INPUT_SIZE = (48, 192)
"""What the sample model reads (its ONNX input leaves height and width open): text lines
scaled to 48 pixels high, as PP-OCR's classifier configuration says."""
DEFAULT_INPUT_SIZE = (224, 224)
"""Input size assumed for a model that does not declare one: the ImageNet classifiers' size."""


class ModelLoadError(Exception):
    """A model file that cannot be used. ``str(error)`` is a sentence written for the user."""


@dataclass(frozen=True)
class Limits:
    """What a model file may declare before it is refused. Read at call time: tests lower them."""

    file_bytes: int = 256 << 20
    """Largest model file read at all (256 MiB: every mobile/edge model, VGG-16 is 528 MB)."""
    layer_elements: int = 16_000_000
    """Most weights in one convolution layer (64 MB as float32; VGG's largest has 2.4 M)."""
    total_elements: int = 64_000_000
    """Most convolution weights in one model, summed."""
    kernel_side: int = 63
    """Largest kernel height or width (large-kernel networks use up to 31)."""
    channels: int = 16_384
    """Most input or output channels of one layer."""
    layers: int = 5_000
    """Most convolution layers in one model."""


LIMITS = Limits()


@dataclass(frozen=True)
class SpatialOp:
    """One step that changes the spatial size between the model's input and a layer's input.

    ``pads`` is (top, left, bottom, right); ``auto_pad`` is ONNX's ("NOTSET", "VALID",
    "SAME_UPPER", "SAME_LOWER"); ``is_global`` means the output is 1 x 1 (global pooling).
    """

    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    auto_pad: str = "NOTSET"
    ceil_mode: bool = False
    is_global: bool = False


@dataclass(frozen=True)
class ConvLayer:
    """One 2-D convolution layer of a model.

    ``weights`` is float32 ``(P, C / groups, kh, kw)``, or None when the file does not hold
    them as numbers (``note`` says why; ``kind`` is then "unavailable"). ``pads`` is
    (top, left, bottom, right). ``input_path`` lists the size-changing steps from the model's
    input to this layer's input, or is None when the file does not tell (NumPy banks, state
    dicts, layers after a reshape): analysis then applies the chosen input size as it is.
    """

    name: str
    weights: np.ndarray | None
    bias: np.ndarray | None = None
    groups: int = 1
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    auto_pad: str = "NOTSET"
    kind: str = "normal"
    note: str = ""
    input_path: tuple[SpatialOp, ...] | None = field(default=None, compare=False)
    input_name: str = field(default="", compare=False)
    """The ONNX tensor the layer reads ("" when the file does not say)."""

    @property
    def available(self) -> bool:
        return self.weights is not None

    @property
    def out_channels(self) -> int:
        return int(self.weights.shape[0]) if self.available else 0

    @property
    def in_channels(self) -> int:
        return int(self.weights.shape[1]) * self.groups if self.available else 0

    @property
    def kernel_size(self) -> tuple[int, int]:
        return tuple(int(s) for s in self.weights.shape[2:]) if self.available else (0, 0)


@dataclass(frozen=True)
class Model:
    """A model file's convolution layers and the input size it declares (None when open)."""

    path: Path
    format: str
    layers: list[ConvLayer]
    input_size: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def suggested_input_size(self) -> tuple[int, int]:
        """The declared input size, else the sample's known one, else :data:`DEFAULT_INPUT_SIZE`."""
        if self.input_size is not None:
            return self.input_size
        if self.path.name == SAMPLE_MODEL:
            return SAMPLE_MODEL_INPUT_SIZE
        return DEFAULT_INPUT_SIZE


def sample_model() -> Path:
    """Path of the bundled sample model.

    Raises
    ------
    FileNotFoundError
        It is not installed, which means a broken installation.
    """
    path = resource_path("models", SAMPLE_MODEL)
    if not path.is_file():
        raise FileNotFoundError(f"the bundled sample model is missing: {path}")
    return path


def classify(groups: int, shape: tuple[int, ...]) -> str:
    """The layer kind of a ``(P, C / groups, kh, kw)`` bank with ``groups`` groups.

    Depthwise: one input channel per group and more than one group (P may be a multiple of C:
    a depth multiplier). Pointwise: 1 x 1 and ungrouped. Grouped: any other ``groups > 1``.
    """
    per_group, kh, kw = shape[1], shape[2], shape[3]
    if groups > 1:
        return "depthwise" if per_group == 1 else "grouped"
    return "pointwise" if (kh, kw) == (1, 1) else "normal"


def check_bank_shape(name: str, shape, groups: int = 1) -> None:
    """Refuse a declared weight shape that is malformed or over :data:`LIMITS`.

    Called with the shape a file *declares*, before the array exists.
    """
    limits = LIMITS
    shape = tuple(int(s) for s in shape)
    if len(shape) != 4 or min(shape) < 1:
        raise ModelLoadError(f"layer {name!r}: weights must have shape (P, C, kh, kw); got {shape}")
    p, c, kh, kw = shape
    if max(kh, kw) > limits.kernel_side:
        raise ModelLoadError(
            f"layer {name!r}: kernel {kh} x {kw} is larger than {limits.kernel_side} x "
            f"{limits.kernel_side}, the largest this app opens"
        )
    if max(p, c * groups) > limits.channels:
        raise ModelLoadError(
            f"layer {name!r}: {p} outputs from {c * groups} inputs is more than "
            f"{limits.channels} channels, the most this app opens"
        )
    if math.prod(shape) > limits.layer_elements:
        raise ModelLoadError(
            f"layer {name!r}: {math.prod(shape):,} weights is more than "
            f"{limits.layer_elements:,}, the most one layer may hold here"
        )


class LayerList(list):
    """The layers read so far, refusing the model as soon as it has more layers or weights
    than :data:`LIMITS` allow. Checked per layer as it is read, not at the end: layers that
    share one large tensor (each folded with its own BatchNormalization, so each a new array)
    would otherwise fill the memory before a final check ran."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.weights = 0

    def add(self, layer: ConvLayer) -> None:
        if len(self) >= LIMITS.layers:
            raise ModelLoadError(f"{self.source}: more than {LIMITS.layers:,} convolution layers")
        self.weights += layer.weights.size if layer.available else 0
        if self.weights > LIMITS.total_elements:
            raise ModelLoadError(
                f"{self.source}: more than {LIMITS.total_elements:,} convolution weights, the "
                "most one model may hold here"
            )
        self.append(layer)


def check_totals(layers: list[ConvLayer], path: Path) -> list[ConvLayer]:
    """Refuse a model with no usable layer (limits: :class:`LayerList`)."""
    if not layers:
        raise ModelLoadError(f"{path.name}: no 2-D convolution layers found")
    return layers


def finite_float32(name: str, array: np.ndarray) -> np.ndarray:
    """float32 copy of a real-valued array; refuses NaN/inf and values float32 cannot hold."""
    if array.dtype.kind not in "fiu":
        raise ModelLoadError(f"layer {name!r}: weights of type {array.dtype} are not numbers")
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.ascontiguousarray(array, dtype=np.float32)
    if not np.all(np.isfinite(out)):
        raise ModelLoadError(f"layer {name!r}: weights contain NaN, infinity or values too large")
    return out


def bank_layer(name: str, array: np.ndarray, bias=None, note: str = "") -> ConvLayer:
    """A layer from a plain ``(P, C, kh, kw)`` bank (groups unknown: taken as 1)."""
    weights = finite_float32(name, array)
    return ConvLayer(
        name=name,
        weights=weights,
        bias=None if bias is None else finite_float32(name, np.asarray(bias).reshape(-1)),
        kind=classify(1, weights.shape),
        note=note,
    )


def _check_file(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"{path}: no such file")
    if not path.is_file():
        raise ModelLoadError(f"{path}: not a file")
    size = path.stat().st_size
    if size > LIMITS.file_bytes:
        raise ModelLoadError(
            f"{path.name}: {size / 2**20:,.0f} MiB is larger than "
            f"{LIMITS.file_bytes / 2**20:,.0f} MiB, the largest model file this app opens"
        )
    if size == 0:
        raise ModelLoadError(f"{path.name}: the file is empty")
    return path


def state_dict_layers(banks, source: str, groups: dict[str, int] | None = None) -> LayerList:
    """Layers from a state dict's ``(name, weights, bias)`` banks, in the dict's order.

    A state dict stores no ``groups``, so they are inferred (docs/models.md, "Groups in
    PyTorch state dicts"), and ``groups`` (layer name -> G) overrides the inference:

    * weights ``(P, 1, kh, kw)`` with a spatial kernel, after a layer with ``P_prev`` > 1
      outputs where ``P`` is a multiple of ``P_prev``: depthwise, ``groups = P_prev``
      (a layer cannot read one channel of the many the layer before produced);
    * ``(P, 1, kh, kw)`` as the first layer: a normal layer on a 1-channel input;
    * ``(P, 1, kh, kw)`` anywhere else (P not a multiple of P_prev): groups unknown, listed
      unavailable with the reason, never silently read as groups = 1;
    * ``(P, C, kh, kw)`` with C > 1: groups = 1 (a grouped layer needs ``groups``).
    """
    groups = dict(groups or {})
    layers = LayerList(source)
    previous = 0  # outputs of the layer before, 0 for none
    for name, array, bias in banks:
        p, per_group, kh, kw = array.shape
        given = groups.pop(name, None)
        if given is not None:
            if isinstance(given, bool) or not isinstance(given, int) or given < 1 or p % given:
                raise ModelLoadError(
                    f"{source}: groups={given!r} for layer {name!r} does not divide its {p} outputs"
                )
            group, note = given, f"groups = {given} as given"
        elif per_group == 1 and kh * kw > 1 and previous > 1 and p % previous == 0:
            group = previous
            note = (
                f"groups = {previous} inferred: one input channel per filter after a layer "
                f"with {previous} outputs (depthwise)"
            )
        elif per_group == 1 and kh * kw > 1 and previous > 1:
            note = (
                f"groups unknown: {p} filters of one input channel after a layer with "
                f"{previous} outputs; give this layer's groups to read it"
            )
            layers.add(ConvLayer(name=name, weights=None, kind="unavailable", note=note))
            previous = p
            continue
        else:
            group = 1
            note = "groups = 1 assumed: a state dict does not store groups"
        check_bank_shape(name, array.shape, group)
        weights = finite_float32(name, array)
        layers.add(
            ConvLayer(
                name=name,
                weights=weights,
                bias=None if bias is None else finite_float32(name, np.asarray(bias).reshape(-1)),
                groups=group,
                kind=classify(group, weights.shape),
                note=note,
            )
        )
        previous = p
    if groups:
        raise ModelLoadError(f"{source}: no layer named {', '.join(map(repr, sorted(groups)))}")
    return layers


def load_model(path, *, groups: dict[str, int] | None = None) -> Model:
    """Read a model file: its format, 2-D convolution layers and declared input size.

    Same files, ``groups`` and errors as :func:`load_conv_layers`.
    """
    from .weight_files import is_torch_zip, load_npy, load_npz, load_torch

    path = _check_file(path)
    with path.open("rb") as stream:
        magic = stream.read(8)
    input_size = None
    if magic.startswith(b"\x93NUMPY"):
        fmt, layers = "npy", load_npy(path)
    elif magic.startswith(b"PK\x03\x04"):
        if zipfile.is_zipfile(path) and is_torch_zip(path):
            fmt, layers = "pytorch", load_torch(path, groups)
        else:
            fmt, layers = "npz", load_npz(path)
    elif path.suffix.lower() in (".pt", ".pth", ".bin", ".ckpt"):
        fmt, layers = "pytorch", load_torch(path, groups)
    else:
        from .onnx_models import load_onnx

        fmt, (layers, input_size) = "onnx", load_onnx(path)
    if groups and fmt != "pytorch":
        raise ModelLoadError(f"{path.name}: groups are given only for PyTorch state dicts")
    return Model(path, fmt, check_totals(layers, path), input_size)


def load_conv_layers(path, *, groups: dict[str, int] | None = None) -> list[ConvLayer]:
    """Every 2-D convolution layer of a model file, in the order the model runs them.

    Parameters
    ----------
    path : str or Path
        An ONNX model, a NumPy ``.npy`` bank ``(P, C, kh, kw)``, an ``.npz`` of named banks,
        or a PyTorch ``state_dict`` file (needs PyTorch).
    groups : dict, optional
        For a state dict, which stores no groups: layer name -> groups, overriding the
        inference of :func:`state_dict_layers`.

    Raises
    ------
    ModelLoadError
        The file cannot be used; the message says why and, for a missing optional package,
        how to install it.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "blur.npy")
    >>> np.save(path, np.ones((8, 3, 3, 3), np.float32))
    >>> [(layer.name, layer.kind, layer.weights.shape) for layer in load_conv_layers(path)]
    [('blur', 'normal', (8, 3, 3, 3))]
    """
    return load_model(path, groups=groups).layers
