"""A scripted run (measurements, screenshots, CI) reads the user's settings and writes none:
not the window layout, not the recent files, not the last design, nothing beside them."""

import json
import os
import subprocess
import sys

from PySide6.QtCore import QSettings

from sepconv_gui.app import settings as app_settings
from sepconv_gui.app.settings import AppSettings
from sepconv_gui.app.state import Design

ONE_MODE = Design(modes=("spatial",))


def snapshot(folder) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_scripted_run_leaves_the_users_settings_as_they_were(tmp_path):
    config, data = tmp_path / "config", tmp_path / "data"
    user = QSettings(str(config / "sepconv-gui" / "sepconv-gui.conf"), QSettings.IniFormat)
    user.setValue("recentFiles", ["/somewhere/picture.png"])
    user.setValue("lastDesign", ONE_MODE.to_json())
    user.sync()
    before = snapshot(config)
    stats = tmp_path / "stats.json"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(config),
        XDG_DATA_HOME=str(data),
    )
    done = subprocess.run(
        [sys.executable, "-m", "sepconv_gui", "--source", "pattern:48x32", "--frames", "3"]
        + ["--stats-json", str(stats)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # It read them: the last design (one mode) is what ran ...
    assert json.loads(stats.read_text())["modes"] == ["spatial"]
    # ... and wrote nothing: no layout, no design, no new file anywhere.
    assert snapshot(config) == before
    assert not data.exists() or snapshot(data) == {}


def test_the_throwaway_scope_reads_the_users_values_and_keeps_writes_to_itself(
    qtbot, settings_folder, monkeypatch
):
    mine = AppSettings()
    mine.add_recent_file("/tmp/kept.png")
    mine.sync()
    monkeypatch.setattr(app_settings, "_throwaway", None)
    scope = app_settings.use_throwaway_scope()
    scripted = AppSettings()
    assert scripted.recent_files() == [os.path.realpath("/tmp/kept.png")]
    scripted.add_recent_file("/tmp/scripted.png")
    scripted.set_last_design(ONE_MODE)
    scripted.sync()
    assert AppSettings.data_folder().is_relative_to(scope)
    monkeypatch.setattr(app_settings, "_throwaway", None)
    again = AppSettings()
    assert again.recent_files() == [os.path.realpath("/tmp/kept.png")]
    assert again.last_design() is None
