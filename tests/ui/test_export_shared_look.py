"""8-bit exports look like the views: outputs under the shared look use its mapping and
levels, not levels of their own, so equal values export as equal pixels."""

import cv2
import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.io.export import quantize, result_items
from sepconv_gui.ui.shell.export_dialog import SIGNED_LUT, ExportDialog, build_job
from sepconv_gui.ui.views.display import apply_mapping
from sepconv_gui.ui.views.result_views import ResultViews
from tests.ui.widgets import shown


@pytest.fixture
def views(qtbot):
    return shown(qtbot, ResultViews(), 800, 600)


@pytest.fixture
def silent(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    for kind in ("question", "information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a: QMessageBox.Ok)


def image(channels=3):
    return np.random.default_rng(21).random((30, 40, channels)).astype(np.float32)


def export_all(qtbot, views, result, folder):
    dialog = ExportDialog(
        result, lambda mode: views.panels[mode].mapping, None, views.shared_look_for
    )
    qtbot.addWidget(dialog)
    folder.mkdir()
    dialog.set_choice(everything=True, fmt="png8", folder=folder)
    assert dialog.export()
    return folder


def test_equal_outputs_export_identical_pixels(qtbot, views, silent, tmp_path):
    # Depthwise-separable equals its equivalent normal bank; a rank-1 spatial pass of a
    # rank-2 kernel does not, and its larger range sets the shared levels.
    kernel = np.outer([1.0, 2, 1], [1.0, 0, -1]) + 3 * np.outer([0, 1.0, 0], [1.0, 1, 1])
    design = Design(kernel=tuple(map(tuple, kernel)), preset="custom", spatial_rank=1)
    result = run_design(image(1), design)
    views.show_result(result)
    folder = export_all(qtbot, views, result, tmp_path / "out")
    normal = (folder / "normal_output.png").read_bytes()
    assert normal == (folder / "depthwise_output.png").read_bytes()
    assert normal != (folder / "spatial_output.png").read_bytes()


def test_every_output_is_written_with_the_levels_its_view_shows(qtbot, views, silent, tmp_path):
    design = Design(normal_kind="random", normal_seed=3, out_channels=1, pointwise="average")
    result = run_design(image(), design)
    views.show_result(result)
    look = views.look
    assert look.mapping == "signed" and not look.rgb
    folder = export_all(qtbot, views, result, tmp_path / "out")
    for mode, conv in result.results.items():
        job = build_job(
            next(
                i for i in result_items(result.image, result.results) if i.stem == f"{mode}_output"
            ),
            "png8",
            lambda m: views.panels[m].mapping,
            views.shared_look_for,
        )
        assert job.levels == look.levels == views.panels[mode].levels
        if conv.output.shape[2] == 1:
            written = cv2.cvtColor(
                cv2.imread(str(folder / f"{mode}_output.png")), cv2.COLOR_BGR2RGB
            )
            index = quantize(apply_mapping(conv.output[:, :, 0], "signed"), look.levels, 8)
            np.testing.assert_array_equal(written, SIGNED_LUT[index])


def test_a_view_with_its_own_mapping_exports_its_own_levels(qtbot, views, silent):
    result = run_design(image(), Design())
    views.show_result(result)
    views.panels["spatial"].set_mapping("normalize")
    assert views.shared_look_for("spatial") is None
    assert views.shared_look_for("normal") is views.look
