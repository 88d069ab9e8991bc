"""The bundled sample model: present, small, documented with its licence, and readable."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from sepconv_gui.assets import resource_path
from sepconv_gui.io.models import SAMPLE_MODEL, load_model, sample_model

pytest.importorskip("onnx")


def test_sample_model_is_bundled_small_and_documented():
    path = sample_model()
    assert path == resource_path("models", SAMPLE_MODEL)
    assert path.stat().st_size < 2_000_000
    readme = (path.parent / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{SAMPLE_MODEL}`"))
    assert "Apache-2.0" in row and "rapidocr-onnxruntime" in row
    assert hashlib.sha256(path.read_bytes()).hexdigest() in readme  # unmodified, as it says
    licence = (path.parent / "LICENSE-Apache-2.0.txt").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0" in licence


def test_sample_model_lists_normal_depthwise_and_pointwise_layers():
    model = load_model(sample_model())
    assert model.format == "onnx"
    assert model.input_size is None and model.suggested_input_size() == (48, 192)
    kinds = Counter(layer.kind for layer in model.layers)
    assert kinds == {"normal": 1, "depthwise": 11, "pointwise": 41}
    first = model.layers[0]
    assert (first.name, first.in_channels, first.out_channels) == ("conv1", 3, 8)
    assert (first.kernel_size, first.stride, first.input_path) == ((3, 3), (2, 2), ())
    for layer in model.layers:
        assert layer.weights.dtype.name == "float32"
        if layer.kind == "depthwise":
            assert layer.groups == layer.in_channels == layer.out_channels
            assert layer.kernel_size in ((3, 3), (5, 5))
    # Every conv outside the squeeze-excite gates is followed by a BatchNormalization.
    folded = [layer for layer in model.layers if layer.note == "BatchNormalization folded"]
    gates = [layer for layer in model.layers if "_se_" in layer.name]
    assert len(folded) == 35 and len(gates) == 18
    assert all(layer.bias is not None for layer in folded)
    # The gates run on globally pooled features, the layer after each gate on full maps.
    assert all(any(s.is_global for s in layer.input_path) for layer in gates)
    after_gates = [
        model.layers[i + 1] for i, x in enumerate(model.layers) if x.name.endswith("_se_2")
    ]
    assert after_gates and not any(s.is_global for x in after_gates for s in x.input_path)
