"""Model files: a hand-built ONNX graph reads back exactly, NumPy banks too, hostile files are
refused with a sentence."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from sepconv_gui.io import models
from sepconv_gui.io.models import ModelLoadError, load_conv_layers

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(20261128)


def bank(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


W_NORMAL, B_NORMAL = bank(4, 3, 3, 3), bank(4)
BN_SCALE, BN_OFFSET, BN_MEAN = bank(4), bank(4), bank(4)
BN_VAR = (RNG.random(4) + 0.5).astype(np.float32)
W_DEPTH = bank(4, 1, 3, 3)  # group = 4 = C, stride 2, stored in a Constant node
W_POINT = bank(6, 4, 1, 1)
W_GROUPED = bank(6, 2, 3, 3)  # 4 inputs in 2 groups, dilation 2
W_RUNTIME = bank(2, 6, 3, 3)  # multiplied by a scale at run time


def tiny_model(path, *, extra_nodes=(), extra_inits=()):
    init = numpy_helper.from_array
    nodes = [
        helper.make_node("Conv", ["x", "w_normal", "b_normal"], ["a"], pads=[1, 1, 1, 1]),
        helper.make_node(
            "BatchNormalization", ["a", "bn_s", "bn_b", "bn_m", "bn_v"], ["a_bn"], epsilon=1e-3
        ),
        helper.make_node("Relu", ["a_bn"], ["a_relu"]),
        helper.make_node("Constant", [], ["w_depth"], value=init(W_DEPTH, "w_depth")),
        helper.make_node(
            "Conv",
            ["a_relu", "w_depth"],
            ["d"],
            name="dw",
            group=4,
            strides=[2, 2],
            pads=[1, 1, 1, 1],
            kernel_shape=[3, 3],
        ),  # fmt: skip
        helper.make_node("Identity", ["w_point"], ["w_point_alias"]),
        helper.make_node("Conv", ["d", "w_point_alias"], ["p"], name="pw"),
        helper.make_node(
            "Conv",
            ["d", "w_grouped"],
            ["g"],
            name="grouped",
            group=2,
            dilations=[2, 2],
            pads=[2, 2, 2, 2],
        ),  # fmt: skip
        helper.make_node("Add", ["p", "g"], ["s"]),
        # A squeeze-excite gate: the pooled branch first, so "follow the first input" is wrong.
        helper.make_node("GlobalAveragePool", ["s"], ["pooled"]),
        helper.make_node("Mul", ["pooled", "s"], ["gated"]),
        helper.make_node("Mul", ["w_runtime", "scale"], ["w_scaled"]),
        helper.make_node("Conv", ["gated", "w_scaled"], ["y"], name="runtime"),
        *extra_nodes,
    ]
    inits = [
        init(W_NORMAL, "w_normal"),
        init(B_NORMAL, "b_normal"),
        init(BN_SCALE, "bn_s"),
        init(BN_OFFSET, "bn_b"),
        init(BN_MEAN, "bn_m"),
        init(BN_VAR, "bn_v"),
        init(W_POINT, "w_point"),
        init(W_GROUPED, "w_grouped"),
        init(W_RUNTIME, "w_runtime"),
        init(np.float32(0.5), "scale"),
        *extra_inits,
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 6, 6])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, str(path))
    return path


@pytest.fixture
def tiny(tmp_path):
    return tiny_model(tmp_path / "tiny.onnx")


def test_tiny_model_is_valid_onnx(tiny):
    onnx.checker.check_model(onnx.load(str(tiny)), full_check=True)


def test_tiny_model_reads_back_every_layer_exactly(tiny):
    layers = load_conv_layers(tiny)
    assert [(x.name, x.kind) for x in layers] == [
        ("w_normal", "normal"),
        ("dw", "depthwise"),
        ("pw", "pointwise"),
        ("grouped", "grouped"),
        ("runtime", "unavailable"),
    ]
    normal, depth, point, grouped, runtime = layers
    np.testing.assert_array_equal(depth.weights, W_DEPTH)
    np.testing.assert_array_equal(point.weights, W_POINT)
    np.testing.assert_array_equal(grouped.weights, W_GROUPED)
    for layer in layers[:4]:
        assert layer.weights.dtype == np.float32
    assert (depth.groups, depth.stride, depth.dilation, depth.pads) == (
        4, (2, 2), (1, 1), (1, 1, 1, 1)
    )  # fmt: skip
    assert (grouped.groups, grouped.stride, grouped.dilation, grouped.pads) == (
        2, (1, 1), (2, 2), (2, 2, 2, 2)
    )  # fmt: skip
    assert (grouped.in_channels, grouped.out_channels, grouped.kernel_size) == (4, 6, (3, 3))
    assert (depth.in_channels, depth.out_channels) == (4, 4)
    assert point.bias is None and depth.bias is None


def test_declared_input_size_and_format(tiny):
    model = models.load_model(tiny)
    assert (model.format, model.input_size, model.suggested_input_size()) == (
        "onnx", (16, 16), (16, 16)
    )  # fmt: skip


def test_batch_norm_after_a_conv_is_folded_into_weights_and_bias(tiny):
    normal = load_conv_layers(tiny)[0]
    assert "BatchNormalization folded" in normal.note
    expected_w = np.empty((4, 3, 3, 3))
    expected_b = np.empty(4)
    for p in range(4):  # y = s * (conv + b - mean) / sqrt(var + eps) + offset, one output at a time
        gain = float(BN_SCALE[p]) / np.sqrt(float(BN_VAR[p]) + 1e-3)
        expected_w[p] = W_NORMAL[p].astype(np.float64) * gain
        expected_b[p] = (float(B_NORMAL[p]) - float(BN_MEAN[p])) * gain + float(BN_OFFSET[p])
    np.testing.assert_allclose(normal.weights, expected_w, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(normal.bias, expected_b, rtol=1e-6, atol=1e-7)


def test_weights_computed_at_run_time_are_listed_with_the_reason(tiny):
    runtime = load_conv_layers(tiny)[-1]
    assert runtime.weights is None and not runtime.available
    assert "Mul" in runtime.note and "run" in runtime.note


def test_each_layer_knows_the_size_changing_steps_before_it(tiny):
    normal, depth, point, grouped, runtime = load_conv_layers(tiny)
    assert normal.input_path == ()
    assert [op.kernel for op in depth.input_path] == [(3, 3)]
    assert [op.stride for op in point.input_path] == [(1, 1), (2, 2)]
    assert grouped.input_path == point.input_path
    # Add and the gate's Mul keep the size: the last layer sits after the stride-2 and the
    # 1 x 1 conv, not after the global pool.
    assert [op.kernel for op in runtime.input_path] == [(3, 3), (3, 3), (1, 1)]


def test_numpy_bank_and_named_banks(tmp_path):
    single = tmp_path / "edges.npy"
    np.save(single, W_NORMAL)
    (layer,) = load_conv_layers(single)
    assert (layer.name, layer.kind, layer.groups) == ("edges", "normal", 1)
    np.testing.assert_array_equal(layer.weights, W_NORMAL)

    named = tmp_path / "banks.npz"
    blur = np.full((5, 5), 1 / 25, np.float64)
    np.savez_compressed(named, first=W_NORMAL, mix=W_POINT, blur=blur, first_bias=B_NORMAL)
    layers = {x.name: x for x in load_conv_layers(named)}
    assert set(layers) == {"first", "mix", "blur"}  # the 1-D bias is not a bank
    assert layers["mix"].kind == "pointwise"
    np.testing.assert_array_equal(layers["first"].weights, W_NORMAL)
    np.testing.assert_allclose(layers["blur"].weights, blur.reshape(1, 1, 5, 5))
    fortran = tmp_path / "fortran.npz"
    np.savez(fortran, bank=np.asfortranarray(W_NORMAL))
    np.testing.assert_array_equal(load_conv_layers(fortran)[0].weights, W_NORMAL)


def npy_bytes(header: dict, data: bytes = b"") -> bytes:
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, header)
    return stream.getvalue() + data


def raw_tensor(name, dims, data: bytes):
    """A float tensor that declares ``dims`` and stores ``data``, unchecked (onnx.helper checks)."""
    tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, raw_data=data)
    tensor.dims.extend(dims)
    return tensor


def refused(path, *words):
    with pytest.raises(ModelLoadError) as caught:
        load_conv_layers(path)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


def test_hostile_numpy_files_are_refused_before_allocating(tmp_path):
    huge = tmp_path / "huge.npy"
    header = {"descr": "<f4", "fortran_order": False, "shape": (16_000, 16_000, 3, 3)}
    huge.write_bytes(npy_bytes(header, b"\0" * 64))
    refused(huge, "weights is more than")

    wide = tmp_path / "wide.npy"
    wide.write_bytes(npy_bytes({"descr": "<f4", "fortran_order": False, "shape": (1, 1, 99, 3)}))
    refused(wide, "99 x 3", "larger than")

    short = tmp_path / "short.npy"
    header = {"descr": "<f4", "fortran_order": False, "shape": (8, 3, 3, 3)}
    short.write_bytes(npy_bytes(header, b"\0" * 40))
    refused(short, "damaged")

    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([[[[object()]]]], dtype=object), allow_pickle=True)
    refused(objects, "not numbers")

    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, bank=np.array([[[[{"a": 1}]]]], dtype=object))
    refused(pickled, "not numbers")

    nan = tmp_path / "nan.npy"
    np.save(nan, np.full((2, 2, 3, 3), np.nan, np.float32))
    refused(nan, "NaN")

    bomb = tmp_path / "bomb.npz"  # a tiny compressed member that inflates to 1 GB
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        header = {"descr": "<f4", "fortran_order": False, "shape": (16_384, 16_384, 1, 1)}
        archive.writestr("bank.npy", npy_bytes(header, b"\0" * 1024))
    refused(bomb, "weights is more than")


def test_not_a_model_empty_missing_and_too_large(tmp_path, monkeypatch):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(bytes(range(256)) * 8)
    refused(junk, "junk.onnx", "not")
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    refused(empty, "empty")
    refused(tmp_path / "missing.onnx", "no such file")
    refused(tmp_path, "not a file")
    text = tmp_path / "notes.txt"
    text.write_text("hello, these are not weights\n")
    refused(text, "notes.txt")

    big = tmp_path / "big.npy"
    np.save(big, W_NORMAL)
    monkeypatch.setattr(models, "LIMITS", models.Limits(file_bytes=100))
    refused(big, "MiB", "largest model file")


def test_hostile_onnx_tensors_are_refused(tmp_path):
    lying = raw_tensor("w_big", [4096, 4096, 3, 3], b"\0" * 16)
    conv = helper.make_node("Conv", ["y", "w_big"], ["z"], name="lying")
    path = tiny_model(tmp_path / "lying.onnx", extra_nodes=[conv], extra_inits=[lying])
    refused(path, "lying", "weights is more than")

    short = raw_tensor("w_short", [2, 2, 3, 3], b"\0" * 16)
    conv = helper.make_node("Conv", ["y", "w_short"], ["z"], name="short")
    path = tiny_model(tmp_path / "short.onnx", extra_nodes=[conv], extra_inits=[short])
    refused(path, "short", "declares 36 values but stores 4")

    wide = numpy_helper.from_array(np.zeros((1, 2, 101, 101), np.float32), "w_wide")
    conv = helper.make_node("Conv", ["y", "w_wide"], ["z"], name="wide")
    path = tiny_model(tmp_path / "wide.onnx", extra_nodes=[conv], extra_inits=[wide])
    refused(path, "101 x 101")


def test_odd_but_legal_layers_are_listed_with_a_reason(tmp_path):
    ints = numpy_helper.from_array(np.ones((2, 2, 3, 3), np.int8), "w_int")
    conv = helper.make_node("Conv", ["y", "w_int"], ["z"], name="int8")
    path = tiny_model(tmp_path / "int8.onnx", extra_nodes=[conv], extra_inits=[ints])
    last = load_conv_layers(path)[-1]
    assert (last.name, last.kind) == ("int8", "unavailable")
    assert "INT8" in last.note


def test_missing_onnx_package_says_how_to_install(tiny, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "onnx", None)
    refused(tiny, "pip install", "[models]")


def test_pytorch_file_without_pytorch_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    checkpoint = tmp_path / "model.pt"
    with zipfile.ZipFile(checkpoint, "w") as archive:
        archive.writestr("model/data.pkl", b"\x80\x02}q\x00.")
    refused(checkpoint, "PyTorch", "pip install torch", "ONNX")


def test_many_layers_or_weights_are_refused_while_reading(tmp_path, monkeypatch):
    # Four more convs share one initializer: four more arrays once each is read.
    extra = [
        helper.make_node("Conv", ["y", "w_shared"], [f"z{i}"], name=f"shared{i}") for i in range(4)
    ]
    shared = numpy_helper.from_array(np.ones((30, 2, 3, 3), np.float32), "w_shared")  # 540 each
    path = tiny_model(tmp_path / "shared.onnx", extra_nodes=extra, extra_inits=[shared])
    assert len(load_conv_layers(path)) == 9
    monkeypatch.setattr(models, "LIMITS", models.Limits(total_elements=1000))
    refused(path, "shared.onnx", "more than 1,000 convolution weights")
    from sepconv_gui.io import onnx_models

    built = []
    real = onnx_models._conv_layer
    monkeypatch.setattr(onnx_models, "_conv_layer", lambda *a: built.append(1) or real(*a))
    refused(path, "1,000")
    assert len(built) < 9  # refused at the layer that crossed the limit, not after all of them
    monkeypatch.setattr(models, "LIMITS", models.Limits(layers=3))
    refused(path, "more than 3 convolution layers")


class FakeTensor:
    """Just enough of a torch tensor for the state-dict reader."""

    def __init__(self, array):
        self.array = np.asarray(array)
        self.shape = self.array.shape

    def detach(self):
        return self

    def to(self, _dtype):
        return self

    def numpy(self):
        return self.array.astype(np.float32)


def test_pytorch_state_dict_is_read_with_weights_only(tmp_path, monkeypatch):
    calls = []
    state = {
        "features.0.weight": FakeTensor(W_NORMAL),
        "features.0.bias": FakeTensor(B_NORMAL),
        "features.1.weight": FakeTensor(np.ones(4)),  # a BatchNorm scale: not a bank
        "head.weight": FakeTensor(W_POINT),
    }

    def load(path, **options):
        calls.append(options)
        return {"state_dict": state, "epoch": 3}

    fake = type(__import__("sys"))("torch")
    fake.load, fake.float32 = load, "float32"
    monkeypatch.setitem(__import__("sys").modules, "torch", fake)
    checkpoint = tmp_path / "model.pth"
    checkpoint.write_bytes(b"\x80\x02}q\x00.")  # legacy pickle: found by its name
    layers = load_conv_layers(checkpoint)
    assert calls == [{"map_location": "cpu", "weights_only": True}]  # never unpickles code
    assert [(x.name, x.kind) for x in layers] == [("features.0", "normal"), ("head", "pointwise")]
    np.testing.assert_array_equal(layers[0].weights, W_NORMAL)
    np.testing.assert_array_equal(layers[0].bias, B_NORMAL)

    state["big.weight"] = FakeTensor(np.zeros((1, 1, 1, 1)))
    state["big.weight"].shape = (16_000, 16_000, 3, 3)  # declared huge: refused before .numpy()
    refused(checkpoint, "big.weight", "weights is more than")
