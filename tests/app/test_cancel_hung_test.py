"""A test that hangs (a missed signal, a thread that never ends) fails with a stack trace
after the suite's per-test timeout instead of stalling the whole run."""

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_suite_has_a_generous_per_test_timeout_and_ci_installs_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(
        d.startswith("pytest-timeout") for d in project["project"]["optional-dependencies"]["test"]
    )
    assert 60 <= int(project["tool"]["pytest"]["ini_options"]["timeout"]) <= 600


def test_a_hanging_test_is_stopped_and_reported(tmp_path):
    (tmp_path / "test_hangs.py").write_text(
        textwrap.dedent(
            """
            import threading

            def test_waits_for_a_signal_that_never_comes():
                threading.Event().wait()
            """
        )
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 2\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Timeout" in done.stdout and "test_waits_for_a_signal_that_never_comes" in done.stdout
