"""What the desktop bundle leaves out, and why. Plain data and one filter, no PyInstaller:
packaging/sepconv-gui.spec uses it, and tests/packaging/test_slimming.py checks it against
what the app really imports. README.md ("A self-contained folder") has the sizes.

Two kinds of leaving out:
* modules (EXCLUDES): the analysis never follows them, so neither their Python code nor the
  native libraries only they need reach the bundle;
* files (dropped): Qt plugins and translations that the PySide6 hook collects wholesale
  whatever the app imports, and the libraries only those plugins needed.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import PurePosixPath

# Qt modules the app never imports (pyqtgraph tries QtTest and copes without it). QtSvg stays
# (SVG export of the benchmark plots), and so do QtOpenGL and QtOpenGLWidgets: pyqtgraph's
# PlotCurveItem imports QtOpenGL through importlib, which the analysis cannot see (the spec
# lists them as hidden imports).
QT_UNUSED = [
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner",
    "QtGraphs", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets",
    "QtNetwork", "QtNetworkAuth", "QtNfc", "QtPdf",
    "QtPdfWidgets", "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D",
    "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml",
    "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine",
    "QtSvgWidgets", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel",
    "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtXml",
]  # fmt: skip

# The app needs scipy.fft only (engine/fft_path.py); scipy.fft imports scipy.special (fftlog),
# which keeps scipy's own OpenBLAS. Everything below came in through bench/fit_auto.py's
# scipy.optimize (which pulls linalg, sparse, spatial, ...) and bench/peers.py's lazy
# scipy.ndimage: developer tools run from a checkout (`python -m sepconv_gui.bench...`), never
# from the bundle, whose only entry point is the GUI. About 35 MB.
SCIPY_UNUSED = [
    "cluster", "constants", "datasets", "differentiate", "integrate", "interpolate", "io",
    "linalg", "misc", "ndimage", "odr", "optimize", "signal", "sparse", "spatial", "stats",
]  # fmt: skip

EXCLUDES = (
    [f"PySide6.{name}" for name in QT_UNUSED]
    + [f"scipy.{name}" for name in SCIPY_UNUSED]
    + [
        # The refit tool of normal_conv's cost model; it needs scipy.optimize.
        "sepconv_gui.bench.fit_auto",
        # Optional imports of dependencies that the app does not need at run time.
        "tkinter", "matplotlib", "IPython", "pytest", "hypothesis", "PyQt5", "PyQt6",
        "PySide2", "OpenGL", "pyqtgraph.opengl", "pyqtgraph.examples", "cupy", "numba",
        "torch",
    ]
)  # fmt: skip

QT = "PySide6/Qt"
# Kept Qt platform plugins: xcb (X11), wayland, offscreen (--self-test, scripted runs) and
# minimal (a headless fallback, 0.1 MB). The others drive a screen without a desktop (eglfs,
# linuxfb, vkkhrdisplay) or serve the window over the network (vnc).
DROPPED_PATTERNS = [
    # Qt's own translations: the app installs no QTranslator, so Qt never loads them. 7 MB.
    f"{QT}/translations/*",
    f"{QT}/plugins/platforms/libqeglfs.so",
    f"{QT}/plugins/platforms/libqlinuxfb.so",
    f"{QT}/plugins/platforms/libqminimalegl.so",
    f"{QT}/plugins/platforms/libqvkkhrdisplay.so",
    f"{QT}/plugins/platforms/libqvnc.so",
    # eglfs's board adaptations, and evdev/tslib/TUIO input read by the dropped platforms
    # (a desktop session delivers input through xcb or wayland).
    f"{QT}/plugins/egldeviceintegrations/*",
    f"{QT}/plugins/generic/*",
]
# Libraries that only dropped plugins load (readelf -d: NEEDED), wherever they are collected:
# PyInstaller puts a link to each Qt library beside the executable too. QtNetwork is needed by
# vnc and TUIO only, and the Kerberos libraries by QtNetwork only.
DROPPED_LIBRARIES = [
    "libQt6EglFSDeviceIntegration.so.6",
    "libQt6EglFsKmsSupport.so.6",
    "libQt6Network.so.6",
    "libgssapi_krb5.so.2",
    "libkrb5.so.3",
    "libk5crypto.so.3",
    "libkrb5support.so.0",
    "libcom_err.so.2",
    "libkeyutils.so.1",
]


def dropped(dest: str) -> bool:
    """Whether the bundle leaves out the file it would put at ``dest`` (relative to the
    bundle's _internal folder, as PyInstaller's TOC names it)."""
    path = PurePosixPath(dest.replace("\\", "/"))
    return path.name in DROPPED_LIBRARIES or any(
        fnmatch(str(path), pattern) for pattern in DROPPED_PATTERNS
    )


def slim(toc: list) -> list:
    """``toc`` (PyInstaller's (dest, source, kind) entries) without the dropped files."""
    return [entry for entry in toc if not dropped(entry[0])]
