"""Deeper layers live: a layer that does not read the image runs on its real input (the model
cut at that layer and run by onnxruntime) where onnxruntime is installed, and on the channel
designer's synthesized channels, labelled as such, where it is not."""

from __future__ import annotations

import numpy as np
import pytest

from sepconv_gui.app import layer_feed
from sepconv_gui.app.channels import expand_channels
from sepconv_gui.app.model_session import ModelSession
from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.engine import reference as ref

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(2311)
W_FIRST = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
B_FIRST = RNG.standard_normal(4).astype(np.float32)
W_DEEP = RNG.standard_normal((5, 4, 3, 3)).astype(np.float32)
MEAN, STD = np.float32([0.485, 0.456, 0.406]), np.float32([0.229, 0.224, 0.225])


@pytest.fixture
def two_layers(tmp_path):
    """x (1, 3, 6, 8) -> conv 3->4 (+bias, zero pads) -> relu -> conv 4->5 named "deep"."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["a"], pads=[1, 1, 1, 1], name="first"),
        helper.make_node("Relu", ["a"], ["r"]),
        helper.make_node("Conv", ["r", "w2"], ["y"], pads=[1, 1, 1, 1], name="deep"),
    ]
    inits = [
        numpy_helper.from_array(W_FIRST, "w1"),
        numpy_helper.from_array(B_FIRST, "b1"),
        numpy_helper.from_array(W_DEEP, "w2"),
    ]
    graph = helper.make_graph(
        nodes,
        "two",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / "two.onnx"
    onnx.save(model, str(path))
    layer_feed.forget_all()
    yield ModelSession.open(path)
    layer_feed.forget_all()


def frame():
    return np.random.default_rng(5).integers(0, 256, (6, 8, 3)).astype(np.float32)


def hand_activations(image):
    """By hand: ImageNet normalisation of the RGB frame, the first conv with zero padding
    (border "constant"), its bias, relu."""
    normalised = (image / 255 - MEAN) / STD
    first = ref.normal(normalised, W_FIRST, "constant") + B_FIRST
    return np.maximum(first, 0)


def test_a_deep_layer_becomes_a_design_on_its_own_channels(two_layers):
    assert two_layers.can_use(1) == ""
    design, notes = two_layers.design_for(1, Design())
    assert design.channels == 4 and design.layer_input == "two.onnx › deep"
    np.testing.assert_array_equal(design.normal_weights(4), W_DEEP.astype(np.float64))
    assert any("input" in n for n in notes)


def test_with_onnxruntime_the_layer_runs_on_its_real_input(two_layers):
    pytest.importorskip("onnxruntime")
    design, notes = two_layers.design_for(1, Design(modes=("normal",)))
    image = frame()
    result = run_design(image, design)
    want = hand_activations(image)
    np.testing.assert_allclose(result.image, want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        result.results["normal"].output,
        ref.normal(want, W_DEEP, design.border),
        rtol=1e-3,
        atol=1e-3,
    )
    assert "real input" in layer_feed.input_note(design.layer_input)
    assert any("real input" in n for n in notes)


def test_without_onnxruntime_it_runs_on_synthesized_channels_and_says_so(two_layers, monkeypatch):
    monkeypatch.setattr(layer_feed, "runtime_available", lambda: False)
    design, notes = two_layers.design_for(1, Design(modes=("normal",)))
    image = frame()
    result = run_design(image, design)
    np.testing.assert_array_equal(result.image, expand_channels(image, 4))
    note = layer_feed.input_note(design.layer_input)
    assert "synthesized" in note and "pip install onnxruntime" in note
    assert any("synthesized" in n for n in notes)


def test_a_design_whose_model_is_not_open_says_where_to_get_the_input():
    layer_feed.forget_all()
    design = Design(channels=4, layer_input="other.onnx › conv9", out_channels=4)
    image = frame()
    np.testing.assert_array_equal(run_design(image, design).image, expand_channels(image, 4))
    note = layer_feed.input_note(design.layer_input)
    assert "synthesized" in note
    if layer_feed.runtime_available():
        assert "open other.onnx" in note


def test_the_bundled_models_deeper_layer_runs_on_its_activations():
    pytest.importorskip("onnxruntime")
    layer_feed.forget_all()
    session = ModelSession.open_sample()
    index = next(
        i
        for i, layer in enumerate(session.model.layers)
        if layer.kind == "depthwise" and layer.in_channels not in (1, 3) and not session.can_use(i)
    )
    layer = session.model.layers[index]
    design, _ = session.design_for(index, Design(modes=("normal", "depthwise")))
    image = np.random.default_rng(9).integers(0, 256, (60, 200, 3)).astype(np.float32)
    result = run_design(image, design)
    assert result.image.shape[2] == layer.in_channels
    assert result.image.shape[:2] == session.analysis.layers[index].input_size
    assert np.abs(result.image).max() > 0
    assert "real input" in layer_feed.input_note(design.layer_input)
    layer_feed.forget_all()


def test_the_bundled_models_input_is_bgr_scaled_to_minus_one_one():
    from sepconv_gui.io.model_activations import model_input, preprocess_for
    from sepconv_gui.io.models import sample_model

    prep = preprocess_for(sample_model(), None)
    assert prep.size == (48, 192)
    red = np.zeros((10, 30, 3), np.float32)
    red[..., 0] = 255  # RGB: pure red
    x = model_input(red, prep)
    assert x.shape == (1, 3, 48, 192)
    np.testing.assert_allclose(x[0, :, 5, 5], [-1.0, -1.0, 1.0], atol=1e-6)  # B, G, R
