"""Presets take the size their parameters call for; typed 1-D factors stay as typed."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from sepconv_gui.app.state import Design
from sepconv_gui.ui.design.kernel_editor import KernelEditor

from .test_kernel_editor import Host


@pytest.fixture
def host(qtbot):
    return Host.open(qtbot)


def pick(host, name, **params):
    editor = host.editor
    editor.preset.setCurrentIndex(editor.preset.findData(name))
    for key, value in params.items():
        editor.param_controls[key].spin.setValue(value)
    assert host.design.preset == name
    return host.kernel


def gaussian(sigma, side):
    x = np.arange(side) - side // 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    return np.outer(g, g) / g.sum() ** 2


@pytest.mark.parametrize(
    "sigma, side", [(1.0, 7), (2.0, 13), (0.3, 3), (4.6, 29), (5.0, 31), (20.0, 31)]
)
def test_gaussian_is_two_ceil_three_sigma_plus_one_wide(host, sigma, side):
    np.testing.assert_allclose(pick(host, "gaussian", sigma=sigma), gaussian(sigma, side))


def test_motion_blur_holds_its_whole_line(host):
    np.testing.assert_allclose(pick(host, "motion_blur", length=5), np.full((1, 5), 0.2))
    np.testing.assert_allclose(pick(host, "motion_blur", angle=90), np.full((5, 1), 0.2))
    # An even length straddles pixel edges: half a pixel at either end.
    np.testing.assert_allclose(
        pick(host, "motion_blur", angle=0, length=4), [[0.125, 0.25, 0.25, 0.25, 0.125]]
    )


@pytest.mark.parametrize(
    "name, params, shape",
    [
        ("laplacian_of_gaussian", {"sigma": 1.0}, (7, 7)),
        ("difference_of_gaussians", {"sigma1": 1.0, "sigma2": 1.6}, (11, 11)),
        ("unsharp_mask", {"sigma": 1.5}, (11, 11)),
        # 3 sigma along the wave, 3 sigma / gamma across it (theta 0: across is vertical).
        ("gabor", {"sigma": 2.0, "gamma": 0.5, "wavelength": 4.0}, (25, 13)),
        ("gabor", {"theta": 90.0}, (13, 25)),
        # A long wavelength widens the kernel to one whole period along the wave.
        ("gabor", {"theta": 0.0, "sigma": 1.0, "gamma": 1.0, "wavelength": 20.0}, (7, 21)),
    ],
)
def test_other_presets_are_sized_by_their_parameters(host, name, params, shape):
    assert pick(host, name, **params).shape == shape


def test_gabor_is_no_longer_degenerate(host):
    kernel = pick(host, "gabor")
    centre_row = kernel[kernel.shape[0] // 2]
    # cos(2 pi x / 4) under the envelope: peaks at 0 and +-4, troughs at +-2.
    assert centre_row[6] == 1.0
    assert centre_row[4] < 0 and centre_row[8] < 0 and centre_row[2] > 0


def test_a_size_typed_by_the_user_wins_until_fit_is_ticked(host):
    editor = host.editor
    pick(host, "gaussian", sigma=1.0)
    editor.width_spin.setValue(9)
    assert not editor.fit_size.isChecked()
    editor.param_controls["sigma"].spin.setValue(2.0)
    assert host.kernel.shape == (7, 9)
    editor.fit_size.setChecked(True)
    np.testing.assert_allclose(host.kernel, gaussian(2.0, 13))


def type_factors(qtbot, editor, column, row):
    for edit, text in ((editor.column_edit, column), (editor.row_edit, row)):
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key_Return)


def test_typed_factors_become_the_kernel_exactly_and_stay_as_typed(host, qtbot):
    editor = host.editor
    type_factors(qtbot, editor, "0.1, 0.7, 0.2", "3 -1")
    column, row = np.array([0.1, 0.7, 0.2]), np.array([3.0, -1.0])
    expected = np.array([[c * r for r in row] for c in column])  # no SVD: bit for bit
    np.testing.assert_array_equal(host.kernel, expected)
    assert editor.column_edit.text() == "0.1, 0.7, 0.2"
    assert editor.row_edit.text() == "3 -1"


def test_factors_of_a_separable_preset_are_its_own_pieces(host):
    assert host.editor.column_edit.text() == "1, 2, 1"
    assert host.editor.row_edit.text() == "1, 0, -1"


def test_typed_factors_reach_the_design_and_show_again_after_a_reload(host, qtbot):
    editor = host.editor
    type_factors(qtbot, editor, "1, 4, 1", "1 2 1")
    assert host.design.kernel_factors == ((1.0, 4.0, 1.0), (1.0, 2.0, 1.0))
    column, row = host.design.spatial_factors()
    np.testing.assert_array_equal(column, [[1, 4, 1]])
    np.testing.assert_array_equal(row, [[1, 2, 1]])
    fresh = KernelEditor()
    qtbot.addWidget(fresh)
    fresh.set_design(Design.from_json(host.design.to_json()))
    assert (fresh.column_edit.text(), fresh.row_edit.text()) == ("1, 4, 1", "1, 2, 1")
