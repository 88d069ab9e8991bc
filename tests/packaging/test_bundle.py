"""packaging/build.sh builds a one-folder bundle from a clean venv, and the bundle passes its
own --self-test. Slow (about two minutes), so the default run skips it; .ci/run runs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MB = 600  # about 460 MB today; a stray heavy dependency (torch, WebEngine) would show here
UNUSED_QT = ("libQt6Qml", "libQt6Quick", "libQt6Pdf", "libQt6WebEngine", "libQt6Multimedia")


@pytest.mark.slow
@pytest.mark.timeout(2400)  # above the build's own 1800 s limit; the suite default is 120 s
def test_bundle_builds_and_passes_its_self_test(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHON"] = sys.executable
    done = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh"), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    report = done.stdout + done.stderr
    print(report[-2000:])
    bundled = {p.name for p in (tmp_path / "dist" / "sepconv-gui").rglob("*")}
    for heavy in ("venv", "work", "dist", "src"):  # about 1.5 GB; pytest keeps tmp dirs
        shutil.rmtree(tmp_path / heavy, ignore_errors=True)
    assert done.returncode == 0, report[-4000:]
    assert "sepconv-gui self-test passed" in done.stdout
    size_mb = int(re.search(r"^size: (\d+) MB", done.stdout, re.M)[1])
    assert size_mb < MAX_MB
    assert not [name for name in bundled if name.startswith(UNUSED_QT)]
