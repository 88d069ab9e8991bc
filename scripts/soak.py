#!/usr/bin/env python3
"""Soak run: many frames of the test pattern through the real controller and its threads,
reporting how resident memory (RSS) and the thread count grow per 1,000 frames.

Not a test (it takes minutes and its numbers depend on the machine); run it after changing the
pipeline, the controller or the sources, and look for growth that does not level off:

    python scripts/soak.py --frames 5000 --size 320x240 --design-every 250 --json soak.json

No window and no display: the controller runs under a QCoreApplication, as the window would
drive it. ``--design-every K`` switches between two designs every K frames, so the path that
drops results made for an old design is soaked too. Linux only (reads /proc/self/status).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from PySide6.QtCore import QCoreApplication, QTimer  # noqa: E402

from sepconv_gui.app.controller import Controller  # noqa: E402
from sepconv_gui.app.state import Design  # noqa: E402
from sepconv_gui.io.sources import PatternSource  # noqa: E402


def process_status() -> dict[str, int]:
    """Resident memory in bytes and OS threads (Qt's and OpenCV's included) of this process."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "Threads"):
            number = int(rest.split()[0])
            values[key] = number * 1024 if key == "VmRSS" else number
    return {"rss": values["VmRSS"], "threads": values["Threads"]}


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares growth of ys per unit of xs (0 for fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0


def soak(frames: int, size: tuple[int, int], every: int, design_every: int, timeout: float):
    app = QCoreApplication.instance() or QCoreApplication([])
    designs = [Design(), Design().with_changes(multiplier=2, out_channels=6)]
    controller = Controller(designs[0])
    samples = [{"frames": 0, "seconds": 0.0, **process_status()}]
    start = time.perf_counter()
    count = 0

    def on_result(_result) -> None:
        nonlocal count
        count += 1
        if count % every == 0 or count == frames:
            sample = {"frames": count, "seconds": time.perf_counter() - start}
            samples.append(sample | process_status())
            print(
                f"{count:>8} frames  {sample['seconds']:7.1f} s  "
                f"RSS {samples[-1]['rss'] / 2**20:7.1f} MB  threads {samples[-1]['threads']}",
                flush=True,
            )
        if design_every and count % design_every == 0:
            controller.set_design(designs[(count // design_every) % 2])
        if count >= frames:
            app.quit()

    controller.result_ready.connect(on_result)
    controller.start_source(PatternSource(*size, fps=1000.0))
    QTimer.singleShot(int(timeout * 1000), app.quit)
    app.exec()
    stopped = controller.shutdown()
    # Growth after the first sample: the first thousand frames fill caches, pools and plans.
    settled = samples[1:] if len(samples) > 2 else samples
    kilo = [s["frames"] / 1000 for s in settled]
    return {
        "frames": count,
        "seconds": time.perf_counter() - start,
        "size": list(size),
        "design_every": design_every,
        "rss_start_mb": samples[0]["rss"] / 2**20,
        "rss_end_mb": samples[-1]["rss"] / 2**20,
        "rss_growth_mb_per_1000_frames": slope(kilo, [s["rss"] / 2**20 for s in settled]),
        "threads_start": samples[0]["threads"],
        "threads_end": samples[-1]["threads"],
        "threads_max": max(s["threads"] for s in samples),
        "thread_growth_per_1000_frames": slope(kilo, [s["threads"] for s in settled]),
        "threads_joined_at_shutdown": stopped,
        "samples": samples,
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--size", default="320x240", help="pattern size, WIDTHxHEIGHT")
    parser.add_argument("--every", type=int, default=1000, help="sample every N frames")
    parser.add_argument("--design-every", type=int, default=0, metavar="K")
    parser.add_argument("--timeout", type=float, default=3600.0, metavar="SECONDS")
    parser.add_argument("--json", metavar="PATH", help="also write the report here")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.lower().split("x"))
    report = soak(args.frames, (width, height), args.every, args.design_every, args.timeout)
    print(
        f"{report['frames']} frames in {report['seconds']:.0f} s: RSS "
        f"{report['rss_start_mb']:.0f} -> {report['rss_end_mb']:.0f} MB, growth "
        f"{report['rss_growth_mb_per_1000_frames']:+.2f} MB per 1,000 frames after the first "
        f"sample; threads {report['threads_start']} -> {report['threads_end']} (max "
        f"{report['threads_max']}), {report['thread_growth_per_1000_frames']:+.2f} per 1,000 "
        f"frames; threads joined at shutdown: {report['threads_joined_at_shutdown']}"
    )
    if args.json:
        from sepconv_gui.io.files import write_text_atomic

        write_text_atomic(args.json, json.dumps(report, indent=2))
    return 0 if report["frames"] >= args.frames else 1


if __name__ == "__main__":
    sys.exit(main())
