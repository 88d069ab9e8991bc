"""The stride/dilation convention against a real framework: ONNX Conv nodes run by
onnxruntime (zero padding d(k-1)/2, odd kernels) equal every mode with border="constant"."""

import itertools

import numpy as np
import pytest

from sepconv_gui.engine import depthwise_separable_conv, normal_conv

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def run_conv(image, weights, stride, dilation, groups=1):
    """``image`` (H, W, C) through one ONNX Conv; returns (H', W', P)."""
    p, _, kh, kw = weights.shape
    (sy, sx), (dy, dx) = stride, dilation
    pads = [dy * (kh - 1) // 2, dx * (kw - 1) // 2] * 2
    node = helper.make_node(
        "Conv", ["x", "w"], ["y"], strides=[sy, sx], dilations=[dy, dx], pads=pads, group=groups
    )
    graph = helper.make_graph(
        [node],
        "one",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(weights.astype(np.float32), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.ascontiguousarray(image.transpose(2, 0, 1)[None], dtype=np.float32)
    return session.run(None, {"x": x})[0][0].transpose(1, 2, 0)


@pytest.mark.parametrize(
    "stride, dilation, kernel", list(itertools.product([1, 2, 3], [1, 2], [(3, 3), (5, 3)]))
)
def test_normal_and_depthwise_equal_onnx_conv(stride, dilation, kernel):
    rng = np.random.default_rng(stride * 100 + dilation * 10 + kernel[0])
    image = rng.standard_normal((17, 20, 3)).astype(np.float32)
    bank = rng.standard_normal((4, 3) + kernel).astype(np.float32)
    want = run_conv(image, bank, (stride, stride), (dilation, dilation))
    for algorithm in ("direct", "gemm", "kn2row", "fft"):
        got = normal_conv(
            image, bank, border="constant", algorithm=algorithm, stride=stride, dilation=dilation
        ).output
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=1e-4)
    depth = rng.standard_normal((6, 1) + kernel).astype(np.float32)  # groups = C, M = 2
    maps = run_conv(image, depth, (stride, stride), (dilation, dilation), groups=3)
    got = depthwise_separable_conv(
        image, depth[:, 0], np.eye(6), border="constant", stride=stride, dilation=dilation
    ).output
    np.testing.assert_allclose(got, maps, atol=1e-4)
