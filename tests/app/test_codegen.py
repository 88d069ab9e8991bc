"""Exported code computes what the app computes: each snippet is executed and compared with
the app's own outputs for the same design, border mode and flip setting."""

import ast
import importlib.util
import os
import zlib

import numpy as np
import pytest

from sepconv_gui.app.codegen import INLINE_LIMIT, to_code
from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design, DesignError

UNEVEN = ((1.0, 2.0, 3.0, 0.5), (4.0, 5.0, 6.0, -1.0), (7.0, 8.0, 9.5, 2.0))  # 3 x 4, no symmetry
SX = ((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0))
BORDERS = ("reflect101", "reflect", "replicate", "wrap", "constant")


def cases():
    found = {}
    for border in BORDERS:
        for flip in (False, True):
            found[f"{border}-flip{int(flip)}"] = Design(
                kernel=UNEVEN,
                preset="custom",
                multiplier=2,
                out_channels=4,
                pointwise="random",
                border=border,
                flip=flip,
                spatial_rank=2,
            )
    found["per-channel"] = Design(
        kernel=SX,
        depthwise_kind="per_channel",
        depthwise_custom=[SX, np.array(SX).T, np.full((3, 3), 0.1)],
        multiplier=3,
        out_channels=5,
        pointwise="random",
        pointwise_seed=4,
    )
    found["independent-bank"] = Design(normal_kind="random", normal_seed=2, out_channels=3)
    found["large-weights"] = Design(
        kernel=tuple(tuple(float(i * j % 7) for j in range(7)) for i in range(7)),
        preset="custom",
        out_channels=24,
        pointwise="random",
        modes=("normal",),
    )
    return found


CASES = cases()


def image(name: str) -> np.ndarray:
    return np.random.default_rng(zlib.crc32(name.encode())).random((9, 11, 3)).astype(np.float32)


def run_snippet(design: Design, target: str, data: np.ndarray) -> dict:
    namespace = {}
    exec(compile(to_code(design, target, channels=3), f"<{target} snippet>", "exec"), namespace)
    return namespace["run"](data)


def check_against_app(design: Design, target: str, name: str) -> None:
    data = image(name)
    got = run_snippet(design, target, data)
    app = run_design(data, design)
    assert set(got) == set(design.modes)
    for mode, result in app.results.items():
        output = np.asarray(got[mode])
        assert output.shape == result.output.shape and output.dtype == np.float32
        scale = max(1.0, float(np.abs(result.output).max()))
        np.testing.assert_allclose(output, result.output, atol=2e-5 * scale, err_msg=mode)


@pytest.mark.parametrize("name", list(CASES))
def test_opencv_snippet_matches_the_app(name):
    check_against_app(CASES[name], "opencv", name)


def test_large_weights_are_inlined_exactly_as_base64():
    design = CASES["large-weights"]
    assert design.normal_weights(3).size > INLINE_LIMIT
    code = to_code(design, "opencv", channels=3)
    assert "base64.b64decode" in code
    namespace = {}
    exec(compile(code, "<snippet>", "exec"), namespace)
    np.testing.assert_array_equal(namespace["NORMAL"], design.normal_weights(3))


@pytest.mark.parametrize(
    "target, libraries, spelled_out",
    [
        ("opencv", {"base64", "cv2", "numpy"}, "map c*M + m"),
        ("pytorch", {"base64", "numpy", "torch", "torch.nn.functional"}, "groups=C"),
        ("keras", {"base64", "numpy", "keras"}, "depth_multiplier=M"),
    ],
)
def test_snippets_are_self_contained_and_say_how_m_and_c_map(target, libraries, spelled_out):
    code = to_code(CASES["per-channel"], target, channels=3)
    imported = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= libraries, imported
    assert spelled_out in code and "def run(image)" in code
    assert "C, M, P = 3, 3, 5" in code


def test_bad_targets_and_channel_counts_are_refused():
    with pytest.raises(ValueError, match="target 'onnx' is unknown"):
        to_code(Design(), "onnx")
    with pytest.raises(DesignError, match="per-channel kernels"):
        to_code(CASES["per-channel"], "opencv", channels=4)


def _library_or_skip(module: str, why: str):
    if importlib.util.find_spec(module) is None:
        reason = f"{module} is not installed: {why}"
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)


@pytest.mark.parametrize("name", ["reflect101-flip0", "wrap-flip1", "reflect-flip0", "per-channel"])
def test_pytorch_snippet_matches_the_app(name):
    _library_or_skip("torch", "the PyTorch snippet runs only where torch is")
    check_against_app(CASES[name], "pytorch", name)


@pytest.mark.parametrize(
    "name", ["reflect101-flip0", "replicate-flip1", "constant-flip0", "per-channel"]
)
def test_keras_snippet_matches_the_app(name):
    _library_or_skip("keras", "the Keras snippet runs only where keras is")
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    _library_or_skip(backend, f"keras' configured backend {backend!r} is missing")
    check_against_app(CASES[name], "keras", name)
