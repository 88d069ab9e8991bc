"""Mathematical identities between the modes, checked on random designs with hypothesis."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sepconv_gui.engine import (
    BORDER_MODES,
    analyze_kernel,
    depthwise_separable_conv,
    normal_conv,
    spatial_separable_conv,
)

designs = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32 - 1),
        "height": st.integers(8, 20),
        "width": st.integers(8, 20),
        "channels": st.integers(1, 4),
        "kh": st.integers(1, 7),
        "kw": st.integers(1, 7),
        "border": st.sampled_from(BORDER_MODES),
        "flip": st.booleans(),
    }
)
FAST = settings(max_examples=40, deadline=None)


def image_for(d):
    rng = np.random.default_rng(d["seed"])
    return rng, rng.random((d["height"], d["width"], d["channels"])).astype(np.float32)


def close(a, b, scale=1.0):
    np.testing.assert_allclose(a, b, atol=2e-5 * max(1.0, scale), rtol=1e-4)


@FAST
@given(designs)
def test_rank_one_spatial_equals_normal_and_depthwise(d):
    rng, image = image_for(d)
    c = d["channels"]
    column, row = rng.standard_normal(d["kh"]), rng.standard_normal(d["kw"])
    kernel = np.outer(column, row)
    options = {"border": d["border"], "flip": d["flip"]}
    spatial = spatial_separable_conv(image, column, row, **options).output
    # Normal conv with the kernel on the diagonal (p == c) filters each channel on its own.
    bank = np.zeros((c, c, d["kh"], d["kw"]))
    bank[np.arange(c), np.arange(c)] = kernel
    normal = normal_conv(image, bank, **options).output
    depthwise = depthwise_separable_conv(
        image, np.repeat(kernel[None], c, 0), np.eye(c), **options
    ).output
    scale = np.abs(kernel).sum()
    close(spatial, normal, scale)
    close(depthwise, normal, scale)


@FAST
@given(designs, st.integers(1, 3), st.integers(1, 5))
def test_depthwise_separable_equals_its_combined_normal_bank(d, multiplier, out_channels):
    rng, image = image_for(d)
    c = d["channels"]
    depth = rng.standard_normal((c * multiplier, d["kh"], d["kw"]))
    point = rng.standard_normal((out_channels, c * multiplier))
    options = {"border": d["border"], "flip": d["flip"]}
    # weights[p, c] = sum_m pointwise[p, c*M+m] * depthwise[c*M+m]
    bank = np.einsum(
        "pcm,cmhw->pchw",
        point.reshape(out_channels, c, multiplier),
        depth.reshape(c, multiplier, d["kh"], d["kw"]),
    )
    separable = depthwise_separable_conv(image, depth, point, **options).output
    normal = normal_conv(image, bank, **options).output
    close(separable, normal, np.abs(bank).sum(axis=(1, 2, 3)).max())


@FAST
@given(designs)
def test_rank_r_sum_equals_the_full_kernel(d):
    rng, image = image_for(d)
    kernel = rng.standard_normal((d["kh"], d["kw"]))
    analysis = analyze_kernel(kernel)
    column, row = analysis.factors(analysis.rank)
    options = {"border": d["border"], "flip": d["flip"]}
    spatial = spatial_separable_conv(image, column, row, **options).output
    c = d["channels"]
    bank = np.zeros((c, c) + kernel.shape)
    bank[np.arange(c), np.arange(c)] = kernel
    close(spatial, normal_conv(image, bank, **options).output, np.abs(kernel).sum())


@FAST
@given(designs, st.floats(-3, 3), st.floats(-3, 3))
def test_normal_conv_is_linear(d, a, b):
    rng, image = image_for(d)
    other = rng.random(image.shape).astype(np.float32)
    weights = rng.standard_normal((2, d["channels"], d["kh"], d["kw"]))
    options = {"border": d["border"], "flip": d["flip"]}
    combined = normal_conv(a * image + b * other, weights, **options).output
    separate = (
        a * normal_conv(image, weights, **options).output
        + b * normal_conv(other, weights, **options).output
    )
    close(combined, separate, 4 * np.abs(weights).sum())


@FAST
@given(designs)
def test_every_algorithm_of_normal_conv_agrees(d):
    rng, image = image_for(d)
    weights = rng.standard_normal((3, d["channels"], d["kh"], d["kw"]))
    options = {"border": d["border"], "flip": d["flip"]}
    outputs = [
        normal_conv(image, weights, algorithm=a, **options).output
        for a in ("direct", "gemm", "kn2row", "fft", "auto")
    ]
    for out in outputs[1:]:
        close(out, outputs[0], np.abs(weights).sum())


@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_impulse_shows_correlation_versus_convolution(kh, kw, seed):
    kernel = np.random.default_rng(seed).standard_normal((kh, kw)).astype(np.float32)
    image = np.zeros((15, 15), np.float32)
    image[7, 7] = 1.0
    bank = kernel[None, None]
    # Convolution copies the kernel upright, its anchor on the impulse.
    convolved = normal_conv(image, bank, flip=True, border="constant").output[:, :, 0]
    top, left = 7 - kh // 2, 7 - kw // 2
    np.testing.assert_allclose(convolved[top : top + kh, left : left + kw], kernel, atol=1e-6)
    assert np.count_nonzero(convolved) == np.count_nonzero(kernel)
    # Correlation shows it rotated by 180 degrees, anchored at the mirrored position.
    correlated = normal_conv(image, bank, flip=False, border="constant").output[:, :, 0]
    top, left = 7 - (kh - 1 - kh // 2), 7 - (kw - 1 - kw // 2)
    np.testing.assert_allclose(
        correlated[top : top + kh, left : left + kw], kernel[::-1, ::-1], atol=1e-6
    )
    spatial = spatial_separable_conv(
        image, kernel[:, 0], kernel[0], flip=True, border="constant"
    ).output[:, :, 0]
    top, left = 7 - kh // 2, 7 - kw // 2
    np.testing.assert_allclose(
        spatial[top : top + kh, left : left + kw], np.outer(kernel[:, 0], kernel[0]), atol=1e-6
    )
