"""Garbage collection on the GUI thread only.

Python starts an automatic collection in whichever thread happens to allocate at the wrong
moment: the processing thread, the engine's pool, a measuring thread. When that collection
frees a Qt wrapper (a closed dialog, a dropped menu, pyqtgraph's parentless menus), Shiboken
destroys the Qt object in that thread, taking a Qt lock and then waiting for the GIL; if the
GUI thread holds the GIL and wants the same lock, both wait forever. The test suite hit exactly
this (a window's measuring thread collecting while the GUI thread ran an engine call).

So the app turns automatic collection off and collects from a GUI-thread timer instead: the
young generations every tick (cheap), everything now and then. Reference counting, which frees
all the large arrays, is not affected.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

TICK_MS = 250
FULL_EVERY = 120  # ticks: a full collection every 30 s


class GuiThreadCollector(QObject):
    """Owns the timer; created once, on the GUI thread, with the application as parent."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.ticks = 0
        gc.disable()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks % FULL_EVERY == 0:
            gc.collect()
        elif gc.get_count()[0] > 0:
            gc.collect(1)


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """Turn automatic collection off; collect from a timer on ``app``'s (the GUI) thread."""
    return GuiThreadCollector(app)
