"""``sepconv-bench``: the engine against OpenCV, scipy and torch, in the same run."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .bound import annotate
from .contention import one_core_busy
from .machine import available_cores, describe, set_threads
from .report import machine_lines, table, to_csv, to_json, write_atomic
from .runner import ENGINE_MODES, NORMAL_ALGORITHMS, Settings, run_grid

DEFAULT_SIZES = ["1280x720x3"]
DEFAULT_KERNELS = [3, 7, 15, 31]
DEFAULT_OUTPUTS = [8, 32]
QUICK = {"sizes": ["320x240x3"], "kernels": [3, 7], "outputs": [8], "repeats": 3}


def _items(values: Sequence[str] | None) -> list[str] | None:
    """Flatten ``--x 3 7`` and ``--x 3,7`` alike."""
    if values is None:
        return None
    return [item for value in values for item in value.split(",") if item]


def parse_size(text: str) -> tuple[int, int, int]:
    """``WIDTHxHEIGHT`` or ``WIDTHxHEIGHTxCHANNELS`` (3 channels unless given)."""
    parts = text.lower().split("x")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3) or min(numbers) < 1:
        raise argparse.ArgumentTypeError(
            f"size {text!r} is not WIDTHxHEIGHT or WIDTHxHEIGHTxCHANNELS, e.g. 1280x720x3"
        )
    return (numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 3)


def _positive_ints(name: str, values: list[str]) -> list[int]:
    try:
        numbers = [int(value) for value in values]
    except ValueError:
        numbers = [0]
    if min(numbers) < 1:
        raise SystemExit(f"sepconv-bench: --{name} takes whole numbers >= 1, got {values}")
    return numbers


def _modes(values: list[str]) -> list[str]:
    modes: list[str] = []
    for value in values:
        expanded = NORMAL_ALGORITHMS if value == "normal" else (value,)
        for mode in expanded:
            if mode not in ENGINE_MODES:
                raise SystemExit(
                    f"sepconv-bench: unknown mode {value!r}; use normal (= all five "
                    f"algorithms) or any of {', '.join(ENGINE_MODES)}"
                )
            if mode not in modes:
                modes.append(mode)
    return modes


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sepconv-bench",
        description="Time the engine's convolution modes against hand-written OpenCV, "
        "scipy.ndimage and torch (when installed) on the same inputs and thread count. "
        "Every contender is verified against the OpenCV result before it is timed.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small grid that runs in seconds: 320x240x3, k 3,7, P 8",
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        metavar="WxHxC",
        help=f"image sizes (default {','.join(DEFAULT_SIZES)})",
    )
    parser.add_argument(
        "--kernels", nargs="+", metavar="K", help="square kernel sizes (default 3,7,15,31)"
    )
    parser.add_argument(
        "--outputs",
        nargs="+",
        metavar="P",
        help="output channels P (default 8,32); the spatial mode keeps C",
    )
    parser.add_argument(
        "--modes",
        nargs="+",
        metavar="MODE",
        help="engine modes: auto, direct, gemm, kn2row, fft (normal conv with that "
        "algorithm; 'normal' = all five), spatial, depthwise (default: all)",
    )
    parser.add_argument("--repeats", type=int, help="timed runs per contender (default 5)")
    parser.add_argument(
        "--warmup", type=int, help="untimed runs after the verification run (default 1)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for OpenCV, BLAS, the engine's FFT and torch "
        f"(default: all {available_cores()} available cores)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=10.0,
        help="time budget per contender and grid point: slower ones do "
        "fewer repeats, and peers predicted slower than this are skipped",
    )
    parser.add_argument(
        "--peers",
        nargs="+",
        metavar="NAME",
        help="time only these peers (opencv, opencv-sep, opencv-1d, opencv-full, scipy, "
        "torch); the OpenCV reference of each mode always runs",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each grid point, wait up to this long for other "
        "processes to leave the CPUs idle (for shared machines)",
    )
    parser.add_argument(
        "--contention",
        action="store_true",
        help="run the grid twice: quiet, then with a CPU-bound background process on one "
        "core, and print both tables",
    )
    parser.add_argument(
        "--omp-wait-policy",
        default="PASSIVE",
        metavar="POLICY",
        help="a peer setting: OMP_WAIT_POLICY for torch's OpenMP workers, set before torch "
        "loads (default PASSIVE: they sleep between calls instead of spinning on the cores "
        "the next contender needs); 'unset' leaves the environment alone. The engine does "
        "not use OpenMP",
    )
    parser.add_argument(
        "--no-bound",
        action="store_true",
        help="skip the hardware bound (engine / bound per case, from this machine's sgemm "
        "GFLOP/s and memory bandwidth, measured once by bench.peaks and cached)",
    )
    parser.add_argument(
        "--measure-peaks",
        action="store_true",
        help="measure the machine's peaks again instead of using the cached ones (they are "
        "cached the first time they are measured: take them on a quiet machine)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    parser.add_argument("--json", metavar="PATH", help="also write every number as JSON")
    parser.add_argument("--csv", metavar="PATH", help="also write one CSV line per row")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    quick = QUICK if args.quick else {}
    sizes = _items(args.sizes) or quick.get("sizes", DEFAULT_SIZES)
    kernels = _items(args.kernels) or quick.get("kernels", DEFAULT_KERNELS)
    outputs = _items(args.outputs) or quick.get("outputs", DEFAULT_OUTPUTS)
    repeats = args.repeats if args.repeats is not None else quick.get("repeats", 5)
    warmup = args.warmup if args.warmup is not None else 1
    if repeats < 1 or warmup < 0:
        raise SystemExit("sepconv-bench: --repeats must be >= 1 and --warmup >= 0")
    try:
        parsed_sizes = [parse_size(size) for size in sizes]
    except argparse.ArgumentTypeError as error:
        raise SystemExit(f"sepconv-bench: {error}") from None
    return Settings(
        sizes=parsed_sizes,
        kernels=_positive_ints("kernels", [str(k) for k in kernels]),
        outputs=_positive_ints("outputs", [str(p) for p in outputs]),
        modes=_modes(_items(args.modes) or list(ENGINE_MODES)),
        repeats=repeats,
        warmup=warmup,
        max_seconds=args.max_seconds,
        seed=args.seed,
        peers=_items(args.peers),
        wait_idle=args.wait_idle,
    )


def _openblas_thread_timeout() -> str | None:
    """The OPENBLAS_THREAD_TIMEOUT the peers' OpenBLAS runs with (bench/launch.py), or a
    note that numpy was loaded before it was set (called from Python after importing numpy)."""
    from .launch import BLAS_LOADED_BEFORE, THREAD_TIMEOUT

    if BLAS_LOADED_BEFORE:
        return "numpy was loaded first: OpenBLAS's own default"
    return os.environ.get(THREAD_TIMEOUT)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table; write JSON/CSV if asked. Returns the exit code."""
    args = parse_args(argv)
    settings = settings_from(args)
    for width, height, _ in settings.sizes:
        too_big = [k for k in settings.kernels if k > min(width, height)]
        if too_big:
            raise SystemExit(
                f"sepconv-bench: kernels {too_big} do not fit a {width}x{height} image"
            )
    # A peer setting, not the engine's: torch's OpenMP workers spin after every call unless
    # told otherwise, and the contender timed next then shares its cores with them.
    if args.omp_wait_policy.lower() != "unset":
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy
    threads = set_threads(args.threads or available_cores())
    machine = describe(threads)
    machine["omp_wait_policy"] = os.environ.get("OMP_WAIT_POLICY")
    machine["openblas_thread_timeout"] = _openblas_thread_timeout()
    print(machine_lines(machine), flush=True)
    peaks = None
    if not args.no_bound:
        from .peaks import measure_peaks  # about a second the first time, then cached

        peaks = measure_peaks(args.measure_peaks, threads=args.threads or None)
        machine["peaks"] = peaks.to_dict()
        print(
            f"hardware bound: {peaks.gflops:.0f} GFLOP/s (best sgemm), {peaks.gbs:.1f} GB/s "
            f"(best stream), {'cached' if peaks.from_cache else 'measured now'} "
            f"{peaks.measured_at}; bound = max(FLOPs / GFLOP/s, least bytes / GB/s)",
            flush=True,
        )

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    conditions = ["quiet", "one core busy"] if args.contention else ["quiet"]
    rows = []
    for condition in conditions:
        if condition == "quiet":
            measured = run_grid(settings, log)
        else:
            with one_core_busy() as busy:
                log(f"one core busy: pid {busy['pid']} spinning on core {busy['core']}")
                measured = run_grid(settings, log)
        for row in measured:
            row["condition"] = condition
        if peaks is not None:
            annotate(measured, peaks)
        rows.extend(measured)
        print()
        if args.contention:
            print(f"## {condition}")
        print(table(measured))
    print(
        "\nMedians in ms. ratio = engine / best peer (below 1: the engine is faster); "
        "theo x / meas x = separable mode's theoretical / measured speedup over normal conv; "
        "/bound = engine / hardware bound (c: compute-bound, m: memory-bound)."
    )
    busy_rows = [row for row in rows if row.get("busy") and row["condition"] == "quiet"]
    if busy_rows:
        print(f"warning: {len(busy_rows)} quiet-condition rows: {busy_rows[0]['busy']}")
    recorded = {
        "sizes": [list(size) for size in settings.sizes],
        "kernels": settings.kernels,
        "outputs": settings.outputs,
        "modes": settings.modes,
        "repeats": settings.repeats,
        "warmup": settings.warmup,
        "max_seconds": settings.max_seconds,
        "seed": settings.seed,
        "peers": settings.peers,
        "wait_idle": settings.wait_idle,
        "contention": args.contention,
        "omp_wait_policy": args.omp_wait_policy,
        "command": "sepconv-bench " + " ".join(sys.argv[1:] if argv is None else argv),
    }
    if args.json:
        write_atomic(args.json, to_json(machine, recorded, rows))
    if args.csv:
        write_atomic(args.csv, to_csv(rows))
    return 0
