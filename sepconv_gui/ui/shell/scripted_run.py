"""A scripted run of the real window: N frames, then statistics, a screenshot, and exit.

Used for measurements and documentation screenshots:
``sepconv-gui --source pattern:640x480 --frames 300 --stats-json stats.json``.
"""

from __future__ import annotations

import json
import os
import platform
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer

from ...io.files import write_text_atomic

PROBE_INTERVAL_MS = 10
STILL_WAIT_MS = 5000  # longest wait for a still's second, settled timing


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    array = np.asarray(values) * 1e3
    return {f"p{q}": float(np.percentile(array, q)) for q in (50, 90, 95, 99)} | {
        "max": float(array.max()),
        "mean": float(array.mean()),
    }


class ScriptedRun(QObject):
    """Counts displayed results of ``window``; after ``frames`` of them, reports and closes."""

    def __init__(
        self,
        window,
        frames: int,
        stats_path: str | None,
        screenshot_path: str | None,
        timeout_s: float = 600.0,
    ) -> None:
        super().__init__(window)
        self.window, self.frames = window, frames
        self.stats_path, self.screenshot_path = stats_path, screenshot_path
        self.latencies: list[float] = []
        self.probe_delays: list[float] = []
        self.first_at: float | None = None
        self.last_at = 0.0
        self.done = False
        # Queued: counted after the window has handled the same result.
        window.controller.result_ready.connect(self._on_result, Qt.QueuedConnection)
        self._probe = QTimer(self, interval=PROBE_INTERVAL_MS, timeout=self._on_probe)
        self._probe_due = time.perf_counter() + PROBE_INTERVAL_MS / 1e3
        self._probe.start()
        QTimer.singleShot(int(timeout_s * 1000), self._finish)
        self._still_deadline = QTimer(
            self, singleShot=True, interval=STILL_WAIT_MS, timeout=self._finish
        )

    def _on_probe(self) -> None:
        now = time.perf_counter()
        # How late the event loop served a timer it was asked to fire: GUI responsiveness.
        self.probe_delays.append(max(0.0, now - self._probe_due))
        self._probe_due = now + PROBE_INTERVAL_MS / 1e3

    def _on_result(self, result) -> None:
        if self.done:
            return
        now = time.perf_counter()
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.latencies.append(now - result.captured_at)
        if len(self.latencies) >= self.frames:
            self._finish()
        elif not self.window.controller.is_streaming:
            # A still gives one result, then one more when the window times it again once
            # settled (MainWindow.showEvent); report that one, or give up waiting after a while.
            if len(self.latencies) >= 2:
                self._finish()
            elif not self._still_deadline.isActive():
                self._still_deadline.start()

    def stats(self) -> dict:
        frames = len(self.latencies)
        # Rate over the intervals between displayed results (frames - 1 of them).
        elapsed = (self.last_at - self.first_at) if self.first_at else 0.0
        controller = self.window.controller
        last = controller.last_result
        return {
            "source": controller.source_name,
            "frames": frames,
            "seconds": elapsed,
            "fps": (frames - 1) / elapsed if elapsed > 0 else 0.0,
            "latency_ms": percentiles(self.latencies),
            "event_loop_delay_ms": percentiles(self.probe_delays),
            "modes": list(controller.design.modes),
            "resolution": list(last.image.shape) if last is not None else None,
            "mode_ms": {m: 1e3 * r.total_seconds for m, r in last.results.items()}
            if last is not None
            else {},
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
        }

    def _finish(self) -> None:
        if self.done:
            return
        self.done = True
        self._probe.stop()
        if self.stats_path:
            write_text_atomic(self.stats_path, json.dumps(self.stats(), indent=2))
        if self.screenshot_path:
            self.window.flush_display()  # the last result may still wait for its draw slot
            self.window.grab().save(self.screenshot_path)
        self.window.close()
        QCoreApplication.quit()  # the run is over even if other windows are open
