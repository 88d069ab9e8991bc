"""The separability panel reports the kernel's singular values, rank and rank-r cost and sets
the spatial mode's r; one kernel round-trips through text and .npy files."""

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog


from .test_kernel_editor import Host

LAPLACIAN = np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])


@pytest.fixture
def host(qtbot):
    return Host.open(qtbot, height=900)


def test_panel_shows_singular_values_rank_and_the_rank_r_trade(host):
    host.editor.grid.paste("0 1 0\n1 -4 1\n0 1 0")
    panel = host.editor.separability
    s = np.linalg.svd(LAPLACIAN, compute_uv=False)
    np.testing.assert_allclose(panel.bars.values, s)
    assert panel.badge.text() == "rank 2"
    assert panel.slider.maximum() == 3 and panel.slider.value() == 2
    panel.slider.setValue(1)
    assert host.design.spatial_rank == 1  # what the spatial-separable mode will run
    error = np.sqrt(s[1] ** 2 + s[2] ** 2) / np.linalg.norm(LAPLACIAN)
    assert f"Rank-1 error {100 * error:.3g} %" in panel.summary.text()
    assert "1·(3+3) = 6" in panel.summary.text() and "3·3 = 9" in panel.summary.text()
    u, _, vt = np.linalg.svd(LAPLACIAN)
    np.testing.assert_allclose(
        panel.approximation.kernel, s[0] * np.outer(u[:, 0], vt[0]), atol=1e-12
    )
    host.editor.set_design(host.design.with_changes(spatial_rank=0))
    assert panel.slider.value() == 2  # "exact" is the kernel's own rank


def test_the_error_follows_the_rank_slider(host):
    kernel = np.array([[3.0, 1, 2], [0, 1, -1], [2, 5, 1]])  # full rank
    host.editor.grid.paste("3 1 2\n0 1 -1\n2 5 1")
    panel = host.editor.separability
    s = np.linalg.svd(kernel, compute_uv=False)
    panel.slider.setValue(2)
    assert f"Rank-2 error {100 * s[2] / np.linalg.norm(kernel):.3g} %" in panel.summary.text()
    assert "2·(3+3) = 12" in panel.summary.text() and "dearer" in panel.summary.text()


def choose_file(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


@pytest.mark.parametrize("name", ["kernel.txt", "kernel.npy"])
def test_a_kernel_survives_export_and_import_bit_for_bit(host, tmp_path, monkeypatch, name):
    kernel = np.random.default_rng(46).normal(size=(4, 6)) / 3
    host.editor.grid.paste("\n".join(" ".join(repr(float(v)) for v in row) for row in kernel))
    choose_file(monkeypatch, tmp_path / name)
    host.editor.export_kernel()
    host.editor.apply_tool("clear")
    host.editor.import_kernel()
    np.testing.assert_array_equal(host.kernel, kernel)


def test_a_spreadsheet_text_grid_imports(host, tmp_path, monkeypatch):
    path = tmp_path / "sheet.tsv"
    path.write_text("1\t2\t1\n0\t0\t0\n-1\t-2\t-1\n")
    choose_file(monkeypatch, path)
    host.editor.import_kernel()
    np.testing.assert_array_equal(host.kernel, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True), "plain"),
        (lambda p: np.save(p, np.ones((40, 3))), "sides go up to 31"),
        (lambda p: np.save(p, np.array([1.0, np.nan])), "NaN"),
        (lambda p: np.save(p, np.ones((2, 2, 2))), "2-D"),
    ],
)
def test_bad_npy_files_are_refused_and_the_kernel_stays(host, tmp_path, monkeypatch, make, message):
    path = tmp_path / "bad.npy"
    make(path)
    choose_file(monkeypatch, path)
    host.editor.import_kernel()
    assert message in host.errors[-1]
    np.testing.assert_array_equal(host.kernel, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
