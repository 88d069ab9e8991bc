"""``sepconv-gui --self-test``: does this installation really work?

It opens the real main window offscreen, streams a few frames of the moving test pattern
through the real pipeline (capture thread, processing thread, controller, views) with all three
modes on, and checks every output against the slow float64 reference of the engine. A bundle
missing a Qt plugin, a native library or its resources fails here with one line saying what,
instead of on a user's desktop. Settings go to a throwaway folder, so a self-test neither reads
the user's last design nor writes over it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import numpy as np

from ...app.pipeline import FrameResult
from ...app.state import Design
from ...engine import reference

FRAMES = 3
SOURCE = "pattern:96x64@60"
TIMEOUT_S = 60.0

# Every mode, and a design where they differ: two turned copies of Sobel x per channel,
# random pointwise weights mixing 6 maps into 4 outputs, rank-1 spatial factors.
DESIGN = Design(multiplier=2, out_channels=4, pointwise="random", pointwise_seed=12)


def tolerance(image: np.ndarray, weights_abs_sum: float) -> float:
    """float32 accumulates ~1e-7 relative error per operation; scaled like the engine tests."""
    return 1e-5 * float(np.abs(image).max()) * max(1.0, weights_abs_sum)


def expected_outputs(image: np.ndarray, design: Design) -> dict[str, tuple[np.ndarray, float]]:
    """Mode to (float64 reference output, allowed error) for the prepared input ``image``."""
    options = {"border": design.border, "flip": design.flip}
    channels = image.shape[2]
    weights = design.normal_weights(channels)
    column, row = design.spatial_factors()
    kernels = design.depthwise_kernels(channels)
    pointwise = design.pointwise_weights(channels)
    spatial_sum = float(
        np.abs(sum(np.outer(c, r) for c, r in zip(np.atleast_2d(column), np.atleast_2d(row)))).sum()
    )
    depthwise_sum = float(np.abs(kernels).sum(axis=(1, 2)).max() * np.abs(pointwise).sum(1).max())
    return {
        "normal": (
            reference.normal(image, weights, **options),
            tolerance(image, float(np.abs(weights).sum(axis=(1, 2, 3)).max())),
        ),
        "spatial": (
            reference.spatial(image, column, row, **options),
            tolerance(image, spatial_sum),
        ),
        "depthwise": (
            reference.depthwise(image, kernels, pointwise, **options)[1],
            tolerance(image, depthwise_sum),
        ),
    }


def check_frame(result: FrameResult, design: Design) -> tuple[float, list[str]]:
    """(largest error relative to its allowance, problems) for one processed frame."""
    problems = []
    worst = 0.0
    missing = [mode for mode in design.modes if mode not in result.results]
    if missing:
        problems.append(f"frame {result.frame_index}: no output from {', '.join(missing)}")
    for mode, (expected, allowed) in expected_outputs(result.image, design).items():
        if mode not in result.results:
            continue
        output = result.results[mode].output
        if output.shape != expected.shape:
            problems.append(
                f"frame {result.frame_index}: {mode} output is {output.shape}, "
                f"expected {expected.shape}"
            )
            continue
        error = float(np.max(np.abs(output.astype(np.float64) - expected)))
        worst = max(worst, error / allowed)
        if not error <= allowed:  # also catches NaN
            problems.append(
                f"frame {result.frame_index}: {mode} differs from the float64 reference by "
                f"{error:.3g} (allowed {allowed:.3g})"
            )
    return worst, problems


def run(frames: int = FRAMES, timeout_s: float = TIMEOUT_S) -> int:
    """Run the self-test, print one line, and return the process exit code (0 = passed)."""
    from ...app.preflight import ExitCode

    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: no display needed
    with tempfile.TemporaryDirectory(prefix="sepconv-self-test-") as settings_dir:
        try:
            problems, summary = _run_window(frames, timeout_s, settings_dir)
        except Exception as error:  # noqa: BLE001 - the verdict is one line, not a traceback
            problems, summary = [f"{type(error).__name__}: {' '.join(str(error).split())}"], ""
    if problems:
        print(f"sepconv-gui self-test FAILED: {problems[0]}", file=sys.stderr, flush=True)
        return int(ExitCode.FAILED)
    print(f"sepconv-gui self-test passed: {summary}", flush=True)
    return int(ExitCode.OK)


def _run_window(frames: int, timeout_s: float, settings_dir: str) -> tuple[list[str], str]:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from ...app.settings import configure
    from ...app.source_specs import SourceSpec
    from ...io.images import load_image
    from ...io.samples import default_sample
    from .main_window import MainWindow

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    configure()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    problems: list[str] = []
    if np.ptp(load_image(default_sample())) <= 0:  # the bundled resources made it in
        problems.append("the default sample image is blank")
    window = MainWindow(design=DESIGN, open_default=False)
    if window.windowIcon().isNull():
        problems.append("the application icon is missing")
    collected: dict[int, FrameResult] = {}

    def on_result(result: FrameResult) -> None:
        collected.setdefault(result.frame_index, result)
        if len(collected) >= frames:
            app.quit()

    def on_error(message: str) -> None:
        problems.append(f"the pipeline reported: {message}")
        app.quit()

    window.controller.result_ready.connect(on_result)
    window.controller.error.connect(on_error)
    window.controller.source_failed.connect(on_error)
    watchdog = QTimer(singleShot=True, interval=int(timeout_s * 1000))
    watchdog.timeout.connect(app.quit)
    started = time.perf_counter()
    window.show()
    if window.start_source(SourceSpec.parse(SOURCE)):
        watchdog.start()
        app.exec()
    else:
        problems.append(f"could not start the source {SOURCE}")
    watchdog.stop()
    elapsed = time.perf_counter() - started
    window.close()
    if not problems and len(collected) < frames:
        problems.append(f"{len(collected)} of {frames} frames arrived within {timeout_s:g} s")
    worst = 0.0
    for result in list(collected.values())[:frames]:
        frame_worst, frame_problems = check_frame(result, window.controller.design)
        worst = max(worst, frame_worst)
        problems.extend(frame_problems)
    summary = (
        f"{frames} frames of {SOURCE} through {', '.join(DESIGN.modes)} in {elapsed:.1f} s; "
        f"largest difference from the float64 reference {worst:.2g} of the allowed error"
    )
    return problems, summary
