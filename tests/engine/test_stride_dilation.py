"""Stride and dilation (engine/geometry.py) in all three modes against the float64 reference,
an impulse worked out by hand, the cost counts of what runs and the memory estimate."""

import itertools
import zlib

import numpy as np
import pytest

from sepconv_gui.engine import (
    BORDER_MODES,
    ResourceError,
    depthwise_separable_conv,
    estimate_memory,
    normal_conv,
    set_memory_budget,
    spatial_separable_conv,
)
from sepconv_gui.engine import reference as ref

KERNELS = [(3, 3), (4, 4), (2, 5), (5, 2)]
GRIDS = [(s, d) for s, d in itertools.product((1, 2, 3), (1, 2, 3)) if (s, d) != (1, 1)]


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


def close(got, want):
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=2e-4 * max(1.0, float(np.abs(want).max())))


@pytest.mark.parametrize("stride, dilation", GRIDS)
@pytest.mark.parametrize("border", BORDER_MODES)
def test_every_mode_matches_the_reference(border, stride, dilation):
    rng = seeded("grid", border, stride, dilation)
    image = rng.random((19, 23, 3)).astype(np.float32)
    for kh, kw in KERNELS:
        if (kh - 1) * dilation >= 19 or (kw - 1) * dilation >= 23:
            continue
        flip = (kh + kw + stride) % 2 == 1  # both orientations across the cases
        grid = {"stride": stride, "dilation": dilation}
        bank = rng.standard_normal((4, 3, kh, kw))
        want = ref.normal(image, bank, border, flip, **grid)
        for algorithm in ("direct", "gemm", "kn2row", "fft", "auto"):
            got = normal_conv(image, bank, border=border, flip=flip, algorithm=algorithm, **grid)
            close(got.output, want)
        column, row = rng.standard_normal((2, kh)), rng.standard_normal((2, kw))
        got = spatial_separable_conv(image, column, row, border=border, flip=flip, **grid)
        close(got.output, ref.spatial(image, column, row, border, flip, **grid))
        kernels, mix = rng.standard_normal((6, kh, kw)), rng.standard_normal((5, 6))
        maps, want = ref.depthwise(image, kernels, mix, border, flip, **grid)
        got = depthwise_separable_conv(
            image, kernels, mix, border=border, flip=flip, keep_stages=True, **grid
        )
        close(got.output, want)
        close(got.stages["depthwise"], maps)


@pytest.mark.parametrize("stride, dilation", [((2, 3), (3, 1)), ((3, 1), (1, 2))])
def test_separate_vertical_and_horizontal_steps(stride, dilation):
    rng = seeded("pairs", stride, dilation)
    image = rng.random((16, 18, 2)).astype(np.float32)
    bank = rng.standard_normal((3, 2, 3, 4))
    grid = {"stride": stride, "dilation": dilation}
    want = ref.normal(image, bank, "reflect", False, **grid)
    for algorithm in ("direct", "gemm", "kn2row", "fft"):
        close(normal_conv(image, bank, border="reflect", algorithm=algorithm, **grid).output, want)
    got = spatial_separable_conv(image, [1, 2, -1], [0.5, 1, 3, 1], keep_stages=True, **grid)
    close(got.output, ref.spatial(image, [1, 2, -1], [0.5, 1, 3, 1], **grid))
    assert got.stages["vertical"].shape == (-(-16 // stride[0]), 18, 2)


def test_an_impulse_lands_where_the_layer_definition_says():
    """Hand-built: output (y, x) sees tap (i, j) at input (s*y + d*(i - ay), s*x + d*(j - ax))."""
    image = np.zeros((13, 14), np.float32)
    image[6, 7] = 1.0
    kernel = np.arange(1, 13, dtype=np.float64).reshape(3, 4)  # every tap a different value
    s, d, (ay, ax) = 2, 3, (1, 2)
    want = np.zeros((7, 7))
    for y, x, i, j in itertools.product(range(7), range(7), range(3), range(4)):
        if (s * y + d * (i - ay), s * x + d * (j - ax)) == (6, 7):
            want[y, x] += kernel[i, j]
    assert np.count_nonzero(want) > 1
    bank = kernel[None, None]
    for algorithm in ("direct", "gemm", "kn2row", "fft"):
        got = normal_conv(
            image, bank, border="constant", algorithm=algorithm, stride=s, dilation=d
        ).output[..., 0]
        np.testing.assert_allclose(got, want, atol=1e-5)
    column, row = np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0, 100.0, 1000.0])
    got = spatial_separable_conv(image, column, row, border="constant", stride=s, dilation=d)
    np.testing.assert_allclose(
        got.output[..., 0], _impulse(np.outer(column, row), 7, 7, s, d, (6, 7)), atol=1e-3
    )
    got = depthwise_separable_conv(image, kernel[None], [[1.0]], border="constant", stride=s,
                                   dilation=d)  # fmt: skip
    np.testing.assert_allclose(got.output[..., 0], want, atol=1e-5)


def _impulse(kernel, ho, wo, s, d, at):
    kh, kw = kernel.shape
    out = np.zeros((ho, wo))
    for y, x, i, j in itertools.product(range(ho), range(wo), range(kh), range(kw)):
        if (s * y + d * (i - kh // 2), s * x + d * (j - kw // 2)) == at:
            out[y, x] += kernel[i, j]
    return out


def test_output_size_is_the_framework_formula_for_odd_kernels():
    """PyTorch: floor((H + 2p - d(k-1) - 1) / s) + 1 with p = d(k-1)/2 is ceil(H / s)."""
    for height, k, s, d in itertools.product((9, 10, 11), (3, 5), (1, 2, 3), (1, 2)):
        pad = d * (k - 1) // 2
        expected = (height + 2 * pad - d * (k - 1) - 1) // s + 1
        image = np.ones((height, 12), np.float32)
        out = normal_conv(image, np.ones((1, 1, k, k)), stride=s, dilation=d).output
        assert out.shape[0] == expected


def test_many_channels_past_opencvs_limit():
    rng = seeded("wide")
    image = rng.random((9, 10, 130)).astype(np.float32)
    bank = rng.standard_normal((131, 130, 3, 3)) * 0.1
    grid = {"stride": 2, "dilation": 2}
    want = ref.normal(image, bank, "wrap", False, **grid)
    for algorithm in ("direct", "gemm", "kn2row", "fft"):
        close(normal_conv(image, bank, border="wrap", algorithm=algorithm, **grid).output, want)
    kernels, mix = rng.standard_normal((130, 3, 3)), rng.standard_normal((131, 130)) * 0.1
    close(
        depthwise_separable_conv(image, kernels, mix, border="wrap", **grid).output,
        ref.depthwise(image, kernels, mix, "wrap", **grid)[1],
    )
    close(
        spatial_separable_conv(image, [1, -2, 1], [1, 2, 1], border="wrap", **grid).output,
        ref.spatial(image, [1, -2, 1], [1, 2, 1], "wrap", **grid),
    )


def test_cost_counts_what_runs():
    image = np.random.default_rng(5).random((20, 30, 3)).astype(np.float32)
    bank = np.ones((4, 3, 3, 3))
    ho, wo = 10, 15
    gemm = normal_conv(image, bank, algorithm="gemm", stride=2, dilation=2)
    assert gemm.algorithm == "gemm"
    assert gemm.cost.multiplications == ho * wo * 4 * 3 * 9  # only the strided positions
    direct = normal_conv(image, bank, algorithm="direct", stride=2)
    assert direct.algorithm == "direct+subsample"
    assert direct.cost.multiplications == 20 * 30 * 4 * 3 * 9  # all, then subsampled
    assert normal_conv(image, bank, algorithm="fft", dilation=2).algorithm == "fft"
    spatial = spatial_separable_conv(image, [1, 2, 1, 0, 1], [1, 0, -1], stride=2)
    assert spatial.cost.stages["vertical"].multiplications == ho * 30 * 3 * 5
    assert spatial.cost.stages["horizontal"].multiplications == ho * wo * 3 * 3
    depth = depthwise_separable_conv(image, np.ones((6, 3, 3)), np.ones((4, 6)), stride=2)
    assert depth.cost.stages["depthwise"].multiplications == ho * wo * 6 * 9
    assert depth.cost.stages["pointwise"].multiplications == ho * wo * 4 * 6


def test_auto_counts_the_positions_each_algorithm_computes():
    """gemm computes 1/9 of the positions at stride 3; direct and fft all of them. Find a
    case where that turns the ranking of the cost model around, and check auto follows."""
    from sepconv_gui.engine.algorithms import estimated_ns_per_pixel

    for c, p, k in itertools.product((1, 2, 3, 8), (1, 2, 3, 8), (3, 5)):
        ns = {a: estimated_ns_per_pixel(a, c, p, k, k) for a in ("direct", "gemm", "fft")}
        if min(ns, key=ns.get) != "gemm" and ns["gemm"] / 9 < min(ns["direct"], ns["fft"]):
            break
    else:
        raise AssertionError("the cost model has no case where the stride changes the choice")
    image = np.zeros((60, 60, c), np.float32)
    bank = np.zeros((p, c, k, k))
    assert normal_conv(image, bank).algorithm != "gemm"
    assert normal_conv(image, bank, stride=3).algorithm == "gemm"


def test_gemm_tiles_start_at_their_strided_rows(monkeypatch):
    from sepconv_gui.engine import algorithms

    monkeypatch.setattr(algorithms, "GEMM_TILE_BYTES", 4 * 27 * 5)  # a few rows per tile
    rng = seeded("tiles")
    image = rng.random((21, 11, 3)).astype(np.float32)
    bank = rng.standard_normal((2, 3, 3, 3))
    got = normal_conv(image, bank, algorithm="gemm", stride=2, dilation=2).output
    close(got, ref.normal(image, bank, stride=2, dilation=2))


def test_memory_estimate_and_refusal():
    args = ("normal", 600, 800, 3, 16, 3, 3)
    strided = estimate_memory(*args, algorithm="gemm", stride=2)
    assert strided >= 300 * 400 * 16 * 4
    for mode in ("spatial", "depthwise"):
        assert estimate_memory(mode, 600, 800, 3, 16, 3, 3, stride=2, dilation=2) > 600 * 800 * 4
    image = np.zeros((400, 400, 3), np.float32)
    set_memory_budget(1 << 20)
    try:
        for call in (
            lambda: normal_conv(image, np.ones((8, 3, 3, 3)), stride=2),
            lambda: spatial_separable_conv(image, [1, 2, 1], [1, 2, 1], dilation=2),
            lambda: depthwise_separable_conv(image, np.ones((3, 3, 3)), np.eye(3), stride=2),
        ):
            with pytest.raises(ResourceError):
                call()
    finally:
        set_memory_budget(None)


@pytest.mark.parametrize(
    "value, error",
    [(0, ValueError), (-1, ValueError), (65, ValueError), (1.5, TypeError), (True, TypeError),
     ((1, 2, 3), ValueError), ("2", TypeError)],
)  # fmt: skip
def test_bad_stride_and_dilation_are_refused(value, error):
    image = np.zeros((8, 8), np.float32)
    for name in ("stride", "dilation"):
        with pytest.raises(error, match=name):
            normal_conv(image, np.ones((1, 1, 3, 3)), **{name: value})
        with pytest.raises(error, match=name):
            spatial_separable_conv(image, [1, 1], [1, 1], **{name: value})
        with pytest.raises(error, match=name):
            depthwise_separable_conv(image, np.ones((1, 3, 3)), [[1.0]], **{name: value})


def test_a_dilated_kernel_wider_than_the_image_is_refused():
    with pytest.raises(ValueError, match="dilation"):
        normal_conv(np.zeros((8, 8), np.float32), np.ones((1, 1, 3, 3)), dilation=4)
