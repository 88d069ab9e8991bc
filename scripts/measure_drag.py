"""Drag a Gaussian's sigma slider across a 1000×1000 still and print what the user would feel.

Prints the GUI thread's time per slider step (median, p95) and how many results were drawn
during the drag. Offscreen, no display needed:

    QT_QPA_PLATFORM=offscreen python scripts/measure_drag.py

A measurement, not a test: the numbers depend on the machine and its load.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from sepconv_gui.ui.shell.main_window import MainWindow


def pump(app, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()


def main() -> None:
    folder = tempfile.mkdtemp()
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, folder)  # leave the user's settings alone
    app = QApplication([])
    still = (np.random.default_rng(1).random((1000, 1000, 3)) * 255).astype(np.uint8)
    cv2.imwrite(f"{folder}/still.png", still)
    window = MainWindow(open_default=False)
    window.resize(1280, 720)
    window.show()
    window.open_path(f"{folder}/still.png")
    editor = window.kernel_editor
    editor.preset.setCurrentIndex(editor.preset.findData("gaussian"))
    pump(app, 3)
    drawn = []
    window.controller.result_ready.connect(lambda _r: drawn.append(time.monotonic()))
    slider = editor.param_controls["sigma"].slider
    steps = []
    slider.setSliderDown(True)
    start = time.monotonic()
    for position in range(5, 60):  # sigma 0.6 to 6.0, a step every 16 ms as a mouse makes
        began = time.monotonic()
        slider.setValue(position)
        steps.append(1e3 * (time.monotonic() - began))
        pump(app, 0.016)
    slider.setSliderDown(False)
    seconds = time.monotonic() - start
    during = sum(t <= start + seconds for t in drawn)
    pump(app, 3)
    print(
        f"GUI time per slider step: median {np.median(steps):.1f} ms, "
        f"p95 {np.percentile(steps, 95):.1f} ms"
    )
    print(
        f"results during the {seconds:.2f} s drag: {during}; sigma at the end: "
        f"{window.controller.design.preset_params['sigma']}"
    )
    window.close()


if __name__ == "__main__":
    main()
