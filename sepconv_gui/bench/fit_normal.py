"""Fit the kn2row constants of ``auto``'s cost model against direct and gemm, timed together.

``python -m sepconv_gui.bench.fit_normal`` times the three im2col-free and im2col paths of
``normal_conv`` (direct, gemm, kn2row) on one image size over a grid of C, P and k, rotating
the order every repeat, and takes medians. The gemm and direct constants in
``engine/algorithms.py`` came from other runs on a machine shared with other jobs, so the
measurements are first expressed in the gemm model's units (the median ratio of gemm's model
to gemm's measured time); kn2row's three constants are then fitted to its scaled times by
non-negative least squares weighted by 1/time, so the ranking against the other paths holds.
It prints the table (measured ns per pixel, what the fitted model picks, what was fastest)
and the constants to paste.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from .. import engine
from ..engine import algorithms

NAMES = ("direct", "gemm", "kn2row")


def kn2row_features(c: int, p: int, k: int) -> list[float]:
    return [c * k, c * p * k * k, p * k]


def measure(height, width, channels, outputs, kernels, repeats):
    rng = np.random.default_rng(0)
    rows = []
    for c in channels:
        image = rng.random((height, width, c), dtype=np.float32)
        for p in outputs:
            for k in kernels:
                weights = rng.standard_normal((p, c, k, k)).astype(np.float32)
                samples = {name: [] for name in NAMES}
                for turn in range(repeats + 1):
                    order = NAMES[turn % 3 :] + NAMES[: turn % 3]
                    for name in order:
                        start = time.perf_counter()
                        engine.normal_conv(image, weights, algorithm=name)
                        if turn:  # the first turn warms up
                            samples[name].append(time.perf_counter() - start)
                ns = {n: 1e9 * statistics.median(s) / (height * width) for n, s in samples.items()}
                rows.append((c, p, k, ns))
                print(
                    f"C={c:3d} P={p:3d} k={k:2d}  " + "  ".join(f"{n} {ns[n]:7.1f}" for n in NAMES),
                    flush=True,
                )
    return rows


def fit(rows):
    from scipy.optimize import nnls  # scipy.optimize pulls in scipy.linalg: only when fitting

    scale = statistics.median(
        algorithms.estimated_ns_per_pixel("gemm", c, p, k, k) / ns["gemm"] for c, p, k, ns in rows
    )
    matrix = np.array([kn2row_features(c, p, k) for c, p, k, _ in rows])
    target = np.array([scale * ns["kn2row"] for *_, ns in rows])
    weight = 1.0 / target
    constants, _ = nnls(matrix * weight[:, None], target * weight)
    return scale, constants


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sepconv_gui.bench.fit_normal")
    parser.add_argument("--size", default="640x480", help="WIDTHxHEIGHT")
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 3, 8, 16])
    parser.add_argument("--outputs", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--kernels", type=int, nargs="+", default=[3, 5, 7])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="engine threads per call")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    engine.set_num_threads(args.threads)
    rows = measure(height, width, args.channels, args.outputs, args.kernels, args.repeats)
    scale, constants = fit(rows)
    print(f"\nmodel units per measured ns (from gemm): {scale:.3f}")
    names = ("KN2ROW_NS_PER_ROW_COPY", "KN2ROW_NS_PER_MAC", "KN2ROW_NS_PER_SUM")
    for name, value in zip(names, constants):
        print(f"{name} = {value:.4g}")
    print("\n| C | P | k | direct | gemm | kn2row | fastest | kn2row model |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for c, p, k, ns in rows:
        model = float(np.dot(constants, kn2row_features(c, p, k))) / scale
        fastest = min(ns, key=ns.get)
        cells = " | ".join(f"{ns[n]:.1f}" for n in NAMES)
        print(f"| {c} | {p} | {k} | {cells} | {fastest} | {model:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
