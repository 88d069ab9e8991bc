"""Channel counts beyond OpenCV's limit (128 in OpenCV 5) work in every mode and algorithm."""

import zlib

import cv2
import numpy as np
import pytest

from sepconv_gui.engine import (
    BORDER_MODES,
    ResourceError,
    depthwise_separable_conv,
    normal_conv,
    spatial_separable_conv,
)
from sepconv_gui.engine import filtering
from sepconv_gui.engine import reference as ref


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


def close(got, expected, scale):
    np.testing.assert_allclose(got, expected, atol=2e-5 * max(1.0, scale), rtol=1e-4)


def test_the_limit_is_what_opencv_enforces():
    # The engine's idea of the limit must be OpenCV's: one more channel is refused.
    limit = filtering.CV_MAX_CHANNELS
    cv2.copyMakeBorder(np.zeros((2, 2, limit), np.float32), 1, 1, 1, 1, cv2.BORDER_REFLECT)
    with pytest.raises(cv2.error):
        cv2.merge([np.zeros((2, 2), np.float32)] * (limit + 1))


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
def test_reference_taps_match_one_plane_at_a_time(border, flip):
    # The reference sums whole-image tap windows; check it against its own per-plane loop.
    rng = seeded("reference", border, flip)
    image = rng.random((6, 8, 3))
    weights = rng.standard_normal((2, 3, 2, 3))
    expected = np.stack(
        [
            sum(ref.correlate(image[..., c], weights[p, c], border, flip) for c in range(3))
            for p in (0, 1)
        ],
        axis=2,
    )
    np.testing.assert_allclose(ref.normal(image, weights, border, flip), expected, atol=1e-12)
    kernels = rng.standard_normal((6, 3, 2))
    maps, _ = ref.depthwise(image, kernels, np.ones((1, 6)), border, flip)
    by_plane = np.stack(
        [ref.correlate(image[..., k // 2], kernels[k], border, flip) for k in range(6)], 2
    )
    np.testing.assert_allclose(maps, by_plane, atol=1e-12)


@pytest.mark.parametrize("algorithm", ["gemm", "fft", "auto"])
@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
def test_normal_with_more_channels_than_opencv_allows(algorithm, border, flip):
    rng = seeded("normal-many", algorithm, border, flip)
    image = rng.random((7, 9, 130), dtype=np.float32)
    weights = rng.standard_normal((131, 130, 3, 2)).astype(np.float32) / 30
    result = normal_conv(image, weights, border=border, flip=flip, algorithm=algorithm)
    assert result.output.shape == (7, 9, 131)
    close(result.output, ref.normal(image, weights, border, flip), 5)


@pytest.mark.parametrize("channels, outputs", [(200, 2), (2, 200), (129, 129)])
@pytest.mark.parametrize("kernel_shape", [(3, 3), (4, 4), (2, 5)])
def test_direct_with_more_channels_than_opencv_allows(channels, outputs, kernel_shape):
    rng = seeded("direct-many", channels, outputs, kernel_shape)
    image = rng.random((6, 8, channels), dtype=np.float32)
    weights = rng.standard_normal((outputs, channels) + kernel_shape).astype(np.float32) / 30
    result = normal_conv(image, weights, border="wrap", flip=True, algorithm="direct")
    close(result.output, ref.normal(image, weights, "wrap", True), 5)


@pytest.mark.parametrize("size", [(1, 1), (3, 3), (4, 2), (5, 6)])
@pytest.mark.parametrize("algorithm", ["direct", "gemm", "kn2row", "fft"])
def test_normal_at_the_largest_sizes(size, algorithm):
    # C = P = 512, the design limit, on a tiny image.
    rng = seeded("normal-512", size, algorithm)
    image = rng.random((6, 7, 512), dtype=np.float32)
    weights = rng.standard_normal((512, 512) + size).astype(np.float32) / 100
    if algorithm == "direct" and size != (1, 1):
        weights = weights[:3]  # 512 x 512 filter2D calls would take seconds; P > 128 is above
    result = normal_conv(image, weights, border="reflect", algorithm=algorithm)
    close(result.output, ref.normal(image, weights, "reflect"), 10)


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("rank", [1, 2])
def test_spatial_with_512_channels(border, flip, rank):
    rng = seeded("spatial-512", border, flip, rank)
    image = rng.random((7, 9, 512), dtype=np.float32)
    column, row = rng.standard_normal((rank, 4)), rng.standard_normal((rank, 3))
    for keep_stages in (False, True):
        result = spatial_separable_conv(
            image, column, row, border=border, flip=flip, keep_stages=keep_stages
        )
        close(result.output, ref.spatial(image, column, row, border, flip), 10)
    assert result.stages["vertical"].shape == (7, 9, 512 * rank)


@pytest.mark.parametrize(
    "channels, multiplier, outputs, kernel_shape",
    [(3, 16, 512, (3, 3)), (256, 16, 3, (2, 3)), (512, 1, 512, (4, 4)), (130, 2, 1, (5, 1))],
)
@pytest.mark.parametrize("rank_one", [False, True])
def test_depthwise_with_many_maps(channels, multiplier, outputs, kernel_shape, rank_one):
    rng = seeded("depthwise-many", channels, multiplier, outputs, kernel_shape, rank_one)
    maps = channels * multiplier
    image = rng.random((6, 7, channels), dtype=np.float32)
    if rank_one:
        depth = np.einsum(
            "ki,kj->kij",
            rng.standard_normal((maps, kernel_shape[0])),
            rng.standard_normal((maps, kernel_shape[1])),
        )
    else:
        depth = rng.standard_normal((maps,) + kernel_shape)
    point = rng.standard_normal((outputs, maps)) / np.sqrt(maps)
    result = depthwise_separable_conv(
        image, depth, point, border="wrap", flip=True, keep_stages=True
    )
    expected_maps, expected = ref.depthwise(image, depth, point, "wrap", True)
    close(result.stages["depthwise"], expected_maps, 10)
    close(result.output, expected, 10)


@pytest.mark.parametrize("border", BORDER_MODES)
def test_depthwise_one_kernel_for_512_channels(border):
    rng = seeded("depthwise-shared", border)
    image = rng.random((6, 7, 512), dtype=np.float32)
    depth = np.repeat(rng.standard_normal((1, 3, 4)), 512, axis=0)
    point = rng.standard_normal((200, 512)) / 20
    result = depthwise_separable_conv(image, depth, point, border=border, keep_stages=True)
    expected_maps, expected = ref.depthwise(image, depth, point, border)
    close(result.stages["depthwise"], expected_maps, 10)
    close(result.output, expected, 10)


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize(
    "error, words",
    [(MemoryError(), "ran out of memory"), (cv2.error("Insufficient memory"), "OpenCV refused")],
)
def test_memory_and_opencv_errors_become_resource_errors(monkeypatch, error, words):
    for name in ("filter2D", "sepFilter2D"):
        monkeypatch.setattr(cv2, name, _raise(error))
    image = np.zeros((5, 5, 2), np.float32)
    calls = [
        lambda: normal_conv(image, np.ones((1, 2, 3, 3)), algorithm="direct"),
        lambda: spatial_separable_conv(image, [1, 2, 1], [1, 2, 1]),
        lambda: depthwise_separable_conv(image, np.ones((2, 3, 3)), np.ones((1, 2))),
    ]
    for call in calls:
        with pytest.raises(ResourceError, match=words) as caught:
            call()
        assert "lower" in str(caught.value)


@pytest.mark.parametrize("border", BORDER_MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("threads", [1, 2])
def test_wide_separable_passes_in_many_blocks(monkeypatch, border, flip, threads):
    # Above the channel limit sepFilter2D becomes a vertical pass over (H, W*C) into the
    # output and a horizontal pass over it in place, in blocks of rows and channel chunks:
    # blocks of 2-3 rows here, an odd kernel and an even one, a chunk of 4 channels.
    from sepconv_gui.engine import set_num_threads

    monkeypatch.setattr(filtering, "WIDE_BLOCK_VALUES", 3 * 9 * filtering.CV_MAX_CHANNELS - 1)
    rng = seeded("wide-blocks", border, flip, threads)
    image = rng.random((23, 9, 2 * filtering.CV_MAX_CHANNELS + 4), dtype=np.float32)
    column, row = rng.standard_normal(5), rng.standard_normal(4)
    set_num_threads(threads)
    try:
        result = spatial_separable_conv(image, column, row, border=border, flip=flip)
        depth = np.einsum("i,j->ij", column, row)[None].repeat(image.shape[2], 0)
        shared = depthwise_separable_conv(
            image, depth, np.eye(image.shape[2])[:3], border=border, flip=flip
        )
    finally:
        set_num_threads(None)
    assert result.algorithm == "filter2d+filter2d"  # sepFilter2D takes no more channels
    close(result.output, ref.spatial(image, column, row, border, flip), 10)
    assert shared.algorithm.startswith("sepfilter")
    close(shared.output, ref.spatial(image, column, row, border, flip)[:, :, :3], 10)


@pytest.mark.parametrize("border", ["reflect101", "wrap"])
def test_small_kernels_above_the_limit_take_the_passes_without_chunk_copies(border):
    # A 3x3 rank-1 kernel runs as one 2-D filter2D below the limit; above it that would copy
    # channel chunks of every band, so it takes the two passes.
    rng = seeded("wide-3x3", border)
    image = rng.random((12, 10, filtering.CV_MAX_CHANNELS + 3), dtype=np.float32)
    small = spatial_separable_conv(image[:, :, :3], [1, 2, 1], [1, 0, -1], border=border)
    wide = spatial_separable_conv(image, [1, 2, 1], [1, 0, -1], border=border)
    assert (small.algorithm, wide.algorithm) == ("filter2d", "filter2d+filter2d")
    close(wide.output, ref.spatial(image, [1, 2, 1], [1, 0, -1], border), 4)
