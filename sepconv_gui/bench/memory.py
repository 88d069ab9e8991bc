"""Predicted against measured peak memory of engine calls.

Each case runs in a fresh Python process: the input is made, the kernel's peak-RSS mark is
reset (``/proc/self/clear_refs``), one engine call runs, and the rise of the peak above the
resident size before the call is what the call cost, OpenCV's and the BLAS's buffers
included. Linux only (it reads /proc).

``python -m sepconv_gui.bench.memory`` prints the scaling grid of issue 7 (480p to 4K,
C in {3, 32, 256}, P in {8, 64, 256}, k in {3, 15, 31}); ``--quick`` a small one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass

_CHILD = r"""
import json, sys
import numpy as np
from sepconv_gui import engine

case = json.loads(sys.argv[1])
h, w, c, p, k, m = (case[key] for key in ("height", "width", "channels", "outputs", "k", "m"))
mode, algorithm = case["mode"], case["algorithm"]
import time
from sepconv_gui.engine import memory as engine_memory

predicted = engine.estimate_memory(
    mode, h, w, c, c if mode == "spatial" else p, k, k, m, case["rank"], algorithm=algorithm,
    border=case["border"], copies_input=False, keep_stages=case["keep_stages"],
    shared_kernel=False if mode == "depthwise" else None, copies_weights=False,
)
# A call the engine will refuse is refused without making its input (4K with C = 256 is
# 8.5 GB of float32 before any convolution): the same check and message as the engine's.
try:
    engine_memory.check_fits(mode, predicted, f"{h}x{w}, C={c}, P={p}, {k}x{k} kernel")
except engine.ResourceError as exc:
    print(json.dumps({"predicted": predicted, "measured": 0, "ran": "refused",
                      "note": str(exc), "seconds": 0.0, "input": 0}))
    sys.exit(0)
# A normal case the auto cost model predicts to take longer than --max-seconds is not run
# (it is neither a completed case nor a memory refusal: the table says "not run").
if mode == "normal" and case["max_seconds"]:
    from sepconv_gui.engine import algorithms, fft_path
    chosen = algorithm
    if chosen == "auto":
        chosen = algorithms.choose_within_budget(h, w, c, p, k, k, case["border"] == "wrap", 0,
                                                 copies_weights=False)[0]
    overlap = fft_path.tile_overlap(h, w, p, c, k, k)
    ns = algorithms.estimated_ns_per_pixel(chosen, c, p, k, k, overlap=overlap)
    if ns * h * w * 1e-9 > case["max_seconds"]:
        print(json.dumps({"predicted": predicted, "measured": 0, "ran": "not run",
                          "note": f"predicted {ns * h * w * 1e-9:,.0f} s by the auto cost "
                                  f"model ({chosen})", "seconds": 0.0, "input": 0}))
        sys.exit(0)
rng = np.random.default_rng(0)
image = rng.random((h, w, c), dtype=np.float32)
if mode == "normal":
    weights = rng.standard_normal((p, c, k, k)).astype(np.float32)
    run = lambda im: engine.normal_conv(im, weights, algorithm=algorithm, border=case["border"])
elif mode == "spatial":
    column, row = rng.standard_normal((case["rank"], k)), rng.standard_normal((case["rank"], k))
    run = lambda im: engine.spatial_separable_conv(
        im, column, row, border=case["border"], keep_stages=case["keep_stages"])
else:
    depth = rng.standard_normal((c * m, k, k)).astype(np.float32)
    point = rng.standard_normal((p, c * m)).astype(np.float32)
    run = lambda im: engine.depthwise_separable_conv(
        im, depth, point, border=case["border"], keep_stages=case["keep_stages"])
call = lambda: run(image)

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

# A first call maps the libraries' code and the BLAS's thread buffers once per process; run
# the call once before measuring, so what is measured is what every later call costs. Above
# WARM_FULL_BYTES (every buffer then far above glibc's 32 MiB heap-block limit, so the
# allocator's state does not matter) a 64 x 64 crop warms up instead: it halves the time.
try:
    if predicted > case["warm_full_bytes"]:
        run(np.ascontiguousarray(image[: max(k, 64), : max(k, 64)]))
    else:
        call()
except engine.ResourceError:
    pass
# Measure a cold call (the estimate's case): the warm-up kept the kernels' FFT spectra and
# this thread's scratch buffers.
from sepconv_gui.engine import fft_path, scratch
fft_path.CACHE.clear()
scratch.release()
# Give back what the warm-up freed (glibc keeps freed heap blocks resident): the call then
# pays for every page it touches, as a call in a process that had not run it before would.
# Collect first: a warm-up result caught in a reference cycle would otherwise be freed by a
# collection during the measured call and hide that much of it.
import ctypes, gc
gc.collect()
try:
    ctypes.CDLL("libc.so.6").malloc_trim(0)
except (OSError, AttributeError):
    pass
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS")
start = time.perf_counter()
try:
    result = call()
    ran, note = result.algorithm, ""
except engine.ResourceError as exc:
    ran, note = "refused", str(exc)
seconds = time.perf_counter() - start
print(json.dumps({"predicted": predicted, "measured": status("VmHWM") - before,
                  "ran": ran, "note": note, "seconds": seconds, "input": image.nbytes}))
"""


@dataclass
class MemoryCase:
    mode: str
    height: int
    width: int
    channels: int
    outputs: int
    k: int
    m: int = 1
    rank: int = 1
    algorithm: str = "auto"
    border: str = "reflect101"
    keep_stages: bool = False
    max_seconds: float = 0.0  # normal only: skip when the cost model predicts more (0: never)
    warm_full_bytes: int = 2**30  # above this predicted peak, warm up on a 64 x 64 crop


def measure(case: MemoryCase, *, env: dict | None = None, timeout: float = 600) -> dict:
    """Run ``case`` in a fresh process; predicted and measured peak bytes, and what ran."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(case.__dict__)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        return {"predicted": 0, "measured": 0, "ran": "crashed", "note": done.stderr[-500:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


SIZES = {"480p": (480, 640), "720p": (720, 1280), "1080p": (1080, 1920), "4K": (2160, 3840)}


def grid(quick: bool) -> list[MemoryCase]:
    if quick:
        return [
            MemoryCase(mode, 240, 320, c, p, k, algorithm=algorithm)
            for mode, algorithm in [
                ("normal", "direct"),
                ("normal", "gemm"),
                ("normal", "fft"),
                ("spatial", "auto"),
                ("depthwise", "auto"),
            ]
            for c, p in [(3, 8), (32, 64)]
            for k in (3, 15)
        ]
    cases = []
    for height, width in SIZES.values():
        for c in (3, 32, 256):
            for p in (8, 64, 256):
                for k in (3, 15, 31):
                    cases.append(MemoryCase("normal", height, width, c, p, k))
                    cases.append(MemoryCase("depthwise", height, width, c, p, k))
            for k in (3, 15, 31):
                cases.append(MemoryCase("spatial", height, width, c, c, k))
    return cases


def _markdown_row(case: MemoryCase, row: dict) -> str:
    names = [name for name, hw in SIZES.items() if hw == (case.height, case.width)]
    size = names[0] if names else f"{case.width}x{case.height}"
    head = f"| {case.mode} | {size} | {case.channels} | {case.outputs} | {case.k}"
    predicted = row["predicted"] / 1e6
    if row["ran"] == "refused":
        return f"{head} | refused: needs {predicted:,.0f} MB | | | |"
    if row["ran"] == "not run":
        return f"{head} | not run: {row['note']} | {predicted:,.0f} | | |"
    if row["ran"] == "crashed":
        return f"{head} | crashed | {predicted:,.0f} | | |"
    ratio = row["predicted"] / row["measured"] if row["measured"] > 0 else float("nan")
    digits = 1 if row["measured"] < 100e6 else 0  # small cases: the ratio is readable
    return (
        f"{head} | {row['ran']} | {predicted:,.{digits}f} "
        f"| {row['measured'] / 1e6:,.{digits}f} ({ratio:.2f}) | {row['seconds']:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sepconv_gui.bench.memory")
    parser.add_argument("--quick", action="store_true", help="a small grid at 320x240")
    parser.add_argument(
        "--budget",
        metavar="SIZE",
        help="the engine's memory budget in every case's process (SEPCONV_MEMORY_BUDGET, e.g. "
        "6G); cases predicted above it are refused without making their input",
    )
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), help="only these sizes")
    parser.add_argument("--channels", nargs="+", type=int, help="only these C")
    parser.add_argument(
        "--outputs", nargs="+", type=int, help="only these P (a spatial case has P = C)"
    )
    parser.add_argument("--kernels", nargs="+", type=int, help="only these k")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=0.0,
        help="skip normal cases the auto cost model predicts to take longer (0: run all)",
    )
    parser.add_argument("--markdown", action="store_true", help="a table for performance.md")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.budget:
        env["SEPCONV_MEMORY_BUDGET"] = args.budget
    cases = [
        case
        for case in grid(args.quick)
        if args.quick
        or not args.sizes
        or (case.height, case.width) in [SIZES[s] for s in args.sizes]
    ]
    cases = [
        case
        for case in cases
        if (not args.channels or case.channels in args.channels)
        and (not args.outputs or case.outputs in args.outputs)
        and (not args.kernels or case.k in args.kernels)
    ]
    for case in cases:
        case.max_seconds = args.max_seconds
    if args.markdown:
        print("| mode | size | C | P | k | ran | predicted MB | peak RSS MB (pred/meas) | s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    else:
        print("mode       algorithm  size        C    P    k   ran          predicted  measured  s")
    for case in cases:
        row = measure(case, env=env)
        if args.markdown:
            print(_markdown_row(case, row), flush=True)
            continue
        ratio = row["predicted"] / row["measured"] if row["measured"] > 0 else float("nan")
        print(
            f"{case.mode:10} {case.algorithm:10} {case.width}x{case.height:<6} {case.channels:4} "
            f"{case.outputs:4} {case.k:3}   {row['ran']:12} {row['predicted'] / 1e6:8.1f} MB "
            f"{row['measured'] / 1e6:8.1f} MB  x{ratio:.2f} {row.get('seconds', 0):6.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
