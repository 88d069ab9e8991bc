"""The difference view: |A − B| between two modes, its numbers and the border check."""

import math

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.engine import preset_kernel
from sepconv_gui.ui.views.difference_view import DifferenceView
from tests.ui.widgets import shown


def kernel(name, size):
    return tuple(map(tuple, preset_kernel(name, size)))


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(11).random((60, 80, 3)).astype(np.float32)


@pytest.fixture
def view(qtbot):
    return shown(qtbot, DifferenceView(), 700, 600)


@pytest.mark.parametrize(
    "a, b", [("normal", "depthwise"), ("normal", "spatial"), ("spatial", "depthwise")]
)
def test_the_default_design_gives_the_same_output_in_every_mode(view, image, a, b):
    view.show_result(run_design(image, Design()))  # P = C, M = 1, identity, Sobel (rank 1)
    view.set_modes(a, b)
    stats = view.stats
    assert stats.equal and stats.max_abs <= stats.tolerance
    assert stats.psnr > 100 or stats.psnr == math.inf
    title = view.title_label.text()
    assert "identical" in title or "equal up to float32 rounding" in title
    assert "No difference" in view.border_label.text()
    assert not any(rect.isVisible() for pair in view.overlays.values() for rect in pair)


def test_a_rank_2_kernel_through_one_separable_pass_differs(view, image):
    laplacian = kernel("laplacian", 5)
    result = run_design(image, Design(kernel=laplacian, preset="laplacian", spatial_rank=1))
    view.show_result(result)
    view.set_modes("normal", "spatial")
    normal = result.results["normal"].output.astype(np.float64)
    spatial = result.results["spatial"].output
    error = np.abs(normal - spatial)
    mse = np.mean(error**2)
    stats = view.stats
    assert stats.max_abs == pytest.approx(error.max(), rel=1e-5)
    assert stats.max_abs > 100 * stats.tolerance and not stats.equal
    assert stats.rms == pytest.approx(math.sqrt(mse), rel=1e-5)
    peak = np.abs(normal).max()
    assert stats.psnr == pytest.approx(10 * math.log10(peak**2 / mse), rel=1e-5)
    np.testing.assert_allclose(view.image_item.image, error.max(axis=2), atol=1e-5)
    assert view.image_item.levels.tolist() == pytest.approx([0.0, stats.max_abs])
    assert view.colorbar.levels() == pytest.approx((0.0, stats.max_abs))
    assert "different" in view.title_label.text()
    assert f"PSNR = {stats.psnr:.1f} dB" in view.stats_label.text()
    assert view.border_label.text().startswith("Errors spread over the interior")


def test_a_different_border_mode_is_caught_in_the_border_band(view, image):
    gaussian = kernel("gaussian", 5)
    result = run_design(image, Design(kernel=gaussian, preset="gaussian"))
    zero_padded = run_design(image, Design(kernel=gaussian, preset="gaussian", border="constant"))
    result.results["depthwise"] = zero_padded.results["depthwise"]  # same sums, other padding
    view.show_result(result)
    view.set_modes("normal", "depthwise")
    report, stats = view.border, view.stats
    assert report.band == 2  # 5 x 5 kernel: k // 2
    assert not stats.equal
    assert report.interior_max <= stats.tolerance  # inside the band both agree
    assert set(report.flagged) >= {"top", "bottom", "left", "right"}
    assert "Errors concentrated in the border band (2 px = k//2)" in view.border_label.text()
    tint, marker = view.overlays["top"]
    assert tint.isVisible() and marker.isVisible()
    assert (tint.rect().x(), tint.rect().y(), tint.rect().width(), tint.rect().height()) == (
        2,
        0,
        76,
        2,
    )


def test_different_channel_counts_give_a_message_not_an_error(view, image):
    view.show_result(run_design(image, Design(multiplier=2, out_channels=5, pointwise="random")))
    assert view.modes == ("normal", "depthwise")
    assert view.stats is not None  # P = 5 each: comparable
    view.set_modes("spatial", "depthwise")
    assert view.stats is None and view.border is None
    text = view.title_label.text()
    assert "Nothing to compare" in text and "C = 3" in text and "P = 5" in text
    assert view.image_item.image is None and not view.colorbar.isVisible()
    assert not any(rect.isVisible() for pair in view.overlays.values() for rect in pair)


def test_only_modes_that_ran_are_offered_and_picks_are_kept(view, image):
    view.show_result(run_design(image, Design(modes=("normal", "spatial"))))
    assert [view.combo_a.itemData(i) for i in range(view.combo_a.count())] == ["normal", "spatial"]
    view.set_modes("spatial", "normal")
    view.show_result(run_design(image, Design()))
    view.refresh()
    assert view.modes == ("spatial", "normal") and view.combo_b.count() == 3


def test_a_hidden_view_computes_nothing_until_shown(qtbot, image):
    widget = DifferenceView()
    qtbot.addWidget(widget)
    widget.show_result(run_design(image, Design()))
    assert widget.stats is None and widget.pending
    widget.show()
    assert not widget.pending and widget.stats is not None and widget.stats.equal
