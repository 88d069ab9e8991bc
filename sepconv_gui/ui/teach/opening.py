"""The first design a newcomer sees, and the small-kernel counter-example one click away.

The opening design must make the point within seconds: a 15 x 15 Gaussian blur on the bundled
photograph, where separable convolution saves most of the arithmetic (225 against 30
multiplications per pixel per channel) and the saving shows in the measured times too. The
3 x 3 Sobel filter is the other half of the lesson: 9 against 6 multiplications save little,
and fixed per-call costs and memory traffic then decide, so separable is often not faster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolBar

from ...app.state import Design
from ...engine import preset_kernel

if TYPE_CHECKING:
    from ..shell.main_window import MainWindow

OPENING_SIZE = 15
OPENING_SIGMA = 2.5  # the kernel spans about +-3 sigma, so no tap is wasted on zeros

WINS_TEXT = (
    "Large kernel: a 15×15 blur costs 225 multiplications per pixel per channel, its two 1-D "
    "passes 30. Separable wins by far — compare the times in the Cost dock."
)
SMALL_TEXT = (
    "Small kernel: 3×3 Sobel saves only 9 → 6 multiplications per channel. Each pass still "
    "reads and writes the whole image and every call has a fixed cost, so separable is often "
    "no faster here — see the Timing dock."
)


def opening_design() -> Design:
    """A 15 x 15 Gaussian blur, C = P = 3: separable measurably cheaper on the first screen."""
    kernel = preset_kernel("gaussian", (OPENING_SIZE, OPENING_SIZE), sigma=OPENING_SIGMA)
    return Design(
        kernel=tuple(tuple(float(v) for v in row) for row in kernel),
        preset="gaussian",
        preset_params={"sigma": OPENING_SIGMA},
    )


def small_kernel_design() -> Design:
    """The 3 x 3 Sobel filter, C = P = 3: where separable saves little and often loses."""
    return Design(
        kernel=tuple(tuple(float(v) for v in row) for row in preset_kernel("sobel_x", (3, 3))),
        preset="sobel_x",
    )


def add_opening_actions(window: MainWindow) -> dict[str, QAction]:
    """A Lessons menu (before Help) and toolbar buttons that switch between the two cases."""
    large = QAction("&Large kernel: separable wins", window)
    large.setStatusTip(WINS_TEXT)
    large.triggered.connect(
        lambda: show_case(window, opening_design(), WINS_TEXT, "Large kernel case")
    )
    small = QAction("&Small kernel: why not always faster?", window)
    small.setStatusTip(SMALL_TEXT)
    small.triggered.connect(
        lambda: show_case(window, small_kernel_design(), SMALL_TEXT, "Small kernel case")
    )
    bar = window.menuBar()
    menu = QMenu("&Lessons", window)
    menu.setObjectName("lessonsMenu")
    menus = [a for a in bar.actions() if a.menu() is not None]
    bar.insertMenu(menus[-1], menu) if menus else bar.addMenu(menu)
    menu.addActions([large, small])
    toolbar = window.findChild(QToolBar, "mainToolbar")
    if toolbar is not None:
        toolbar.addSeparator()
        toolbar.addActions([large, small])
    return {"case_large": large, "case_small": small}


def show_case(window: MainWindow, design: Design, text: str, label: str) -> None:
    """Set up ``design`` everywhere (one undoable step) and say in the status bar what it
    shows."""
    window.apply_design(design, label)
    window.statusBar().showMessage(text, 20000)
