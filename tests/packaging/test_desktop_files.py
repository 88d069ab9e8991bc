"""Desktop integration: the entry and metainfo validate and agree with the code; the icon's
PNG sizes are what the script renders from the SVG, and the window wears them."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication, QImage

import sepconv_gui
from sepconv_gui.app.settings import APPLICATION
from sepconv_gui.io.images import IMAGE_SUFFIXES
from sepconv_gui.ui.shell.identity import DESKTOP_ID, ICON_SIZES, app_icon
from sepconv_gui.ui.shell.main_window import VIDEO_SUFFIXES, MainWindow

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "resources" / "desktop" / f"{DESKTOP_ID}.desktop"
METAINFO = ROOT / "resources" / "desktop" / f"{DESKTOP_ID}.metainfo.xml"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"

# Written out by hand (not from Python's mimetypes, which lacks several): the MIME type a
# file manager gives each suffix the app opens, so "Open with sepconv-gui" offers exactly those.
MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".dib": "image/bmp",
    ".gif": "image/gif",
    ".pbm": "image/x-portable-bitmap",
    ".pgm": "image/x-portable-graymap",
    ".ppm": "image/x-portable-pixmap",
    ".pnm": "image/x-portable-anymap",
    ".pfm": "image/x-portable-floatmap",
    ".hdr": "image/vnd.radiance",
    ".pic": "image/vnd.radiance",
    ".jp2": "image/jp2",
    ".avif": "image/avif",
    ".sr": "image/x-sun-raster",
    ".ras": "image/x-sun-raster",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".wmv": "video/x-ms-wmv",
}


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def validator(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (Debian: desktop-file-utils / appstream)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs it, so CI must have it")
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return path


def test_desktop_entry_passes_desktop_file_validate():
    done = subprocess.run(
        [validator("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    complaints = [ln for ln in done.stdout.splitlines() if "error:" in ln or "warning:" in ln]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


def test_metainfo_passes_appstreamcli_validate():
    # --no-net: the screenshot addresses are not fetched (CI has no general network).
    done = subprocess.run(
        [validator("appstreamcli"), "validate", "--no-net", "--pedantic", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "W:" not in done.stdout and "E:" not in done.stdout, done.stdout


def test_desktop_entry_names_what_the_code_sets():
    entry = desktop_entry()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["gui-scripts"]
    assert entry["Exec"].split()[0] in scripts
    assert entry["Icon"] == DESKTOP_ID
    # X11 window managers match windows to the entry through WM_CLASS, which Qt takes from
    # the application name.
    assert entry["StartupWMClass"] == APPLICATION
    assert entry["Categories"] == "Graphics;Education;Science;"


def test_desktop_entry_offers_exactly_the_types_the_app_opens():
    suffixes = set(IMAGE_SUFFIXES) | set(VIDEO_SUFFIXES)
    unknown = suffixes - MIME.keys()
    assert not unknown, f"give {sorted(unknown)} a MIME type here and in the desktop entry"
    offered = set(filter(None, desktop_entry()["MimeType"].split(";")))
    assert offered == {MIME[s] for s in suffixes}


def test_metainfo_agrees_with_the_entry_the_version_and_the_screenshots():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == DESKTOP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("icon") == DESKTOP_ID
    assert root.find("content_rating").get("type").startswith("oars-")
    newest = root.find("releases/release")
    assert newest.get("version") == sepconv_gui.__version__
    shots = [el.text for el in root.iter("image")]
    assert shots
    for url in shots:  # each address names a screenshot the repository really has
        assert (ROOT / url.split("/main/", 1)[1]).is_file(), url


def load_make_icons():
    spec = importlib.util.spec_from_file_location(
        "make_icons", ROOT / "resources" / "tools" / "make_icons.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    shape = (image.height(), image.width(), 4)
    # A copy: the buffer belongs to the converted QImage, which dies when this returns.
    return np.frombuffer(image.constBits(), np.uint8).reshape(shape).copy()


def test_icon_pngs_are_the_svg_rendered_at_each_size(qapp):
    script = load_make_icons()
    for size in ICON_SIZES:
        stored = QImage(str(script.png_path(HICOLOR, size)))
        assert (stored.width(), stored.height()) == (size, size)
        fresh = pixels(script.render(size)).astype(int)
        # Anti-aliasing may differ by a level or two between Qt versions; a changed drawing
        # moves whole shapes.
        assert np.abs(pixels(stored).astype(int) - fresh).mean() < 1.0, size
        alpha = pixels(stored)[..., 3]
        assert alpha[0, 0] < 128 and alpha[size // 2, size // 2] == 255  # a rounded tile


def test_window_wears_the_icon_and_names_its_desktop_entry(qtbot):
    icon = app_icon()
    assert {s.width() for s in icon.availableSizes()} == set(ICON_SIZES)
    window = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(window)
    assert not window.windowIcon().isNull()
    assert QGuiApplication.desktopFileName() == DESKTOP_ID
