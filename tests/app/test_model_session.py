"""ModelSession: what the Model dock shows, and the designs "Use this layer" makes, checked
against the engine's factorization and a hand-built pair."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sepconv_gui.app.model_session import ModelSession
from sepconv_gui.app.state import Design, DesignError
from sepconv_gui.engine import factorize_depthwise_separable
from sepconv_gui.io.models import ConvLayer, Model

pytest.importorskip("onnx")
RNG = np.random.default_rng(7)


@pytest.fixture(scope="module")
def sample():
    return ModelSession.open_sample()


def test_normal_image_layer_becomes_bank_fit_and_kernel(sample):
    conv1 = sample.model.layers[0]
    design, notes = sample.design_for(0, Design(), multiplier=2, chosen=(5, 1))
    np.testing.assert_array_equal(design.normal_weights(3), conv1.weights.astype(np.float64))
    depth, point, error = factorize_depthwise_separable(conv1.weights.astype(np.float64), 2)
    np.testing.assert_allclose(design.depthwise_kernels(3), depth, atol=1e-12)
    np.testing.assert_allclose(design.pointwise_weights(3), point, atol=1e-12)
    np.testing.assert_array_equal(design.kernel_array(), conv1.weights[5, 1].astype(np.float64))
    assert (design.out_channels, design.multiplier, design.grayscale) == (8, 2, False)
    assert any("bias" in n for n in notes)
    # The layer runs as defined: its stride and dilation become the design's.
    assert (design.stride, design.dilation) == (conv1.stride, conv1.dilation) == ((2, 2), (1, 1))
    assert any("stride (2, 2)" in n for n in notes)
    assert any(f"{error:.3f}" in n for n in notes)


def test_the_strongest_filter_is_the_default_pick(sample):
    weights = sample.filters(0).astype(np.float64)
    p, c = sample.strongest_filter(0)
    assert np.sum(weights[p, c] ** 2) == np.max(np.sum(weights**2, axis=(2, 3)))


def test_deeper_layers_run_on_their_own_channels_and_pointwise_layers_say_why(sample):
    names = {layer.name: i for i, layer in enumerate(sample.model.layers)}
    assert sample.can_use(names["conv2_depthwise"]) == ""
    design, _ = sample.design_for(names["conv2_depthwise"], Design())
    assert (design.channels, design.multiplier, design.stride) == (8, 1, (2, 1))
    assert design.layer_input.endswith("conv2_depthwise")
    assert "pointwise" in sample.can_use(names["conv2_expand"])
    with pytest.raises(DesignError, match="conv2_expand"):
        sample.design_for(names["conv2_expand"], Design())


def test_depthwise_image_layer_and_its_pointwise_become_the_separable_design():
    depth = RNG.standard_normal((6, 1, 3, 3)).astype(np.float32)  # C = 3, M = 2
    point = RNG.standard_normal((4, 6, 1, 1)).astype(np.float32)
    layers = [
        ConvLayer("dw", depth, groups=3, kind="depthwise", input_path=()),
        ConvLayer("pw", point, kind="pointwise", input_path=()),
    ]
    session = ModelSession(Model(Path("pair.onnx"), "onnx", layers), (20, 20))
    design, notes = session.design_for(0, Design())
    assert (design.multiplier, design.out_channels, design.normal_kind) == (2, 4, "equivalent")
    np.testing.assert_array_equal(design.depthwise_kernels(3), depth[:, 0])
    # The normal mode is the pair's linear equivalent, written out one tap sum at a time.
    expected = np.zeros((4, 3, 3, 3))
    for p in range(4):
        for c in range(3):
            for m in range(2):
                expected[p, c] += float(point[p, c * 2 + m, 0, 0]) * depth[c * 2 + m, 0]
    np.testing.assert_allclose(design.normal_weights(3), expected, rtol=1e-6)
    assert any("'pw'" in n for n in notes)


def test_summary_and_tradeoff_follow_the_analysis(sample):
    s = sample.summary(2)
    assert s["multiplications"] == sample.analysis.multiplications
    assert s["fitted_multiplications"] == sample.analysis.multiplications_with_fit(2)
    points = sample.tradeoff(0)
    assert [p.multiplier for p in points] == list(range(1, 10))
    assert points[0].multiplication_ratio == pytest.approx(1 / 8 + 1 / 9)
    assert sample.tradeoff(1) == []  # pointwise: nothing to fit
    assert sample.with_input_size((96, 384)).analysis.layers[0].output_size == (48, 192)
