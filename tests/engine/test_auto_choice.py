"""The cost model behind algorithm="auto": its choices, not its speed (that is sepconv-bench's)."""

import numpy as np
import pytest

from sepconv_gui.engine import algorithms, normal_conv


@pytest.mark.parametrize(
    "channels, outputs, k, expected",
    [
        (3, 3, 3, "direct"),  # a few small filters: one filter2D each beats any setup
        (1, 1, 15, "direct"),
        (3, 32, 3, "gemm"),  # many outputs share one im2col copy
        (3, 8, 7, "kn2row"),  # kn2row 0.90x direct (which beat gemm 0.74x) at C=3, P=8, k=7
        (3, 8, 5, "direct"),  # the live app's 640x480, P=8, k=5: direct and kn2row tie
        (8, 8, 5, "kn2row"),  # more inputs: one product of C*kh shifted rows, 0.72x direct
        (16, 8, 3, "kn2row"),
        (16, 8, 5, "kn2row"),  # 0.74x direct, 0.61x gemm
        (3, 8, 3, "gemm"),  # a tie (0.95x): gemm's small fixed cost decides
        (3, 8, 15, "fft"),  # big kernels over several channels: cost stops growing with k^2
        (3, 32, 31, "fft"),
    ],
)
def test_auto_picks_the_algorithm_the_measurements_favour(channels, outputs, k, expected):
    assert algorithms.choose(480, 640, channels, outputs, k, k) == expected


@pytest.mark.parametrize("outputs", [8, 32])
def test_kn2row_is_not_weighed_beyond_the_kernels_it_was_fitted_on(outputs):
    # 1280x720x3, k = 15: fft 82 and 192 ms against kn2row's 91 and 306 (KN2ROW_MAX_KERNEL);
    # extrapolated, the model picked kn2row at P = 32.
    assert algorithms.choose(720, 1280, 3, outputs, 15, 15) == "fft"
    assert algorithms.choose_within_budget(720, 1280, 3, outputs, 15, 15)[0] == "fft"
    assert "kn2row" in algorithms.candidates(7, 7)


def test_costs_grow_the_way_each_algorithm_scales():
    def cost(name, c, p, k, cached=False):
        return algorithms.estimated_ns_per_pixel(name, c, p, k, k, cached=cached)

    for name in ("direct", "gemm", "kn2row"):
        assert cost(name, 3, 8, 7) < cost(name, 3, 8, 9) < cost(name, 3, 16, 9)
    # With its kernel spectra kept, FFT does not care about the kernel size, only about
    # channel counts; computing the spectra grows with k, but only linearly.
    assert cost("fft", 3, 8, 3, True) == cost("fft", 3, 8, 31, True) < cost("fft", 3, 16, 31, True)
    assert cost("fft", 3, 8, 31, True) < cost("fft", 3, 8, 31) < cost("fft", 3, 8, 3) * 31 / 3
    with pytest.raises(ValueError, match="winograd"):
        algorithms.estimated_ns_per_pixel("winograd", 1, 1, 3, 3)


def test_auto_reports_what_it_ran():
    image = np.random.default_rng(1).random((40, 50, 3), dtype=np.float32)
    weights = np.random.default_rng(2).standard_normal((32, 3, 3, 3)).astype(np.float32)
    result = normal_conv(image, weights)
    assert result.algorithm == algorithms.choose(40, 50, 3, 32, 3, 3) == "gemm"
    np.testing.assert_allclose(
        result.output, normal_conv(image, weights, algorithm="direct").output, atol=1e-4
    )
