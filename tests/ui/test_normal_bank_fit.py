"""Normal-mode weights in the Design dock and "Fit depthwise-separable": the plotted errors are
the engine's factorization errors, and picking a point makes that fit the design, undoably."""

import threading
import zlib

import numpy as np
import pytest

from sepconv_gui.engine import factorize_depthwise_separable
from tests.ui.widgets import open_window

SEED = zlib.crc32(b"normal bank fit") % 1000


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot, exposed=True)
    yield w
    w.close()


def panel(window):
    return window.channel_designer.normal_bank


def hand_bank(p, c, kh, kw, seed):
    # The random bank as state.py documents it: standard normal / sqrt(C*kh*kw).
    return np.random.default_rng(seed).standard_normal((p, c, kh, kw)) / np.sqrt(c * kh * kw)


def hand_error(bank, m):
    """||bank - rank-M-per-channel approximation||_F / ||bank||_F, built from full SVDs."""
    p, c, kh, kw = bank.shape
    approx = np.zeros_like(bank)
    for ch in range(c):
        u, s, vt = np.linalg.svd(bank[:, ch].reshape(p, kh * kw), full_matrices=False)
        approx[:, ch] = ((u[:, :m] * s[:m]) @ vt[:m]).reshape(p, kh, kw)
    return np.linalg.norm(bank - approx) / np.linalg.norm(bank)


def fit(qtbot, window):
    box = panel(window)
    with qtbot.waitSignal(box.plot.scatter.sigPlotChanged, timeout=20000):
        box.fit_button.click()
    qtbot.waitUntil(lambda: box.job is None)
    return box


def test_fit_needs_an_independent_bank(window):
    window.edit_design({"normal_kind": "equivalent"})
    assert not panel(window).fit_button.isEnabled()
    panel(window).kind.setCurrentIndex(panel(window).kind.findData("random"))
    assert window.controller.design.normal_kind == "random"
    assert panel(window).fit_button.isEnabled()
    assert panel(window).seed.isEnabled()
    window.history.stack.undo()
    assert window.controller.design.normal_kind == "equivalent"


def test_plotted_errors_are_the_engines_factorization_errors(qtbot, window):
    window.edit_design(
        {"normal_kind": "random", "normal_seed": SEED, "out_channels": 5, "multiplier": 1}
    )
    box = fit(qtbot, window)
    kh, kw = window.controller.design.kernel_array().shape
    bank = hand_bank(5, 3, kh, kw, SEED)
    x, y = box.plot.scatter.getData()
    top = min(kh * kw, 5)
    assert len(y) == top  # M = 1 .. min(k², P)
    for m in range(1, top + 1):
        assert y[m - 1] == pytest.approx(factorize_depthwise_separable(bank, m)[2], abs=1e-9)
        assert y[m - 1] == pytest.approx(hand_error(bank, m), abs=1e-9)
        # k²·C·M + C·M·P multiplications per output pixel
        assert x[m - 1] == kh * kw * 3 * m + 3 * m * 5
    assert y[-1] == pytest.approx(0.0, abs=1e-9)  # rank exhausted: exact
    assert box.plot.normal.value() == kh * kw * 3 * 5


def test_picking_a_point_makes_that_fit_the_design_through_undo(qtbot, window):
    window.edit_design({"normal_kind": "random", "normal_seed": SEED, "out_channels": 4})
    before = window.controller.design
    box = fit(qtbot, window)
    spots = [s for s in box.plot.scatter.points() if s.data() == 2]
    with qtbot.waitSignal(window.history.stack.indexChanged, timeout=20000):
        box.plot.scatter.sigClicked.emit(box.plot.scatter, spots, None)
    design = window.controller.design
    assert design.multiplier == 2 and design.depthwise_kind == "per_map"
    assert design.normal_kind == "random"  # the bank stays: normal against its fit
    kh, kw = design.kernel_array().shape
    bank = hand_bank(4, 3, kh, kw, SEED)
    depth, point = design.depthwise_kernels(3), design.pointwise_weights(3)
    approx = np.einsum("pcm,cmhw->pchw", point.reshape(4, 3, 2), depth.reshape(3, 2, kh, kw))
    assert np.linalg.norm(bank - approx) / np.linalg.norm(bank) == pytest.approx(
        hand_error(bank, 2), abs=1e-9
    )
    assert "Fit depthwise-separable (M = 2)" in window.history.stack.undoText()
    window.history.stack.undo()
    assert window.controller.design == before


def test_cancel_stops_the_fit_between_channels_and_keeps_the_window(qtbot, window, monkeypatch):
    from sepconv_gui.app import design_fit

    box = panel(window)
    window.edit_design({"normal_kind": "random", "out_channels": 4, "channels": 16})
    # The fit's first channel SVD waits until Cancel was pressed: the fit cannot finish
    # first, and what it does after Cancel is counted.
    gate, svds, real_svd = threading.Event(), [], np.linalg.svd

    def gated_svd(matrix, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            if kwargs.get("compute_uv") is False and np.shape(matrix)[0] == 4:
                svds.append(np.shape(matrix))
                gate.wait(20)
        return real_svd(matrix, *args, **kwargs)

    monkeypatch.setattr(design_fit.np.linalg, "svd", gated_svd)
    box.start_fit()
    qtbot.waitUntil(lambda: len(svds) == 1, timeout=20000)
    box.cancel()
    gate.set()
    qtbot.waitUntil(lambda: box.job is None, timeout=20000)
    assert len(svds) == 1  # of 16 channels: it stopped before the second
    assert box.tradeoff is None and len(box.plot.scatter.points()) == 0
    assert box.fit_button.isEnabled()


def test_an_imported_bank_sets_p_and_c(tmp_path, window):
    bank = hand_bank(6, 5, 3, 3, SEED)
    np.save(tmp_path / "bank.npy", bank)
    assert panel(window).import_bank(tmp_path / "bank.npy")
    design = window.controller.design
    assert design.normal_kind == "file" and design.out_channels == 6 and design.channels == 5
    np.testing.assert_array_equal(design.normal_weights(5), bank)
    (tmp_path / "bad.npy").write_bytes(b"not an array")
    assert not panel(window).import_bank(tmp_path / "bad.npy")
    assert "Could not import" in window.error_label.text()
