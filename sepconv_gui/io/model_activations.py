"""A deeper layer's real input for the current frame: the model run up to that layer.

Needs the optional ``onnxruntime`` (``pip install onnxruntime``, or the ``models`` extra);
:func:`runtime_available` says whether it is there. The model is cut at the layer's input
tensor (only the nodes that tensor depends on are kept), the frame is resized and normalised
the way the model expects (:func:`preprocess_for`), and the activations come back
channels-last, ``(h, w, C)`` float32, ready for the engine's three modes.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .models import DEFAULT_INPUT_SIZE, SAMPLE_MODEL, SAMPLE_MODEL_INPUT_SIZE, ModelLoadError

RUNTIME_HINT = 'pip install onnxruntime  (or: pip install -e ".[models]")'


def runtime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


@dataclass(frozen=True)
class Preprocess:
    """How a frame becomes the model's input: ``((pixel * scale) - mean) / std`` per channel,
    in ``order`` ("RGB" or "BGR"), resized to ``size`` (H, W)."""

    size: tuple[int, int]
    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    order: str = "RGB"
    source: str = ""  # where these numbers come from, for the status line


#: PP-OCR's text-direction classifier: text lines 48 pixels high, 192 wide, OpenCV's BGR
#: order, pixels scaled to [0, 1] then to [-1, 1] (its ``resize_norm_img``).
SAMPLE_PREPROCESS = Preprocess(
    SAMPLE_MODEL_INPUT_SIZE, 1 / 255, (0.5,) * 3, (0.5,) * 3, "BGR", "PP-OCR's classifier"
)
#: Anything else: its declared input size (else 224 x 224) and the ImageNet statistics most
#: published classifiers are trained with.
IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def preprocess_for(path: Path, declared: tuple[int, int] | None) -> Preprocess:
    if Path(path).name == SAMPLE_MODEL:
        return SAMPLE_PREPROCESS
    mean, std = IMAGENET
    return Preprocess(declared or DEFAULT_INPUT_SIZE, 1 / 255, mean, std, "RGB", "ImageNet")


def model_input(frame: np.ndarray, prep: Preprocess) -> np.ndarray:
    """``(1, 3, H, W)`` float32 from an ``(H, W)`` / ``(H, W, 1 or 3)`` RGB frame (0..255)."""
    frame = np.asarray(frame, dtype=np.float32)
    if frame.ndim == 2:
        frame = frame[:, :, None]
    if frame.shape[2] == 1:
        frame = np.repeat(frame, 3, axis=2)
    elif frame.shape[2] != 3:
        raise ValueError(f"the model reads 3 colour channels; the frame has {frame.shape[2]}")
    height, width = prep.size
    resized = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
    if prep.order == "BGR":
        resized = resized[:, :, ::-1]
    normalised = (resized * prep.scale - np.float32(prep.mean)) / np.float32(prep.std)
    return np.ascontiguousarray(normalised.transpose(2, 0, 1)[None], dtype=np.float32)


def truncated(model, target: str):
    """A copy of the ONNX ``model`` that computes only ``target`` (and what it depends on)."""
    from onnx import TensorProto, helper

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    needed, pending = set(), [target]
    while pending:
        node = producer.get(pending.pop())
        if node is not None and id(node) not in needed:
            needed.add(id(node))
            pending.extend(name for name in node.input if name)
    nodes = [node for node in graph.node if id(node) in needed]
    used = {name for node in nodes for name in node.input} | {target}
    cut = helper.make_graph(
        nodes,
        "up to " + target,
        [value for value in graph.input if value.name in used],
        [helper.make_tensor_value_info(target, TensorProto.FLOAT, None)],
        [tensor for tensor in graph.initializer if tensor.name in used],
    )
    return helper.make_model(
        cut, opset_imports=list(model.opset_import), ir_version=model.ir_version
    )


class LayerActivations:
    """Callable: frame -> the named tensor of the model for it, ``(h, w, C)`` float32.

    Raises ModelLoadError when onnxruntime is missing or the model cannot be cut or run.
    """

    def __init__(self, path, tensor: str, prep: Preprocess) -> None:
        if not runtime_available():
            raise ModelLoadError(f"computing a layer's input needs onnxruntime: {RUNTIME_HINT}")
        import onnx
        import onnxruntime

        self.tensor, self.prep = tensor, prep
        model = onnx.load(str(path), load_external_data=False)
        inputs = [value.name for value in model.graph.input]
        initialized = {tensor.name for tensor in model.graph.initializer}
        self.input_name = next(name for name in inputs if name not in initialized)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # the engine owns the cores; the cut model is small
        options.log_severity_level = 3
        try:
            self.session = onnxruntime.InferenceSession(
                truncated(model, tensor).SerializeToString(),
                options,
                providers=["CPUExecutionProvider"],
            )
        except Exception as error:  # onnxruntime's own error types vary by version
            raise ModelLoadError(
                f"{Path(path).name}: onnxruntime cannot run it up to {tensor!r}: "
                f"{str(error).splitlines()[0][:200]}"
            ) from None

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        (output,) = self.session.run(None, {self.input_name: model_input(frame, self.prep)})
        output = np.asarray(output, dtype=np.float32)
        if output.ndim != 4:
            raise ValueError(f"{self.tensor!r} is not an image-shaped tensor: {output.shape}")
        return np.ascontiguousarray(output[0].transpose(1, 2, 0))
