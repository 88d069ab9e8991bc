"""The export dialog: what it plans is what it writes, it asks before replacing, it never
raises; and Copy view puts a picture on the clipboard."""

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.io.export import quantize
from sepconv_gui.ui.shell import export_dialog
from sepconv_gui.ui.views.display import map_for_display
from sepconv_gui.ui.shell.export_dialog import ExportDialog, copy_view_to_clipboard, export_result


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(5)
    image = rng.uniform(0, 1, (24, 32, 3)).astype(np.float32)
    # P = 4 outputs and C·M = 6 depthwise maps: both get one file per channel.
    return run_design(image, Design(multiplier=2, out_channels=4, pointwise="random"))


@pytest.fixture
def messages(monkeypatch):
    """Record message boxes instead of showing them; ``answer`` is what question() says."""
    log = {"answer": QMessageBox.No, "shown": []}

    def recorder(kind):
        def show(parent, title, text, *args):
            log["shown"].append((kind, title, text))
            return log["answer"] if kind == "question" else QMessageBox.Ok

        return show

    for kind in ("question", "information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, recorder(kind))
    return log


@pytest.fixture
def dialog(qtbot, result):
    d = ExportDialog(result, lambda mode: "signed")
    qtbot.addWidget(d)
    return d


def kinds(messages):
    return [kind for kind, _, _ in messages["shown"]]


def test_export_everything_writes_exactly_the_planned_files(dialog, messages, tmp_path):
    dialog.set_choice(everything=True, fmt="png16", folder=tmp_path)
    planned = dialog.planned_files()
    assert dialog.file_list.count() == len(planned) and len(planned) > 20
    assert "depthwise_stage-depthwise_c06.png" in {p.name for p in planned}
    assert dialog.export() is True
    assert sorted(dialog.written) == sorted(planned)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in planned)
    assert kinds(messages) == ["information"]
    assert f"{len(planned)} files" in messages["shown"][0][2]
    assert str(tmp_path) in messages["shown"][0][2]
    assert dialog.result() == ExportDialog.Accepted


def test_declining_to_replace_leaves_existing_files_untouched(dialog, messages, tmp_path):
    dialog.set_choice(everything=True, fmt="npy", folder=tmp_path)
    planned = dialog.planned_files()
    for path in planned[:2]:
        path.write_bytes(b"precious " + path.name.encode())
    dialog.refresh()
    assert "2 already exist" in dialog.summary.text()
    assert dialog.export() is False
    assert kinds(messages) == ["question"] and "2 of the" in messages["shown"][0][2]
    for path in planned[:2]:
        assert path.read_bytes() == b"precious " + path.name.encode()
    assert sorted(tmp_path.iterdir()) == sorted(planned[:2])  # nothing else was written

    messages["answer"] = QMessageBox.Yes
    assert dialog.export() is True
    assert np.load(planned[0]).dtype == np.float32
    assert sorted(tmp_path.iterdir()) == sorted(planned)


def test_png8_uses_the_views_mapping(qtbot, result, messages, tmp_path):
    d = ExportDialog(result, {"normal": "abs", "spatial": "signed"}.get)
    qtbot.addWidget(d)
    d.set_choice(everything=False, item_stem="normal_output", fmt="png8", folder=tmp_path)
    assert d.export()
    output = result.results["normal"].output
    shown, (low, high) = map_for_display(output, "abs")
    pixels = cv2.imread(str(tmp_path / "normal_output_c03.png"), cv2.IMREAD_UNCHANGED)
    expected = np.clip((shown[:, :, 2] - low) / (high - low), 0, 1) * 255
    assert pixels.ndim == 2 and np.abs(pixels - expected).max() <= 0.51

    # Signed single channels are written in the view's blue-red colour map, RGB triples
    # centred on grey as the view shows them.
    d2 = ExportDialog(result, lambda mode: "signed")
    qtbot.addWidget(d2)
    d2.set_choice(everything=True, fmt="png8", folder=tmp_path / "signed")
    (tmp_path / "signed").mkdir()
    assert d2.export()
    limit = map_for_display(output, "signed")[1][1]
    # Quantized the way io.export does (its own tests check that), then looked up.
    index = quantize(output[:, :, 1], (-limit, limit), 8).astype(int)
    coloured = cv2.imread(str(tmp_path / "signed" / "normal_output_c02.png"))
    np.testing.assert_array_equal(
        cv2.cvtColor(coloured, cv2.COLOR_BGR2RGB), export_dialog.SIGNED_LUT[index]
    )
    spatial = result.results["spatial"].output
    limit = map_for_display(spatial, "signed")[1][1]
    rgb = cv2.cvtColor(
        cv2.imread(str(tmp_path / "signed" / "spatial_output.png")), cv2.COLOR_BGR2RGB
    )
    assert np.abs(rgb - np.clip(0.5 + 0.5 * spatial / limit, 0, 1) * 255).max() <= 0.51


def test_export_result_remembers_the_folder(qtbot, result, messages, tmp_path, monkeypatch):
    picked = tmp_path / "picked"
    picked.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(picked))

    def run(self):
        self.browse()
        self.set_choice(everything=False, item_stem="input", fmt="tiff16")
        self.export()
        return self.result()

    monkeypatch.setattr(ExportDialog, "exec", run)
    written = export_result(None, result, lambda mode: "clip")
    assert [p.name for p in written] == ["input.tif", "input.levels.json"]
    assert all(p.parent == picked for p in written)
    again = ExportDialog(result, lambda mode: "clip")
    qtbot.addWidget(again)
    assert again.folder == picked
    assert again.fmt == "tiff16"


def test_errors_are_reported_never_raised(qtbot, result, messages, tmp_path, monkeypatch):
    def broken(mode):
        raise KeyError(mode)

    d = ExportDialog(result, broken)  # a failing mapping_for falls back, still exports
    qtbot.addWidget(d)
    d.set_choice(everything=False, item_stem="depthwise_output", folder=tmp_path / "gone")
    assert "does not exist" in d.summary.text()
    assert d.export() is False
    assert kinds(messages) == ["warning"] and str(tmp_path / "gone") in messages["shown"][0][2]
    d.set_choice(folder=tmp_path)
    assert d.export() is True and len(d.written) == 4

    assert export_result(None, None, broken) == []
    assert kinds(messages)[-1] == "information"
    monkeypatch.setattr(export_dialog, "ExportDialog", lambda *a: 1 / 0)
    assert export_result(None, result, broken) == []
    assert kinds(messages)[-1] == "critical"


def test_copy_view_puts_the_widget_on_the_clipboard(qtbot):
    label = QLabel("copy me")
    label.resize(120, 40)
    qtbot.addWidget(label)
    label.show()
    QGuiApplication.clipboard().clear()
    assert copy_view_to_clipboard(label) is True
    image = QGuiApplication.clipboard().image()
    assert not image.isNull()
    assert (image.width(), image.height()) == (
        120 * label.devicePixelRatio(),
        40 * label.devicePixelRatio(),
    )


def test_a_scripted_runs_export_leaves_the_users_remembered_folder_alone(
    qtbot, result, messages, tmp_path, settings_folder, monkeypatch
):
    from sepconv_gui.app import settings as app_settings

    user = app_settings.AppSettings()
    user.remember(export_dialog.FOLDER_KEY, str(tmp_path / "mine"))
    user.sync()
    monkeypatch.setattr(app_settings, "_throwaway", None)
    app_settings.use_throwaway_scope()  # what --frames / --screenshot runs do
    scripted = ExportDialog(result, lambda mode: "signed")
    qtbot.addWidget(scripted)
    assert scripted.folder_edit.text() == str(tmp_path / "mine")  # read the user's choice
    (tmp_path / "scripted").mkdir()
    scripted.set_choice(
        everything=False, item_stem="normal_output", fmt="npy", folder=tmp_path / "scripted"
    )
    assert scripted.export()
    monkeypatch.setattr(app_settings, "_throwaway", None)
    again = app_settings.AppSettings()
    assert again.remembered(export_dialog.FOLDER_KEY, "", str) == str(tmp_path / "mine")
    assert again.remembered(export_dialog.FORMAT_KEY, "png8", str) == "png8"


def test_exporting_a_live_frame_made_without_stages_still_writes_every_stage(
    qtbot, messages, tmp_path, monkeypatch
):
    from sepconv_gui.app.processing import Processor

    rng = np.random.default_rng(11)
    image = rng.uniform(0, 1, (20, 28, 3)).astype(np.float32)
    design = Design(multiplier=2, out_channels=4, pointwise="random")
    # What a live frame looks like while the Stages dock is hidden.
    live, _ = Processor().first_pass(image, design, generation=1, keep_stages=False)
    assert "vertical" not in live.results["spatial"].stages

    def export_everything(dialog):
        dialog.set_choice(everything=True, fmt="npy", folder=tmp_path)
        dialog.export()
        return ExportDialog.Accepted

    monkeypatch.setattr(ExportDialog, "exec", export_everything)
    written = export_result(None, live, lambda mode: "signed")
    names = {path.name for path in written}
    assert "spatial_stage-vertical.npy" in names
    assert "depthwise_stage-depthwise.npy" in names
    kept = run_design(image, design)  # every stage kept, as a still is run
    np.testing.assert_array_equal(
        np.load(tmp_path / "depthwise_stage-depthwise.npy"),
        kept.results["depthwise"].stages["depthwise"],
    )
    np.testing.assert_array_equal(
        np.load(tmp_path / "normal_output.npy"), live.results["normal"].output
    )
