"""Network analysis: fit errors against a per-channel SVD written here, sizes against ONNX's own
shape inference, costs against hand counts, pairs against MobileNet's 1/P + 1/k^2."""

from __future__ import annotations

import numpy as np
import pytest

from sepconv_gui.engine import reference
from sepconv_gui.engine.network import (
    analyze_layer,
    analyze_network,
    conv_output_size,
    equivalent_normal_bank,
    filter_singular_values,
    fit_errors,
    rank1_energy,
)
from sepconv_gui.engine.separability import factorize_depthwise_separable
from sepconv_gui.io.models import ConvLayer, load_model, sample_model

RNG = np.random.default_rng(10)


def svd_fit_error(bank: np.ndarray, m: int) -> float:
    """Rebuild every input channel's P x k^2 slice from its top-m SVD terms; measure what is off."""
    p, c, kh, kw = bank.shape
    approx = np.empty_like(bank, dtype=np.float64)
    for channel in range(c):
        slab = bank[:, channel].reshape(p, kh * kw).astype(np.float64)
        u, s, vt = np.linalg.svd(slab, full_matrices=False)
        approx[:, channel] = ((u[:, :m] * s[:m]) @ vt[:m]).reshape(p, kh, kw)
    return float(np.linalg.norm(bank - approx) / np.linalg.norm(bank))


@pytest.mark.parametrize("shape", [(5, 3, 3, 3), (20, 2, 3, 3), (4, 6, 5, 3), (1, 1, 3, 3)])
def test_fit_errors_equal_an_independent_per_channel_svd(shape):
    bank = RNG.standard_normal(shape)
    errors = fit_errors(bank)
    assert errors.shape == (shape[2] * shape[3],)
    for m in range(1, len(errors) + 1):
        assert errors[m - 1] == pytest.approx(svd_fit_error(bank, m), abs=1e-12), m
    assert errors[0] == pytest.approx(factorize_depthwise_separable(bank, 1)[2], abs=1e-12)
    assert np.all(np.diff(errors) <= 1e-15)  # more terms never fit worse


def test_fit_of_a_truly_separable_bank_is_exact_and_zero_bank_is_harmless():
    point, depth = RNG.standard_normal((8, 3, 2)), RNG.standard_normal((3, 2, 3, 3))
    bank = np.einsum("pcm,cmhw->pchw", point, depth)  # depthwise-separable with M = 2
    errors = fit_errors(bank)
    assert errors[0] > 0.01 and errors[1] < 1e-12
    assert np.all(fit_errors(np.zeros((4, 2, 3, 3))) == 0)


def test_rank1_energy_of_known_filters():
    sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float)
    laplace = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float)
    assert rank1_energy(filter_singular_values(sobel[None, None])) == pytest.approx(1.0)
    s = np.linalg.svd(laplace, compute_uv=False)
    expected = s[0] ** 2 / np.sum(s**2)
    assert rank1_energy(filter_singular_values(laplace[None, None])) == pytest.approx(expected)
    both = np.stack([sobel, laplace])[:, None]  # energy-weighted: 12 of sobel, 20 of laplace
    assert rank1_energy(filter_singular_values(both)) == pytest.approx((12 + expected * 20) / 32)


def test_equivalent_normal_bank_computes_what_the_pair_computes():
    image = RNG.standard_normal((9, 11, 3))
    depth, point = RNG.standard_normal((6, 3, 3)), RNG.standard_normal((5, 6))  # M = 2
    _, pair = reference.depthwise(image, depth, point)
    bank = equivalent_normal_bank(depth, point, multiplier=2)
    assert bank.shape == (5, 3, 3, 3)
    np.testing.assert_allclose(reference.normal(image, bank), pair, atol=1e-12)


def test_output_sizes_match_onnx_shape_inference(tmp_path):
    onnx = pytest.importorskip("onnx")
    from tests.io.test_models import tiny_model

    path = tiny_model(tmp_path / "tiny.onnx")
    inferred = onnx.shape_inference.infer_shapes(onnx.load(str(path)), strict_mode=True)
    shapes = {
        v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
        for v in list(inferred.graph.value_info) + list(inferred.graph.output)
    }
    result = analyze_network(load_model(path).layers, (16, 16))
    outputs = {"w_normal": "a", "dw": "d", "pw": "p", "grouped": "g"}
    for layer in result.layers[:4]:
        assert layer.output_size == shapes[outputs[layer.name]][2:], layer.name


def test_costs_of_the_tiny_model_by_hand(tmp_path):
    pytest.importorskip("onnx")
    from tests.io.test_models import tiny_model

    layers = load_model(tiny_model(tmp_path / "tiny.onnx")).layers
    normal, depth, point, grouped, runtime = analyze_network(layers, (16, 16), [1, 2, 4]).layers
    assert normal.multiplications == 16 * 16 * 4 * 3 * 9 and normal.parameters == 4 * 3 * 9
    assert depth.multiplications == 8 * 8 * 4 * 9  # stride 2
    assert point.multiplications == 8 * 8 * 6 * 4
    assert grouped.multiplications == 8 * 8 * 6 * 2 * 9  # dilation 2, padding 2
    assert normal.fit_multiplications == {m: 16 * 16 * (3 * m * 9 + 4 * 3 * m) for m in (1, 2, 4)}
    assert set(normal.fit_error) == {1, 2, 4} and not depth.fit_error and not grouped.fit_error
    assert runtime.multiplications is None and "Mul" in runtime.note
    assert point.rank1_energy is None and 0 < depth.rank1_energy <= 1


def test_sample_model_pairs_save_what_mobilenet_says():
    pytest.importorskip("onnx")
    model = load_model(sample_model())
    result = analyze_network(model.layers, (48, 192))
    assert len(result.pairs) == 11  # every depthwise layer feeds a pointwise "linear" layer
    by_name = {x.name: x for x in result.layers}
    for pair in result.pairs:
        depth, point = by_name[pair.depthwise], by_name[pair.pointwise]
        assert pair.depthwise.replace("depthwise", "linear") == pair.pointwise
        kh, kw = depth.kernel
        assert pair.ratio == pytest.approx(1 / point.out_channels + 1 / (kh * kw))
        assert pair.formula_ratio == pytest.approx(pair.ratio)
        h, w = point.output_size
        assert (
            pair.normal_multiplications == h * w * point.out_channels * depth.in_channels * kh * kw
        )
    conv1 = by_name["conv1"]
    assert (conv1.input_size, conv1.output_size) == ((48, 192), (24, 96))
    assert result.multiplications == sum(x.multiplications for x in result.layers)
    assert result.multiplications_with_fit(1) == (
        result.multiplications - conv1.multiplications + conv1.fit_multiplications[1]
    )


def test_bad_input_sizes_and_layers_without_weights():
    layer = ConvLayer("blur", np.ones((1, 1, 3, 3), np.float32))
    for size in [(0, 5), (5,), "big", (2.5, 4)]:
        with pytest.raises(ValueError):
            analyze_layer(layer, size)
    assert conv_output_size((2, 2), (5, 5)) == (0, 0)
    small = analyze_layer(layer, (4, 4))
    assert small.output_size == (2, 2) and "as given" in small.note


def test_sample_model_sizes_match_onnx_shape_inference_at_a_fixed_input():
    onnx = pytest.importorskip("onnx")
    model = onnx.load(str(sample_model()))
    for dim, value in zip(model.graph.input[0].type.tensor_type.shape.dim, (1, 3, 48, 192)):
        dim.ClearField("dim_param")
        dim.dim_value = value
    inferred = onnx.shape_inference.infer_shapes(model).graph.value_info
    shapes = {v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim) for v in inferred}
    convs = [node for node in model.graph.node if node.op_type == "Conv"]
    layers = analyze_network(load_model(sample_model()).layers, (48, 192)).layers
    assert len(convs) == len(layers) == 53
    for node, layer in zip(convs, layers):
        assert shapes[node.output[0]][2:] == layer.output_size, layer.name
