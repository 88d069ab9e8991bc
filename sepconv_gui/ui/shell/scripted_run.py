"""A scripted run of the real window: N frames, then statistics, a screenshot, and exit.

Used for measurements and documentation screenshots:
``sepconv-gui --source pattern:640x480 --frames 300 --stats-json stats.json``.

A scripted run always ends with a verdict: exit code 0 only when N frames went through every
enabled mode and every requested file was written; otherwise one line on stderr and the code
of :class:`~sepconv_gui.app.preflight.ExitCode`, within ``timeout_s`` (plus a short grace
for shutting down, enforced by a watchdog even if the event loop is stuck).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImageWriter

from ...app.preflight import ExitCode, Refused, one_line
from ...io.files import write_bytes_atomic, write_text_atomic

PROBE_INTERVAL_MS = 10
STILL_WAIT_MS = 5000  # longest wait for a still's second, settled timing
DEFAULT_TIMEOUT_S = 300.0
SHUTDOWN_GRACE_S = 10.0  # after the verdict, the longest the window may take to close


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    array = np.asarray(values) * 1e3
    return {f"p{q}": float(np.percentile(array, q)) for q in (50, 90, 95, 99)} | {
        "max": float(array.max()),
        "mean": float(array.mean()),
    }


def check_screenshot_format(path: str) -> None:
    """Refuse a screenshot name whose ending Qt cannot encode (needs a QGuiApplication)."""
    suffix = Path(path).suffix.lstrip(".").lower()
    formats = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    if suffix not in formats:
        raise Refused(
            f"cannot save a screenshot as {path}: end the name with .png, .jpg or .bmp",
            ExitCode.BAD_INPUT,
        )


def hard_exit(code: int) -> None:
    """End the process now, whatever its threads are doing. The test suite replaces it: a
    watchdog left armed by a test once ended the whole pytest run with status 0, mid-suite."""
    os._exit(code)


class Watchdog:
    """Ends the process with ``code`` if it is still alive ``seconds`` after ``arm``.

    The scripted run's own timer needs a working event loop; this plain Python timer (not a
    Qt thread: it touches nothing of Qt) keeps the time bound when the GUI thread is stuck,
    e.g. in a join of a worker that does not stop.
    """

    def __init__(self, exit_process=None) -> None:
        self._exit = exit_process  # None: hard_exit, looked up when it fires
        self._timer: threading.Timer | None = None

    def arm(self, seconds: float, code: int, message: str) -> None:
        self.cancel()
        self._timer = threading.Timer(seconds, self._fire, (code, message))
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self, code: int, message: str) -> None:
        if message:
            print(f"sepconv-gui: {message}", file=sys.stderr, flush=True)
        (self._exit or hard_exit)(code)


def view_rectangles(window) -> dict[str, list[int]]:
    """Each image view's ``[x, y, width, height]`` in window pixels (as in the screenshot),
    so a test of the screenshot knows where the input and each output are drawn."""
    rectangles = {}
    for name, panel in window.results.panels.items():
        origin = panel.graphics.mapTo(window, panel.graphics.rect().topLeft())
        rectangles[name] = [origin.x(), origin.y(), panel.graphics.width(), panel.graphics.height()]
    return rectangles


class ScriptedRun(QObject):
    """Counts the results ``window`` receives; after ``frames`` of them, reports and closes.

    Create it before the window opens its input, so an error opening it is seen too. The exit
    code is in ``exit_code`` once ``done``; the application's event loop returns it.
    """

    def __init__(
        self,
        window,
        frames: int,
        stats_path: str | None,
        screenshot_path: str | None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        watchdog: Watchdog | None = None,
        quit_app=QCoreApplication.exit,
    ) -> None:
        super().__init__(window)
        self.window, self.frames = window, frames
        self.stats_path, self.screenshot_path = stats_path, screenshot_path
        self.timeout_s = timeout_s
        self.latencies: list[float] = []
        self.probe_delays: list[float] = []
        self.first_at: float | None = None
        self.last_at = 0.0
        self.done = False
        self.exit_code: int | None = None
        self.reason = ""
        controller = window.controller
        # Queued: counted after the window has handled the same result, and in the order the
        # worker sent results and failures.
        controller.result_ready.connect(self._on_result, Qt.QueuedConnection)
        controller.error.connect(self._on_error, Qt.QueuedConnection)
        controller.source_failed.connect(self._on_source_failed, Qt.QueuedConnection)
        controller.source_ended.connect(self._on_source_ended, Qt.QueuedConnection)
        controller.source_notice.connect(self._on_notice, Qt.QueuedConnection)
        # The views may draw fewer results than arrive (MainWindow paces its redraws to what
        # the GUI thread can afford): their rate is reported beside the results' rate.
        self.drawn_at: list[float] = []
        shown = getattr(window, "images_shown", None)
        if shown is not None:
            shown.connect(self._on_drawn)
        self._probe = QTimer(self, interval=PROBE_INTERVAL_MS, timeout=self._on_probe)
        self._probe_due = time.perf_counter() + PROBE_INTERVAL_MS / 1e3
        self._probe.start()
        self._deadline = QTimer(self, singleShot=True, timeout=self._on_timeout)
        self._deadline.start(int(timeout_s * 1000))
        self._still_deadline = QTimer(
            self, singleShot=True, interval=STILL_WAIT_MS, timeout=self._still_settled
        )
        self._watchdog = watchdog or Watchdog()
        self._quit_app = quit_app  # tests pass their own: exit() stops every later event loop
        self._watchdog.arm(
            timeout_s + SHUTDOWN_GRACE_S,
            ExitCode.TIMEOUT,
            f"timed out after {timeout_s:g} s and the window did not respond",
        )

    # --- what happens during the run --------------------------------------------------------
    def _on_probe(self) -> None:
        now = time.perf_counter()
        # How late the event loop served a timer it was asked to fire: GUI responsiveness.
        self.probe_delays.append(max(0.0, now - self._probe_due))
        self._probe_due = now + PROBE_INTERVAL_MS / 1e3

    def _on_drawn(self, _result) -> None:
        if not self.done:
            self.drawn_at.append(time.perf_counter())

    def _on_result(self, result) -> None:
        if self.done:
            return
        controller = self.window.controller
        missing = [m for m in controller.design.modes if m not in result.results]
        if missing:
            self.fail(ExitCode.FAILED, f"frame {result.frame_index} has no {missing[0]} result")
            return
        now = time.perf_counter()
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.latencies.append(now - result.captured_at)
        count = len(self.latencies)
        if controller.is_streaming:
            if count >= self.frames:
                self.finish()
            return
        # A still gives one result, then one more when the window times it again once
        # settled (MainWindow.showEvent): report after that one, or after STILL_WAIT_MS.
        # More frames of a still are more timed runs of it.
        if count >= 2 and count >= self.frames:
            self.finish()
        elif count >= 2:
            controller.remeasure()
        elif not self._still_deadline.isActive():
            self._still_deadline.start()

    def _still_settled(self) -> None:
        if len(self.latencies) >= self.frames:
            self.finish()
        elif not self.done:
            self.window.controller.remeasure()

    def _on_error(self, message: str) -> None:
        self.fail(ExitCode.FAILED, f"processing failed: {message}")

    def _on_source_failed(self, message: str) -> None:
        self.fail(ExitCode.FAILED, f"the source failed: {message}")

    def _on_source_ended(self) -> None:
        self.fail(
            ExitCode.FAILED,
            f"the source ended after {len(self.latencies)} of {self.frames} frames",
        )

    def _on_notice(self, message: str) -> None:
        # Not a failure (the frames still go through), but a script should be able to see it.
        if not self.done:
            print(f"sepconv-gui: warning: {one_line(message)}", file=sys.stderr, flush=True)

    def _on_timeout(self) -> None:
        self.fail(
            ExitCode.TIMEOUT,
            f"timed out after {self.timeout_s:g} s with {len(self.latencies)} of "
            f"{self.frames} frames (a longer --timeout may help)",
        )

    # --- the verdict ------------------------------------------------------------------------
    def stats(self) -> dict:
        frames = len(self.latencies)
        # Rate over the intervals between displayed results (frames - 1 of them).
        elapsed = (self.last_at - self.first_at) if self.first_at else 0.0
        controller = self.window.controller
        last = controller.last_result
        # Draws inside the same span as the results counted (the first result's draw may
        # land just after it arrives: a draw counts from the first result on).
        start = self.first_at or 0.0
        drawn = [t for t in self.drawn_at if start <= t]
        drawn_span = (drawn[-1] - drawn[0]) if len(drawn) > 1 else 0.0
        return {
            "source": controller.source_name,
            "frames": frames,
            "seconds": elapsed,
            # Results processed through every enabled mode, timed and delivered to the
            # window (each is plotted), per second.
            "fps": (frames - 1) / elapsed if elapsed > 0 else 0.0,
            # Of those, the ones the image views drew, per second (over the draws' own span).
            "drawn_frames": len(drawn),
            "drawn_fps": (len(drawn) - 1) / drawn_span if drawn_span > 0 else 0.0,
            "latency_ms": percentiles(self.latencies),
            "event_loop_delay_ms": percentiles(self.probe_delays),
            "modes": list(controller.design.modes),
            "resolution": list(last.image.shape) if last is not None else None,
            "mode_ms": {m: 1e3 * r.total_seconds for m, r in last.results.items()}
            if last is not None
            else {},
            "views": view_rectangles(self.window),
            "qt_platform": QGuiApplication.platformName(),
            # Frames processed side by side (SEPCONV_FRAMES_IN_FLIGHT): part of the setup.
            "frames_in_flight": controller.processing_threads,
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
        }

    def screenshot_png(self) -> bytes:
        self.window.flush_display()  # the last result may still wait for its draw slot
        image = self.window.grab().toImage()
        buffer = QBuffer()
        buffer.open(QIODevice.WriteOnly)
        suffix = Path(self.screenshot_path).suffix.lstrip(".").lower()
        if not image.save(buffer, suffix):
            raise OSError(f"Qt could not encode the window as {suffix}")
        return bytes(buffer.data())

    def finish(self) -> None:
        """N frames arrived: write the requested files, then end with 0 (or 5)."""
        if self.done:
            return
        for path, write in (
            (self.stats_path, lambda p: write_text_atomic(p, json.dumps(self.stats(), indent=2))),
            (self.screenshot_path, lambda p: write_bytes_atomic(p, self.screenshot_png())),
        ):
            if not path:
                continue
            try:
                write(path)
            except OSError as error:
                reason = error.strerror or str(error)
                self.fail(ExitCode.WRITE_FAILED, f"could not write {path}: {reason}")
                return
        self._end(ExitCode.OK, "")

    def fail(self, code: ExitCode, reason: str) -> None:
        if not self.done:
            self._end(code, reason)

    def _end(self, code: ExitCode, reason: str) -> None:
        self.done = True
        self.exit_code, self.reason = int(code), one_line(reason)
        self._probe.stop()
        self._deadline.stop()
        self._still_deadline.stop()
        if self.reason:
            print(f"sepconv-gui: {self.reason}", file=sys.stderr, flush=True)
        # Closing joins worker threads; a verdict must not wait on them forever.
        self._watchdog.arm(SHUTDOWN_GRACE_S, self.exit_code, "")
        self.window.close()
        self._quit_app(self.exit_code)  # the run is over even if other windows are open
