"""View > Engine threads: the engine's thread cap, one checkable entry per choice."""

from __future__ import annotations

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu

from ...app import engine_threads


def add_engine_threads_menu(menu: QMenu, settings) -> QMenu:
    """Add the submenu to ``menu`` and apply the cap saved in ``settings`` (an AppSettings)."""
    submenu = menu.addMenu("Engine &threads")
    submenu.setToolTipsVisible(True)
    submenu.setObjectName("engineThreadsMenu")
    group = QActionGroup(submenu)
    group.setExclusive(True)
    current = engine_threads.apply(settings)
    for count in engine_threads.choices():
        if count:
            label = f"&{count} thread" + ("s" if count > 1 else "")
        else:
            label = f"&Automatic ({engine_threads.automatic_count()})"
        action = submenu.addAction(label)
        action.setCheckable(True)
        action.setChecked(count == current)
        action.setData(count)
        action.setToolTip(
            "Threads one convolution may use. Fewer leave cores to the capture, the display "
            "and other programs; the setting is kept between runs."
        )
        group.addAction(action)
        action.triggered.connect(lambda _=False, n=count: engine_threads.apply(settings, n))
    return submenu
