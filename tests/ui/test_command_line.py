"""The `sepconv-gui` command line, run as a real process.

A separate process because QApplication.exec() can run only once per test process without
leaving Qt/Python thread hand-off in a state later tests trip over, and because this is how
users and the measurement scripts run it.
"""

import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from sepconv_gui.__main__ import parse_args


def run_cli(*args, timeout=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "sepconv_gui", *map(str, args)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_scripted_run_writes_stats_and_screenshot(tmp_path):
    stats, shot = tmp_path / "stats.json", tmp_path / "shot.png"
    done = run_cli(
        "--source", "pattern:96x64", "--frames", "5", "--stats-json", stats, "--screenshot", shot
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(stats.read_text())
    assert data["frames"] >= 5 and data["fps"] > 0
    assert data["latency_ms"]["p95"] >= data["latency_ms"]["p50"] > 0
    assert data["resolution"] == [64, 96, 3]
    assert cv2.imread(str(shot)).shape[0] > 100


def test_a_path_opens_that_image(tmp_path):
    path = tmp_path / "from the command line.png"
    cv2.imwrite(str(path), np.full((28, 36, 3), 90, np.uint8))
    stats = tmp_path / "stats.json"
    done = run_cli(path, "--stats-json", stats)
    assert done.returncode == 0, done.stderr
    assert json.loads(stats.read_text())["resolution"] == [28, 36, 3]


def test_bad_arguments_exit_with_a_message(tmp_path):
    done = run_cli("--source", "telescope:1")
    assert done.returncode == 2 and "telescope" in done.stderr
    done = run_cli("--source", "pattern:640x480@0")
    assert done.returncode == 2 and "frame rate" in done.stderr
    done = run_cli("--source", "camera:front")
    assert done.returncode == 2 and "device number" in done.stderr
    latin = tmp_path / "latin.json"
    latin.write_bytes(b"\xff\xfe{not utf-8")
    done = run_cli("--design", latin)
    assert done.returncode == 2 and "latin.json" in done.stderr
    broken = tmp_path / "design.json"
    broken.write_text("{not json")
    done = run_cli("--design", broken)
    assert done.returncode == 2 and "design" in done.stderr.lower()


@pytest.mark.parametrize(
    "argv, frames", [(["--stats-json", "s.json"], 1), (["--frames", "7"], 7), ([], None)]
)
def test_stats_or_screenshot_imply_one_frame(argv, frames):
    assert parse_args(argv).frames == frames
