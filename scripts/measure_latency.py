"""Edit → refreshed views on a 1-megapixel still, in the real window (offscreen).

For each design, the script makes a series of edits and measures, per edit, the time from
the edit to the views showing a result of the new design (the first pass), and to the
timing medians arriving (the refined result). It also times the old way — every mode run
four times (a warm-up and three timed repeats) before anything was shown — for comparison.

    QT_QPA_PLATFORM=offscreen python scripts/measure_latency.py [--edits 15]

Timings are wall-clock on whatever machine this runs on; quote medians, and say if the
machine was busy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never read or write the user's saved settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="sepconv-latency-")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from sepconv_gui.app.pipeline import run_design  # noqa: E402
from sepconv_gui.app.processing import Processor  # noqa: E402
from sepconv_gui.app.state import Design  # noqa: E402

DESIGNS = {
    "default (Sobel 3×3, P=3)": (Design(), [{"flip": True}, {"flip": False}]),
    "5×5 Gaussian, P=8, random pointwise": (
        Design(
            kernel=tuple(
                tuple(float(v) for v in row)
                for row in np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0
            ),
            preset="custom",
            out_channels=8,
            pointwise="random",
        ),
        [{"flip": True}, {"flip": False}],
    ),
}
POINTWISE_EDITS = [{"pointwise_seed": s} for s in (1, 2)]


def still() -> np.ndarray:
    rng = np.random.default_rng(20261128)
    return rng.random((1000, 1000, 3)).astype(np.float32)  # 1.0 megapixel


def measure(app, window, changes: list[dict], edits: int) -> tuple[list[float], list[float]]:
    """Seconds from edit to the first shown result, and to the refined (final) one."""
    shown, final = [], []
    controller = window.controller
    for index in range(edits):
        start = time.perf_counter()
        window.edit_design(changes[index % len(changes)])
        generation = controller.generation
        first = None
        while True:
            app.processEvents()
            result = window.shown_result
            if result is not None and result.generation == generation:
                if first is None:
                    first = time.perf_counter() - start
                if result.final:
                    break
            time.sleep(0.0005)
        shown.append(first)
        final.append(time.perf_counter() - start)
    return shown, final


def ms(values: list[float]) -> str:
    return f"median {1e3 * statistics.median(values):7.1f} ms  (min {1e3 * min(values):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    from sepconv_gui.ui.shell.main_window import MainWindow

    image = still()
    load = os.getloadavg()[0]
    print(
        f"1000×1000×3 still, {args.edits} edits per row; load average {load:.2f} "
        f"on {os.cpu_count()} cores" + (" — BUSY machine, numbers are noisy" if load > 0.5 else "")
    )
    for name, (design, changes) in DESIGNS.items():
        window = MainWindow(design=design, open_default=False)
        window.controller.set_full_resolution(True)
        window.resize(1400, 820)
        window.show()
        window.controller.show_image(image, "1 MP")
        measure(app, window, changes, 2)  # settle: first sizes, caches, plans
        print(f"\n{name}")
        first, final = measure(app, window, changes, args.edits)
        print(f"  edit touching all modes   → views refreshed: {ms(first)}; medians: {ms(final)}")
        if design.pointwise != "identity":
            first, final = measure(app, window, POINTWISE_EDITS, args.edits)
            print(
                f"  pointwise-only edit       → views refreshed: {ms(first)}; medians: {ms(final)}"
            )
        processor, compute = Processor(), []
        for index in range(max(3, args.edits // 3)):
            edited = design.with_changes(**changes[index % len(changes)])
            begin = time.perf_counter()
            # As the window's first pass with the Stages dock hidden: no intermediate stages.
            processor.first_pass(image, edited, generation=index, keep_stages=False)
            compute.append(time.perf_counter() - begin)
        print(f"  of which the first pass (compute only, all modes): {ms(compute)}")
        old = []
        for index in range(max(3, args.edits // 3)):
            edited = design.with_changes(**changes[index % len(changes)])
            begin = time.perf_counter()
            run_design(image, edited, repeats=3)
            old.append(time.perf_counter() - begin)
        print(f"  before (warm-up + 3 repeats of every mode, compute only): {ms(old)}")
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
