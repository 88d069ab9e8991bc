import numpy as np
import pytest

from sepconv_gui.engine import (
    analyze_kernel,
    conv_cost,
    depthwise_separable_conv,
    factorize_depthwise_separable,
    normal_conv,
    spatial_separable_conv,
)


def test_costs_follow_the_documented_formulas():
    h, w, c, p, kh, kw, m, r = 7, 11, 3, 5, 3, 4, 2, 2
    normal = conv_cost("normal", h, w, c, p, kh, kw)
    assert normal.multiplications == h * w * p * c * kh * kw
    assert normal.additions == h * w * p * (c * kh * kw - 1)
    assert normal.parameters == p * c * kh * kw
    spatial = conv_cost("spatial", h, w, c, p, kh, kw, rank=r)
    assert spatial.multiplications == h * w * c * r * (kh + kw)
    assert spatial.additions == h * w * c * (r * (kh - 1 + kw - 1) + r - 1)
    assert spatial.parameters == r * (kh + kw)
    depth = conv_cost("depthwise", h, w, c, p, kh, kw, multiplier=m)
    assert depth.stages["depthwise"].multiplications == h * w * c * m * kh * kw
    assert depth.stages["pointwise"].multiplications == h * w * p * c * m
    assert depth.parameters == c * m * kh * kw + p * c * m
    assert depth.flops == depth.multiplications + depth.additions


@pytest.mark.parametrize("p, k", [(8, 3), (32, 3), (32, 7), (64, 15)])
def test_mobilenet_ratio(p, k):
    normal = conv_cost("normal", 64, 64, 3, p, k, k).multiplications
    separable = conv_cost("depthwise", 64, 64, 3, p, k, k).multiplications
    assert separable / normal == pytest.approx(1 / p + 1 / k**2, rel=1e-12)


def test_results_report_the_cost_they_ran_with():
    image = np.random.default_rng(0).random((9, 10, 2))
    result = depthwise_separable_conv(image, np.ones((4, 3, 3)), np.ones((6, 4)))
    # All-ones kernels are rank 1, so the depthwise step ran as 1-D passes.
    assert result.algorithm == "sepfilter+matmul"
    expected = conv_cost("depthwise", 9, 10, 2, 6, 3, 3, 2, depthwise_separable_passes=True)
    assert result.cost == expected
    assert result.cost.stages["depthwise"].multiplications == 9 * 10 * 4 * (3 + 3)
    spatial = spatial_separable_conv(image, np.ones((2, 5)), np.ones((2, 3)), keep_stages=True)
    assert spatial.cost == conv_cost("spatial", 9, 10, 2, 2, 5, 3, rank=2)
    normal = normal_conv(image, np.ones((3, 2, 5, 3)))
    assert normal.cost == conv_cost("normal", 9, 10, 2, 3, 5, 3)
    for result in (spatial, normal):
        assert set(result.timings) == set(result.cost.stages)
        assert all(t >= 0 for t in result.timings.values())
    # Without kept stages the passes run fused and are timed as one.
    fused = spatial_separable_conv(image, np.ones((2, 5)), np.ones((2, 3)))
    assert fused.cost == spatial.cost and set(fused.timings) == {"spatial"}


def test_analysis_of_separable_and_non_separable_kernels():
    rng = np.random.default_rng(3)
    column, row = rng.standard_normal(5), rng.standard_normal(4)
    separable = analyze_kernel(np.outer(column, row))
    assert separable.rank == 1 and separable.is_separable
    assert separable.relative_error(1) < 1e-7
    col, rw = separable.factors(1)
    assert col.shape == (1, 5) and rw.shape == (1, 4)
    np.testing.assert_allclose(col.T @ rw, np.outer(column, row), atol=1e-12)

    laplacian = analyze_kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    assert laplacian.rank == 2 and not laplacian.is_separable
    s = laplacian.singular_values
    assert laplacian.relative_error(1) == pytest.approx(np.sqrt(np.sum(s[1:] ** 2) / np.sum(s**2)))
    assert laplacian.relative_error(2) == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(laplacian.approximation(2), laplacian.kernel, atol=1e-12)

    assert analyze_kernel(np.zeros((3, 3))).rank == 0


def test_eckart_young_rank_r_is_the_best_we_can_do():
    rng = np.random.default_rng(4)
    kernel = rng.standard_normal((6, 6))
    analysis = analyze_kernel(kernel)
    for r in range(1, 6):
        best = np.linalg.norm(kernel - analysis.approximation(r))
        # No random rank-r kernel beats the truncated SVD.
        for _ in range(20):
            other = rng.standard_normal((6, r)) @ rng.standard_normal((r, 6))
            assert np.linalg.norm(kernel - other) >= best
        assert analysis.relative_error(r) == pytest.approx(best / np.linalg.norm(kernel))


@pytest.mark.parametrize("multiplier", [1, 2, 3])
def test_factorize_recovers_an_exact_depthwise_separable_bank(multiplier):
    rng = np.random.default_rng(multiplier)
    c, p, k = 3, 7, 5
    depth = rng.standard_normal((c * multiplier, k, k))
    point = rng.standard_normal((p, c * multiplier))
    bank = np.einsum(
        "pcm,cmhw->pchw", point.reshape(p, c, multiplier), depth.reshape(c, multiplier, k, k)
    )
    got_depth, got_point, error = factorize_depthwise_separable(bank, multiplier)
    assert error < 1e-5
    rebuilt = np.einsum(
        "pcm,cmhw->pchw",
        got_point.reshape(p, c, multiplier),
        got_depth.reshape(c, multiplier, k, k),
    )
    np.testing.assert_allclose(rebuilt, bank, atol=1e-9)
    image = rng.random((12, 12, c))
    np.testing.assert_allclose(
        depthwise_separable_conv(image, got_depth, got_point).output,
        normal_conv(image, bank).output,
        atol=1e-3,
    )


def test_factorize_never_beats_the_svd_bound_and_improves_with_m():
    rng = np.random.default_rng(9)
    bank = rng.standard_normal((6, 2, 3, 3))
    errors = []
    for m in (1, 2, 3, 6, 9):
        depth, point, error = factorize_depthwise_separable(bank, m)
        rebuilt = np.einsum("pcm,cmhw->pchw", point.reshape(6, 2, m), depth.reshape(2, m, 3, 3))
        measured = np.linalg.norm(bank - rebuilt) / np.linalg.norm(bank)
        assert error == pytest.approx(measured, abs=1e-12)
        bound = np.sqrt(
            sum(
                np.sum(np.linalg.svd(bank[:, c].reshape(6, 9), compute_uv=False)[m:] ** 2)
                for c in range(2)
            )
            / np.sum(bank**2)
        )
        assert error >= bound - 1e-12
        errors.append(error)
    assert errors == sorted(errors, reverse=True) and errors[0] > 0.1 and errors[-1] < 1e-9


def test_pointwise_falls_back_to_blas_past_opencvs_channel_limit():
    rng = np.random.default_rng(5)
    image = rng.random((6, 7, 2))
    depth, point = rng.standard_normal((600, 3, 3)), rng.standard_normal((4, 600))
    result = depthwise_separable_conv(image, depth, point)
    assert result.algorithm == "filter2d+matmul"
    from sepconv_gui.engine import reference as ref

    np.testing.assert_allclose(result.output, ref.depthwise(image, depth, point)[1], atol=1e-3)


def test_rank_one_factors_read_like_the_textbook():
    column, row = analyze_kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]).factors(1)
    assert np.argmax(column[0]) == 1 and column[0].min() > 0
    np.testing.assert_allclose(
        np.outer(column[0], row[0]), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], atol=1e-12
    )
