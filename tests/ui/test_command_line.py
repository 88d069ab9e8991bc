"""The `sepconv-gui` command line, run as a real process.

A separate process because QApplication.exec() can run only once per test process without
leaving Qt/Python thread hand-off in a state later tests trip over, and because this is how
users and the measurement scripts run it.
"""

import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import pytest

from sepconv_gui.__main__ import parse_args
from sepconv_gui.app.state import Design
from tests.io.test_sources import cut_clip


def run_cli(*args, timeout=120, settings=None):
    # A settings folder of its own: the user's (last design, recent files) stay untouched.
    settings = settings if settings is not None else tempfile.mkdtemp(prefix="sepconv-settings-")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(settings))
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
    # A still gives as many timed runs as frames asked for (it used to stop at two).
    done = run_cli(path, "--frames", "3", "--stats-json", stats, settings=tmp_path / "settings")
    assert done.returncode == 0, done.stderr
    data = json.loads(stats.read_text())
    assert data["resolution"] == [28, 36, 3] and data["frames"] == 3


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


# --- the scripted-run corpus: every case ends in time with its code and one line ------------


def fake_png(folder):
    path = folder / "fake.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really" * 10)
    return [path]


def truncated_mp4(folder):
    whole, cut = folder / "whole.mp4", folder / "truncated.mp4"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"mp4v"), 30, (64, 48))
    for value in range(0, 240, 8):
        writer.write(np.full((48, 64, 3), value, np.uint8))
    writer.release()
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])  # MP4 keeps its index at the end: now gone
    return [cut]


def one_pixel(folder):
    path = folder / "dot.png"
    cv2.imwrite(str(path), np.full((1, 1, 3), 128, np.uint8))
    return [path, "--design", design_file(folder, {})]  # the default kernel is 3x3


def design_file(folder, changes):
    path = folder / "design.json"
    path.write_text(json.dumps(json.loads(Design().to_json()) | changes))
    return path


def refused_design(folder):
    return ["--source", "pattern:64x48", "--design", design_file(folder, {"multiplier": 99})]


def unwritable_stats(folder):
    (folder / "a file").write_text("not a folder")
    return ["--source", "pattern:64x48", "--stats-json", folder / "a file" / "stats.json"]


def unwritable_screenshot(folder):
    return ["--source", "pattern:64x48", "--screenshot", folder / "missing" / "shot.png"]


def too_slow(folder):
    return ["--source", "pattern:64x48@4", "--frames", "1000", "--timeout", "1"]


CORPUS = {
    # name: (arguments, exit code, words the reason must contain)
    "fake png": (fake_png, 2, "fake.png"),
    "missing video": (lambda folder: ["--source", "video:missing.mp4"], 2, "missing.mp4"),
    "missing camera": (lambda folder: ["--source", "camera:57"], 2, "no camera 57"),
    "truncated mp4": (truncated_mp4, 2, "truncated.mp4"),
    "1x1 image, 3x3 kernel": (one_pixel, 3, "larger than the image"),
    "refused design": (refused_design, 2, "multiplier"),
    "wrong-typed design field": (
        lambda folder: ["--design", design_file(folder, {"flip": "no"})],
        2,
        "flip",
    ),
    "unwritable stats": (unwritable_stats, 5, "stats.json"),
    "unwritable screenshot": (unwritable_screenshot, 5, "shot.png"),
    "timeout": (too_slow, 4, "timed out"),
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """Every corpus case run at once (each mostly waits), as {name: (code, stderr, stats)}."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    running = {}
    for name, (make, _code, _words) in CORPUS.items():
        folder = tmp_path_factory.mktemp("verdict")
        arguments = [str(a) for a in make(folder)]
        if "--frames" not in arguments:
            arguments += ["--frames", "2", "--timeout", "30"]
        stats = folder / "verdict-stats.json"
        if "--stats-json" not in arguments:
            arguments += ["--stats-json", str(stats)]
        env["XDG_CONFIG_HOME"] = str(folder / "settings")
        command = [sys.executable, "-m", "sepconv_gui", *arguments]
        process = subprocess.Popen(command, env=dict(env), stderr=subprocess.PIPE, text=True)
        running[name] = process, stats
    done = {}
    for name, (process, stats) in running.items():
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        done[name] = process.returncode, stderr, stats.exists()
    return done


@pytest.mark.parametrize("name", CORPUS)
def test_every_scripted_run_ends_with_a_verdict(name, verdicts):
    code, stderr, wrote_stats = verdicts[name]
    reasons = [line for line in stderr.splitlines() if line.startswith("sepconv-gui:")]
    assert code == CORPUS[name][1], stderr
    assert len(reasons) == 1 and CORPUS[name][2] in reasons[0], stderr
    assert not wrote_stats  # a failed run leaves no statistics that look like a result


def test_a_partly_decodable_video_runs_with_a_warning(tmp_path):
    stats = tmp_path / "stats.json"
    video = cut_clip(tmp_path)
    done = run_cli(video, "--frames", "20", "--stats-json", stats, settings=tmp_path / "s")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("sepconv-gui:")]
    assert len(warnings) == 1 and "warning: " in warnings[0] and "of 60" in warnings[0]
    assert json.loads(stats.read_text())["frames"] >= 20


def test_timeout_needs_a_scripted_run():
    with pytest.raises(SystemExit):
        parse_args(["--timeout", "5"])
    with pytest.raises(SystemExit):
        parse_args(["--frames", "2", "--timeout", "0"])
    assert parse_args(["--frames", "2", "--timeout", "2.5"]).timeout == 2.5
