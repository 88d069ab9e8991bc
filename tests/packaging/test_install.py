"""`pip install .` into a fresh virtual environment gives a working app with its resources.

The suite itself runs from the work tree, where ``resources/`` is read in place; this is the
one test that sees the installed layout, so a file left out of the wheel fails here and not on
a user's machine. The wheel is built as pip builds it (an isolated build environment with the
setuptools pyproject.toml asks for) but, for speed, installed without dependencies: the fresh
environment borrows the runner's third-party packages through a plain path entry, which does
not run their .pth files, so the runner's editable install of sepconv_gui cannot leak in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from sepconv_gui.ui.shell.identity import ICON_SIZES

ROOT = Path(__file__).resolve().parents[2]
# Builds a wheel and installs it into a fresh venv (pip calls up to 600 s each): more than the
# suite's 120 s default on a slow machine.
pytestmark = pytest.mark.timeout(1800)

PROBE = """
import json, sys
import numpy as np
import sepconv_gui
from sepconv_gui.assets import resources_dir
from sepconv_gui.io.images import load_image
from sepconv_gui.io.samples import bundled_samples, default_sample
from PySide6.QtWidgets import QApplication
from sepconv_gui.ui.shell.identity import app_icon

app = QApplication([])

print(json.dumps({
    "package": sepconv_gui.__file__,
    "resources": str(resources_dir()),
    "default": default_sample().name,
    "icon_sizes": sorted(size.width() for size in app_icon().availableSizes()),
    "samples": {p.name: [list(load_image(p).shape), float(np.ptp(load_image(p)))]
                for p in bundled_samples()},
}))
"""


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_REQUIRE"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel path, fresh venv's python) with sepconv-gui installed from a copy of the tree."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    junk = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name if src.exists() else _mkdir(src) / name)
    for name in ("sepconv_gui", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=junk)

    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(src)])
    (wheel,) = (tmp / "dist").glob("sepconv_gui-*.whl")

    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    run([*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)])
    site = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
        ).stdout.strip()
    )
    borrowed = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "_runner_deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return wheel, python


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_wheel_carries_every_module_and_resource_but_not_the_tools(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sepconv_gui").rglob("*.py")}
    assert modules - names == set(), (
        "modules missing from the wheel: add their packages to pyproject"
    )
    for image in (ROOT / "resources" / "images").glob("*.png"):
        assert f"sepconv_gui/resources/images/{image.name}" in names
    assert "sepconv_gui/resources/images/README.md" in names  # the licences travel with them
    assert "sepconv_gui/resources/lessons.toml" in names  # the Lessons menu's text
    assert not [n for n in names if "/tools/" in n or n.startswith("resources/")]


def test_installed_app_finds_and_loads_its_samples_and_icon(installed):
    _, python = installed
    venv = python.parent.parent
    done = run([str(python), "-c", PROBE], cwd=venv, env=clean_env())
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # The installed copy, not the work tree, is what ran and what was read.
    assert Path(found["package"]).is_relative_to(venv)
    assert Path(found["resources"]) == Path(found["package"]).parent / "resources"
    expected = {p.name for p in (ROOT / "resources" / "images").glob("*.png")}
    assert set(found["samples"]) == expected and len(expected) >= 5
    for name, (shape, contrast) in found["samples"].items():
        assert len(shape) in (2, 3) and contrast > 0.5, name
    assert found["default"] == "coffee.png"
    assert found["icon_sizes"] == sorted(ICON_SIZES)
    assert (venv / "bin" / "sepconv-gui").is_file()


def test_installed_entry_point_passes_its_self_test(installed):
    _, python = installed
    venv = python.parent.parent
    done = run([str(venv / "bin" / "sepconv-gui"), "--self-test"], cwd=venv, env=clean_env())
    assert "self-test passed" in done.stdout
