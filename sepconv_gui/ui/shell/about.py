"""Help > About: what the app is, which version, and the library versions a bug report needs."""

from __future__ import annotations

import platform

import cv2
import numpy as np
import pyqtgraph
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from ... import __version__


def about_html() -> str:
    """The About text; the version comes from ``sepconv_gui.__version__``, its one home."""
    versions = (
        f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__} · "
        f"pyqtgraph {pyqtgraph.__version__} · NumPy {np.__version__} · OpenCV {cv2.__version__}"
    )
    return (
        f"<h3>sepconv-gui {__version__}</h3>"
        "<p>Normal, spatial-separable and depthwise-separable convolution side by side: what "
        "each one computes, how many multiplications it needs, and how long it really takes "
        "on this computer.</p>"
        "<p>MIT licence. Sample images: see <i>resources/images/README.md</i> "
        "(CC0 photographs, generated charts).</p>"
        f"<p><small>{versions}</small></p>"
        "<p><small>Check this installation: <tt>sepconv-gui --self-test</tt></small></p>"
    )


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About sepconv-gui", about_html())
