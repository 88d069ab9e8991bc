"""Render the PNG sizes of the application icon from its SVG.

The SVG (``resources/icons/hicolor/scalable/apps/<id>.svg``) is the drawing; the PNGs beside
it, in the freedesktop ``hicolor`` theme layout, are made from it by Qt's own SVG renderer, so
a desktop without SVG support, the window icon and the bundle all show the same picture::

    python3 resources/tools/make_icons.py            # rewrite resources/icons/hicolor/*
    python3 resources/tools/make_icons.py --out DIR  # write the PNGs somewhere else
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing it
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from sepconv_gui.ui.shell.identity import DESKTOP_ID, ICON_SIZES

HICOLOR = ROOT / "resources" / "icons" / "hicolor"
SVG = HICOLOR / "scalable" / "apps" / f"{DESKTOP_ID}.svg"


def render(size: int, svg: Path = SVG) -> QImage:
    """The icon at ``size`` x ``size`` pixels, transparent outside the drawing."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg} as SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_path(hicolor: Path, size: int) -> Path:
    return hicolor / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HICOLOR, help="hicolor folder to write into")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QPainter needs it)
    for size in ICON_SIZES:
        target = png_path(args.out, size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(target), "PNG"):
            raise SystemExit(f"cannot write {target}")
        print(f"{target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
