"""Refit the cost model behind ``normal_conv(algorithm="auto")``.

``python -m sepconv_gui.bench.fit_auto`` times direct, gemm and fft (with and without the
kernel spectra cached) over a grid of channel counts and kernel sizes, interleaved, median of
a few repeats, and fits each algorithm's nanoseconds per output pixel to its model's features
by non-negative least squares. It prints the table and the constants to paste into
``engine/algorithms.py``. Cases the current model predicts slower than ``--max-seconds`` are
skipped (they would not be picked anyway). Short runs are enough: only the ranking matters.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from scipy.optimize import nnls

from .. import engine
from ..engine import algorithms, fft_path


def features(name: str, c: int, p: int, k: int) -> list[float]:
    taps = k * k
    if name == "direct":
        return [c * p, c * p * taps]
    if name == "gemm":
        return [1.0, c * taps, c * taps * p]
    if name == "fft-cold":
        return [c + p, c * p, c * p * k]
    return [c + p, c * p]  # fft with cached spectra


def _time(call, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(height, width, channels, outputs, kernels, repeats, max_seconds, log):
    rows = []
    rng = np.random.default_rng(0)
    for c in channels:
        image = rng.random((height, width, c), dtype=np.float32)
        for p in outputs:
            for k in kernels:
                weights = rng.standard_normal((p, c, k, k)).astype(np.float32)
                for name in ("direct", "gemm", "fft-cold", "fft-warm"):
                    algorithm = name.split("-")[0]
                    predicted = (
                        1e-9
                        * height
                        * width
                        * algorithms.estimated_ns_per_pixel(
                            algorithm, c, p, k, k, cached=name == "fft-warm"
                        )
                    )
                    if predicted > max_seconds:
                        continue

                    def call(algorithm=algorithm, name=name):
                        if name == "fft-cold":
                            fft_path.CACHE.clear()
                        engine.normal_conv(image, weights, algorithm=algorithm)

                    call()  # warm-up (and, for fft-warm, fills the cache)
                    seconds = _time(call, repeats)
                    ns = 1e9 * seconds / (height * width)
                    rows.append((name, c, p, k, ns))
                    log(f"{name:9} C={c:<4} P={p:<4} k={k:<3} {ns:9.2f} ns/pixel")
    return rows


def fit(rows):
    constants = {}
    for name in ("direct", "gemm", "fft-cold", "fft-warm"):
        chosen = [row for row in rows if row[0] == name]
        if len(chosen) < 3:
            continue
        matrix = np.array([features(name, c, p, k) for _, c, p, k, _ in chosen])
        target = np.array([ns for *_, ns in chosen])
        # Relative error matters (costs span orders of magnitude): weight rows by 1/target.
        weights = 1.0 / np.maximum(target, 1e-3)
        solution, _ = nnls(matrix * weights[:, None], target * weights)
        constants[name] = solution
    return constants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sepconv_gui.bench.fit_auto")
    parser.add_argument("--size", default="320x240", help="WIDTHxHEIGHT (default 320x240)")
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 3, 32, 256])
    parser.add_argument("--outputs", type=int, nargs="+", default=[1, 8, 32, 256])
    parser.add_argument("--kernels", type=int, nargs="+", default=[3, 7, 15])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=1.0)
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    print(f"engine threads {engine.num_threads()}, image {width}x{height}", flush=True)
    rows = measure(
        height,
        width,
        args.channels,
        args.outputs,
        args.kernels,
        args.repeats,
        args.max_seconds,
        lambda line: print(line, flush=True),
    )
    for name, solution in fit(rows).items():
        print(f"{name}: " + ", ".join(f"{value:.4g}" for value in solution))
    return 0


if __name__ == "__main__":
    sys.exit(main())
