"""Screenshot of the real window with one bottom dock in front (Roofline, Pays off?, ...).

Usage: python scripts/dock_screenshot.py DOCK OUT.png [WIDTHxHEIGHT]
DOCK is a dock attribute prefix of the main window: roofline, payoff, timing, cost.
For "payoff" both preset sweeps (k and image size) run first (about a minute).
The machine's peaks are measured into a temporary cache, never the user's.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SEPCONV_CACHE_DIR", tempfile.mkdtemp(prefix="sepconv-cache-"))

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def spin(app_ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(app_ms, loop.quit)
    loop.exec()


def main() -> int:
    dock, out = sys.argv[1], sys.argv[2]
    width, height = map(int, (sys.argv[3] if len(sys.argv) > 3 else "1280x720").split("x"))
    app = QApplication(sys.argv[:1])
    settings = tempfile.mkdtemp(prefix="sepconv-settings-")
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, settings)
    from sepconv_gui.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.resize(width, height)
    window.show()
    spin(1500)
    getattr(window, f"{dock}_dock").raise_()
    if dock == "payoff":
        for variable in ("k", "size"):
            window.payoff_panel.run(variable)
            while window.benchmark_panel.running:
                spin(200)
    if dock in ("roofline", "timing"):
        window.roofline_service.ensure_peaks()
        for _ in range(100):
            spin(200)
            if window.roofline_service.peaks is not None and window.roofline_panel.analysis:
                break
    spin(1000)
    window.flush_display()
    window.grab().save(out)
    window.close()
    spin(300)
    app.quit()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
