"""Who the app is to the desktop: its icon and the desktop entry it belongs to.

The names here and in ``resources/desktop/`` must agree, and
``tests/packaging/test_desktop_files.py`` checks that they do. The desktop file is
``<DESKTOP_ID>.desktop``; Wayland compositors match windows to it through
:meth:`QGuiApplication.setDesktopFileName`, X11 ones through ``StartupWMClass``, which Qt
fills from the application name (``app.settings.APPLICATION``, set by ``configure()``).
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QWidget

from ...assets import resource_path

DESKTOP_ID = "io.github.sepconv_gui.sepconv_gui"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The application icon from its pre-rendered PNG sizes (no SVG plugin needed).

    Empty (``isNull()``) when the PNGs are missing, which only a broken install does; the app
    still runs, with the platform's default icon.
    """
    icon = QIcon()
    hicolor = resource_path("icons", "hicolor")
    for size in ICON_SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png"
        if png.is_file():
            icon.addFile(str(png))
    return icon


def apply_identity(window: QWidget) -> None:
    """Give the application and ``window`` the icon, and name the desktop entry."""
    QGuiApplication.setDesktopFileName(DESKTOP_ID)
    icon = app_icon()
    QGuiApplication.setWindowIcon(icon)
    window.setWindowIcon(icon)
