"""Where the app's bundled files (sample images, icons) are, however it was installed.

The source of truth is the top-level ``resources/`` folder of the repository. A wheel carries
the parts the app reads as the data-only package ``sepconv_gui.resources``
(``pyproject.toml`` maps that package to ``resources/``), and the PyInstaller bundle copies
them to the same place, so an installed app finds them next to this module. A checkout run
straight from the work tree (``PYTHONPATH=.``, or an editable install, which leaves the files
where they are) has no such folder and reads ``resources/`` itself. No import of a data package
is involved: plain paths work the same in all three, and Qt and OpenCV both want file names.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
INSTALLED = _PACKAGE / "resources"
"""Wheel and bundle layout: the data package next to this module."""
CHECKOUT = _PACKAGE.parent / "resources"
"""Work-tree layout: the repository's top-level folder."""


def resources_dir() -> Path:
    """The folder holding ``images/``, ``icons/`` and the rest of the bundled resources.

    The installed copy wins, and the work-tree copy counts only beside a ``pyproject.toml``,
    so an installed app never reads some unrelated ``resources/`` folder in site-packages.
    When neither exists the installed path is returned, and the caller's "file not found"
    names where the files should have been.
    """
    if not INSTALLED.is_dir() and (CHECKOUT.parent / "pyproject.toml").is_file():
        return CHECKOUT
    return INSTALLED


def resource_path(*parts: str) -> Path:
    """A path inside the resources folder, e.g. ``resource_path("images", "coffee.png")``."""
    return resources_dir().joinpath(*parts)
