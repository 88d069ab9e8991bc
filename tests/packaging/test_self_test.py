"""`sepconv-gui --self-test` passes on a sound install and names what broke otherwise."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.io.patterns import zone_plate
from sepconv_gui.ui.shell.self_test import DESIGN, check_frame

SABOTAGE = """
import sys
import sepconv_gui.engine.reference as reference
real = reference.depthwise
def off_by_a_little(*args, **kwargs):
    maps, out = real(*args, **kwargs)
    return maps, out + 1e-3
reference.depthwise = off_by_a_little
from sepconv_gui.__main__ import main
sys.exit(main(["--self-test"]))
"""


def run(args: list[str], tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_self_test_passes_in_a_fresh_process(tmp_path):
    done = run(["-m", "sepconv_gui", "--self-test"], tmp_path)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith("sepconv-gui self-test passed: 3 frames")
    assert "normal, spatial, depthwise" in line


def test_self_test_fails_with_one_line_naming_the_mode(tmp_path):
    done = run(["-c", SABOTAGE], tmp_path)
    assert done.returncode == 3
    verdicts = [ln for ln in done.stderr.splitlines() if "self-test" in ln]
    assert len(verdicts) == 1 and "depthwise differs from the float64 reference" in verdicts[0]


def test_check_frame_catches_a_missing_mode_and_a_wrong_output():
    image = zone_plate(24, 32)
    result = run_design(image, DESIGN)
    worst, problems = check_frame(result, DESIGN)
    assert problems == [] and worst < 1.0
    result.results["normal"].output[3, 5, 1] += 0.01
    del result.results["spatial"]
    _, problems = check_frame(result, DESIGN)
    assert any("no output from spatial" in p for p in problems)
    assert any("normal differs" in p for p in problems)
    result.results["normal"].output[0, 0, 0] = np.nan
    assert any("normal differs" in p for p in check_frame(result, DESIGN)[1])
