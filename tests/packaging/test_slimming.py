"""What packaging/slimming.py leaves out of the bundle is really unused by the app.

The bundle build takes minutes (test_bundle.py, slow); these checks take seconds and run in the
default suite, so a new import of a left-out module (say `from scipy.signal import ...` in the
engine) fails here, before a bundle that would crash on a teacher's laptop is ever built.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slimming = load("slimming", ROOT / "packaging" / "slimming.py")

# Imports every module of the package the bundle keeps (the analysis collects them all), then
# runs the bundle's own extra checks (launch.py: the FFT path and File > Open model's stack),
# so modules imported lazily while working count too; prints what got loaded.
PROBE = """
import json, pkgutil, importlib, sys
import PySide6.QtWidgets  # before pyqtgraph, as the app does
import sepconv_gui
excluded = set(json.loads(sys.argv[1]))
for info in pkgutil.walk_packages(sepconv_gui.__path__, "sepconv_gui."):
    if info.name not in excluded and not info.name.endswith("__main__"):
        importlib.import_module(info.name)
sys.path.insert(0, sys.argv[2])
import launch
launch.check_fft()
launch.check_models()
print(json.dumps(sorted(sys.modules)))
"""


# Left out although imported: the importer catches the ImportError and does without.
COPES_WITHOUT = {"PySide6.QtTest"}  # pyqtgraph/Qt/__init__.py: try: from PySide6 import QtTest


def excluded_by(name: str, excludes: list[str]) -> bool:
    return any(name == e or name.startswith(e + ".") for e in excludes)


@pytest.fixture(scope="module")
def loaded_by_the_app() -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(slimming.EXCLUDES), str(ROOT / "packaging")],
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_loads_no_module_the_bundle_leaves_out(loaded_by_the_app):
    leaked = [
        m for m in loaded_by_the_app if excluded_by(m, slimming.EXCLUDES) and m not in COPES_WITHOUT
    ]
    assert not leaked, f"the bundle leaves these out but the app loads them: {leaked[:10]}"


def test_the_probe_saw_what_the_bundle_keeps(loaded_by_the_app):
    # Guards the check above against passing because the probe loaded nothing.
    for needed in ("scipy.fft", "onnx", "onnxruntime", "cv2", "pyqtgraph", "PySide6.QtOpenGL"):
        assert needed in loaded_by_the_app


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "libQt6Network.so.6",  # the link PyInstaller puts beside the executable
        "libkrb5.so.3",
    ],
)
def test_dropped_files(dest):
    assert slimming.dropped(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",  # --self-test and scripted runs
        "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",  # screenshots as .jpg
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6OpenGL.so.6",
        "sepconv_gui/resources/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
        "scipy.libs/libscipy_openblas-6cdc3b4a.so",
    ],
)
def test_kept_files(dest):
    assert not slimming.dropped(dest)


def test_slim_filters_a_toc_by_destination():
    toc = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/venv/x/libqxcb.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", "/venv/x/libqvnc.so", "BINARY"),
        ("PySide6\\Qt\\translations\\qt_fr.qm", "/venv/x/qt_fr.qm", "DATA"),
    ]
    assert slimming.slim(toc) == toc[:1]
