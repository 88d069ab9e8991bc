"""End to end on a real X server: the installed `sepconv-gui`, as its own process, on Qt's xcb
platform under Xvfb, streams the test pattern through all three modes and shows them.

Skips (saying why) where Xvfb is missing; on CI (CI set) it fails instead, since .ci/run
installs Xvfb and the X libraries Qt's xcb plugin needs.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sepconv_gui.app.state import Design
from sepconv_gui.io.images import load_image

FRAMES = 30
SCREEN = "1600x1000x24"


def need(tool: str | None, what: str) -> None:
    if tool is None:
        reason = f"{what} is not installed (Debian: see the packages in .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs it, so CI must have it")
        print(f"SKIP: {reason}")
        pytest.skip(reason)


@pytest.fixture
def x_display(tmp_path):
    """A private Xvfb server; yields its DISPLAY and stops it afterwards."""
    xvfb = shutil.which("Xvfb")
    need(xvfb, "Xvfb")
    read_end, write_end = os.pipe()
    log = open(tmp_path / "xvfb.log", "wb")
    # -displayfd: the server picks a free display number and writes it to the pipe when ready.
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 30)
        number = os.read(read_end, 64).decode().strip() if ready else ""
        assert number.isdigit(), f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text()}"
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=30)
        log.close()


def installed_command() -> list[str]:
    script = Path(sys.executable).parent / "sepconv-gui"
    need(str(script) if script.is_file() else None, "the sepconv-gui entry point (pip install)")
    return [str(script)]


def test_installed_app_streams_all_three_modes_in_a_real_window(x_display, tmp_path):
    env = dict(os.environ)
    env.update(
        DISPLAY=x_display,
        QT_QPA_PLATFORM="xcb",  # the suite sets offscreen for itself; this run is the real one
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # never the user's settings
        XDG_RUNTIME_DIR=str(tmp_path),
    )
    shot, stats_path = tmp_path / "shot.png", tmp_path / "stats.json"
    # Sobel x rather than the opening blur: edges keep the fine rings' local contrast.
    design = tmp_path / "sobel.json"
    design.write_text(Design().to_json(), encoding="utf-8")
    done = subprocess.run(
        [
            *installed_command(),
            "--source",
            "pattern:640x480@120",
            "--frames",
            str(FRAMES),
            "--screenshot",
            str(shot),
            "--stats-json",
            str(stats_path),
            "--timeout",
            "240",
            "--design",
            str(design),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    stats = json.loads(stats_path.read_text())
    assert stats["qt_platform"] == "xcb"
    assert stats["frames"] == FRAMES
    assert stats["resolution"] == [480, 640, 3]
    assert set(stats["modes"]) == {"normal", "spatial", "depthwise"}
    assert set(stats["mode_ms"]) == {"normal", "spatial", "depthwise"}
    assert all(ms > 0 for ms in stats["mode_ms"].values())

    image = load_image(shot)  # float RGB in [0, 1]
    height, width = image.shape[:2]
    assert width >= 800 and height >= 600, "the screenshot is not the whole window"
    assert image.std() > 0.1, "blank screenshot"
    assert set(stats["views"]) == {"input", "normal", "spatial", "depthwise"}
    crops = {}
    for name, (x, y, w, h) in stats["views"].items():
        assert w >= 200 and h >= 150 and x + w <= width and y + h <= height, name
        crop = image[y : y + h, x : x + w]
        # The test pattern fills much of each view with fine rings: many distinct values,
        # strong local contrast. An empty view is one flat background colour.
        grey = crop.mean(axis=2)
        assert np.abs(np.diff(grey, axis=1)).mean() > 0.02, f"{name} view looks empty"
        assert len(np.unique(np.round(grey, 2))) > 50, f"{name} view looks empty"
        crops[name] = grey
    # The design is Sobel x: every output differs from the input it was made from.
    for mode in ("normal", "spatial", "depthwise"):
        same_size = tuple(min(a, b) for a, b in zip(crops["input"].shape, crops[mode].shape))
        a = crops["input"][: same_size[0], : same_size[1]]
        b = crops[mode][: same_size[0], : same_size[1]]
        assert np.abs(a - b).mean() > 0.02, f"{mode} view shows the input unchanged"
