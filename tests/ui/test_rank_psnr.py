"""The separability panel's output PSNR: rank-r passes against the exact k×k result on the
current input, checked against a float64 computation built here by hand."""

import math

import cv2
import numpy as np
import pytest

from sepconv_gui.app.design_psnr import preview_image
from sepconv_gui.app.state import Design
from sepconv_gui.ui.design.separability_panel import SeparabilityPanel
from sepconv_gui.ui.shell.main_window import MainWindow

LAPLACIAN_ISH = np.array([[0.0, 1, 0.5], [1, -4, 1], [0.2, 1, 0]])  # rank 3


def by_hand(image, kernel, r):
    u, s, vt = np.linalg.svd(kernel)
    approx = (u[:, :r] * s[:r]) @ vt[:r]

    def run(k):
        planes = [
            cv2.filter2D(
                image[:, :, c].astype(np.float64), -1, k, borderType=cv2.BORDER_REFLECT_101
            )
            for c in range(image.shape[2])
        ]
        return np.dstack(planes)

    exact, rank_r = run(kernel), run(approx)
    mse = np.mean((exact - rank_r) ** 2)
    return 10 * math.log10((exact.max() - exact.min()) ** 2 / mse)


@pytest.fixture
def panel(qtbot):
    p = SeparabilityPanel()
    qtbot.addWidget(p)
    image = np.random.default_rng(77).random((90, 120, 3)).astype(np.float32)
    p.set_source(image)
    p.show_kernel(LAPLACIAN_ISH, 0)
    return p, image


@pytest.mark.parametrize("r", [1, 2])
def test_psnr_of_rank_r_matches_a_hand_computation(panel, r):
    p, image = panel
    p.slider.setValue(r)
    small = preview_image(image)
    assert small.shape == image.shape  # already small: measured as is
    want = by_hand(small, LAPLACIAN_ISH, r)
    assert p.psnr_value(r) == pytest.approx(want, abs=0.02)
    assert f"{want:.1f} dB" in p.psnr_label.text()
    assert "rank" in p.psnr_label.text() and "120×90" in p.psnr_label.text()


def test_full_rank_says_it_equals_the_exact_result(panel):
    p, _ = panel
    p.slider.setValue(3)
    assert "over 100 dB" in p.psnr_label.text()


def test_the_window_measures_on_its_input_downscaled(qtbot):
    w = MainWindow(design=Design(kernel=LAPLACIAN_ISH.tolist(), preset="custom"), synchronous=True)
    qtbot.addWidget(w)
    panel = w.kernel_editor.separability
    qtbot.waitUntil(lambda: "dB" in panel.psnr_label.text())
    image = w.controller.last_result.image
    small = preview_image(image)
    assert small.shape[0] * small.shape[1] <= 160 * 120 < image.shape[0] * image.shape[1]
    panel.slider.setValue(1)
    assert panel.psnr_value(1) == pytest.approx(by_hand(small, LAPLACIAN_ISH, 1), abs=0.02)
    assert w.controller.design.spatial_rank == 1  # the base kernel's slider sets the mode's r
    w.close()


def test_an_input_smaller_than_the_kernel_is_explained_not_raised(qtbot):
    p = SeparabilityPanel()
    qtbot.addWidget(p)
    p.set_source(np.zeros((4, 4, 1), np.float32))
    p.show_kernel(np.ones((7, 7)), 0)
    assert "not measured" in p.psnr_label.text() and "larger than the image" in p.psnr_label.text()
