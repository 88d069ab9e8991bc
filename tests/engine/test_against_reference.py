"""Every engine path against the slow float64 reference, across borders, flips and shapes."""

import zlib

import numpy as np
import pytest

from sepconv_gui.engine import (
    BORDER_MODES,
    depthwise_separable_conv,
    normal_conv,
    spatial_separable_conv,
)
from sepconv_gui.engine import reference as ref
from sepconv_gui.engine.separable import PASSES_FROM_TAPS

KERNEL_SHAPES = [(1, 1), (3, 3), (4, 4), (2, 5), (5, 2), (7, 4), (3, 11), (12, 2)]
ALGORITHMS = ["direct", "gemm", "kn2row", "fft", "auto"]


def seeded(*case):
    """A generator seeded by the case itself, the same in every process (unlike hash())."""
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


def make_image(rng, dtype, channels):
    shape = (17, 21) if channels == 0 else (17, 21, channels)
    if dtype == np.uint8:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if dtype == np.uint16:
        return rng.integers(0, 65536, shape, dtype=np.uint16)
    return rng.random(shape).astype(dtype)


def tolerance(image, weights_abs_sum):
    """float32 accumulates ~1e-7 relative error per operation; scale by the output's size."""
    return 1e-5 * float(np.abs(image).max()) * max(1.0, weights_abs_sum)


def as3d(image):
    return image[:, :, None] if image.ndim == 2 else image


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_normal_matches_reference(border, flip, kernel_shape, algorithm):
    rng = seeded(border, flip, kernel_shape, algorithm)
    image = make_image(rng, np.float32, 3)
    weights = rng.standard_normal((4, 3) + kernel_shape)
    result = normal_conv(image, weights, border=border, flip=flip, algorithm=algorithm)
    expected = ref.normal(image, weights, border, flip)
    assert result.output.dtype == np.float32 and result.output.shape == (17, 21, 4)
    np.testing.assert_allclose(
        result.output, expected, atol=tolerance(image, np.abs(weights).sum(axis=(1, 2, 3)).max())
    )
    assert result.algorithm in {"direct", "gemm", "kn2row", "fft"}
    if algorithm != "auto":
        assert result.algorithm == algorithm


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("channels", [0, 1, 3, 5])
def test_every_mode_keeps_values_unscaled_for_every_dtype(dtype, channels):
    rng = np.random.default_rng(channels)
    image = make_image(rng, dtype, channels)
    c = max(channels, 1)
    weights = rng.standard_normal((2, c, 3, 3))
    out = normal_conv(image, weights).output
    np.testing.assert_allclose(
        out, ref.normal(image, weights), rtol=1e-5, atol=tolerance(image, np.abs(weights).sum())
    )
    column, row = rng.standard_normal(5), rng.standard_normal(3)
    out = spatial_separable_conv(image, column, row).output
    assert out.shape == (17, 21, c)
    np.testing.assert_allclose(
        out,
        ref.spatial(image, column, row),
        rtol=1e-5,
        atol=tolerance(image, np.abs(np.outer(column, row)).sum()),
    )
    depth, point = rng.standard_normal((2 * c, 3, 3)), rng.standard_normal((4, 2 * c))
    maps, expected = ref.depthwise(image, depth, point)
    result = depthwise_separable_conv(image, depth, point, keep_stages=True)
    scale = np.abs(depth).sum(axis=(1, 2)).max() * np.abs(point).sum(axis=1).max()
    np.testing.assert_allclose(result.output, expected, atol=tolerance(image, scale))
    np.testing.assert_allclose(result.stages["depthwise"], maps, atol=tolerance(image, scale))


def test_uint8_white_stays_255():
    image = np.full((9, 9), 255, dtype=np.uint8)
    out = normal_conv(image, np.ones((1, 1, 3, 3)) / 9).output
    np.testing.assert_allclose(out, 255.0, rtol=1e-6)


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES)
@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("keep_stages", [False, True])
def test_spatial_matches_reference(border, flip, kernel_shape, rank, keep_stages):
    rng = seeded(border, flip, kernel_shape, rank)
    image = make_image(rng, np.float32, 3)
    column = rng.standard_normal((rank, kernel_shape[0]))
    row = rng.standard_normal((rank, kernel_shape[1]))
    result = spatial_separable_conv(
        image, column, row, border=border, flip=flip, keep_stages=keep_stages
    )
    expected = ref.spatial(image, column, row, border, flip)
    np.testing.assert_allclose(result.output, expected, atol=tolerance(image, 3 * rank * 9))
    if not keep_stages:
        kh, kw = kernel_shape
        small = kh == 1 or kw == 1 or kh * kw <= 9
        # From PASSES_FROM_TAPS a side: two 1-D filter2D passes (filtering.passes_into).
        passes = "filter2d+filter2d" if max(kh, kw) >= PASSES_FROM_TAPS else "sepfilter2d"
        assert result.algorithm == ("filter2d" if small else passes)
        assert list(result.stages) == ["horizontal"] and list(result.timings) == ["spatial"]
        return
    assert result.algorithm == "filter2d+filter2d"
    assert result.stages["vertical"].shape == (17, 21, 3 * rank)
    assert result.stages["horizontal"] is result.output
    # The vertical stage really is the vertical pass of each factor.
    for i in range(rank):
        vertical = ref.spatial(image, column[i], [1.0], border, flip)
        got = result.stages["vertical"][:, :, 3 * i : 3 * i + 3]
        np.testing.assert_allclose(got, vertical, atol=tolerance(image, 9))


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES)
@pytest.mark.parametrize("multiplier", [1, 2, 3])
@pytest.mark.parametrize("rank_one", [False, True])
@pytest.mark.parametrize("keep_stages", [False, True])
def test_depthwise_matches_reference(border, flip, kernel_shape, multiplier, rank_one, keep_stages):
    rng = seeded(border, flip, kernel_shape, multiplier, rank_one)
    image = make_image(rng, np.float32, 3)
    maps = 3 * multiplier
    if rank_one:
        depth = np.einsum(
            "ki,kj->kij",
            rng.standard_normal((maps, kernel_shape[0])),
            rng.standard_normal((maps, kernel_shape[1])),
        )
    else:
        depth = rng.standard_normal((maps,) + kernel_shape)
    point = rng.standard_normal((5, maps))
    result = depthwise_separable_conv(
        image, depth, point, border=border, flip=flip, keep_stages=keep_stages
    )
    expected_maps, expected = ref.depthwise(image, depth, point, border, flip)
    scale = np.abs(depth).sum(axis=(1, 2)).max() * np.abs(point).sum(axis=1).max()
    np.testing.assert_allclose(result.output, expected, atol=tolerance(image, scale))
    if not keep_stages:
        assert list(result.stages) == ["pointwise"]
        return
    np.testing.assert_allclose(
        result.stages["depthwise"], expected_maps, atol=tolerance(image, scale)
    )
    two_d = kernel_shape[0] > 1 and kernel_shape[1] > 1
    expect_passes = rank_one and two_d
    assert result.algorithm == ("sepfilter+matmul" if expect_passes else "filter2d+matmul")
    assert list(result.stages) == ["depthwise", "pointwise"] == list(result.timings)


@pytest.mark.parametrize("channels", [1, 3, 4, 5])
@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("rank_one", [False, True])
def test_depthwise_with_one_kernel_for_every_channel(channels, border, flip, rank_one):
    # The same kernel on every channel (M = 1) takes OpenCV's all-channels-at-once path,
    # which must match the float64 reference like the per-plane one.
    rng = np.random.default_rng(channels * 7 + flip)
    image = rng.random((17, 23, channels), dtype=np.float32)
    base = (
        np.outer(rng.standard_normal(3), rng.standard_normal(4))
        if rank_one
        else rng.standard_normal((3, 4))
    )
    kernels = np.repeat(base[np.newaxis], channels, axis=0).astype(np.float32)
    pointwise = rng.standard_normal((2, channels)).astype(np.float32)
    result = depthwise_separable_conv(
        image, kernels, pointwise, border=border, flip=flip, keep_stages=True
    )
    maps, expected = ref.depthwise(image, kernels, pointwise, border=border, flip=flip)
    np.testing.assert_allclose(result.output, expected, atol=2e-5, rtol=1e-4)
    np.testing.assert_allclose(result.stages["depthwise"], maps, atol=2e-5, rtol=1e-4)
    assert result.algorithm == ("sepfilter" if rank_one else "filter2d") + "+matmul"


@pytest.mark.parametrize(
    "channels, outputs, mixer",
    [
        (3, 3, "transform"),
        (2, 2, "transform"),
        (3, 1, "transform"),
        (4, 4, "transform"),
        (3, 8, "matmul"),
        (4, 3, "matmul"),
        (1, 3, "matmul"),
        (5, 5, "matmul"),
    ],
)
def test_both_pointwise_paths_match_the_reference(channels, outputs, mixer):
    # cv2.transform needs channels-last maps: only the shared-kernel path has them.
    rng = np.random.default_rng(channels * 10 + outputs)
    image = rng.random((13, 19, channels), dtype=np.float32)
    kernel = rng.standard_normal((1, 3, 3)).astype(np.float32)
    kernels = np.repeat(kernel, channels, axis=0)
    pointwise = rng.standard_normal((outputs, channels)).astype(np.float32)
    result = depthwise_separable_conv(image, kernels, pointwise)
    _, expected = ref.depthwise(image, kernels, pointwise)
    np.testing.assert_allclose(result.output, expected, atol=2e-5, rtol=1e-4)
    assert result.algorithm == f"filter2d+{mixer}"
