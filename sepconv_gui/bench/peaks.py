"""This machine's measured peaks: what a matrix product and a memory copy reach here.

A roofline needs two ceilings: arithmetic (GFLOP/s) and memory traffic (GB/s). Datasheet
numbers are of no use on a shared laptop or a container, so both are measured, with the
libraries the engine itself uses (numpy's BLAS for float32 matrix products, numpy for copies):

* ``gemm_square``: an ``n x n @ n x n`` float32 product, 2·n³ FLOPs (one multiply and one
  add per term);
* ``gemm_tall``: an im2col-like product, many pixel rows times a short k²·C inner dimension
  times a few output channels; the engine's gemm paths look like this, and it reaches less;
* ``copy`` (read + write) and ``add`` (two reads + one write) of arrays far larger than the
  caches, in GB/s of bytes moved.

Every figure is the median of a few short runs (about a second in all), measured with the
engine's thread count (the BLAS pool and the copies split over that many threads), and cached
per machine and library versions in the user's cache folder, so the app pays once.
Qt-free: the benchmark command and the app's background worker both call
:func:`measure_peaks`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Bumped when what is measured changes, so older cache files are measured again.
FORMAT = 1
ENV_CACHE_DIR = "SEPCONV_CACHE_DIR"

# Shapes: large enough to leave the caches and the per-call overhead behind, small enough
# that all six measurements take about a second on a busy two-core machine.
SQUARE_N = 512
TALL_SHAPE = (16384, 288, 64)  # (pixels, k²·C for k = 3 and C = 32, P outputs)
STREAM_ELEMENTS = 8 * 1024 * 1024  # 32 MB of float32 per array
RUNS = 5

_lock = threading.Lock()


@dataclass(frozen=True)
class Peaks:
    """Measured ceilings of this machine (medians), and what they were measured with."""

    gemm_square_gflops: float
    gemm_tall_gflops: float
    copy_gbs: float
    add_gbs: float
    threads: int
    seconds: float = 0.0  # how long measuring took
    measured_at: str = ""
    machine: dict[str, Any] = field(default_factory=dict)
    from_cache: bool = False

    @property
    def gflops(self) -> float:
        """The compute roof: the best matrix product measured."""
        return max(self.gemm_square_gflops, self.gemm_tall_gflops)

    @property
    def gbs(self) -> float:
        """The memory roof: the best streaming rate measured."""
        return max(self.copy_gbs, self.add_gbs)

    @property
    def ridge(self) -> float:
        """FLOPs per byte above which the compute roof, not memory, limits a kernel."""
        return self.gflops / self.gbs if self.gbs > 0 else float("inf")

    def roof(self, intensity: float) -> float:
        """Attainable GFLOP/s at ``intensity`` FLOPs per byte (the roofline)."""
        return min(self.gflops, self.gbs * intensity)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("from_cache")
        return data

    def summary(self) -> str:
        return (
            f"{self.gemm_square_gflops:.1f} GFLOP/s sgemm {SQUARE_N}³, "
            f"{self.gemm_tall_gflops:.1f} GFLOP/s tall-skinny, "
            f"{self.copy_gbs:.1f} GB/s copy, {self.add_gbs:.1f} GB/s add "
            f"({self.threads} thread{'s' if self.threads != 1 else ''})"
        )


# ---------------------------------------------------------------- arithmetic


def gemm_flops(m: int, k: int, n: int) -> int:
    """FLOPs of an (m x k) @ (k x n) product: one multiply and one add per term."""
    return 2 * m * k * n


def copy_bytes(elements: int, itemsize: int = 4) -> int:
    """Bytes a copy moves: each element read once and written once."""
    return 2 * elements * itemsize


def add_bytes(elements: int, itemsize: int = 4) -> int:
    """Bytes ``c = a + b`` moves: two reads and one write per element."""
    return 3 * elements * itemsize


def rate(amount: float, seconds: float) -> float:
    """``amount`` per second in billions (GFLOP/s or GB/s); 0 for a zero or missing time."""
    return amount / seconds / 1e9 if seconds and seconds > 0 else 0.0


# ---------------------------------------------------------------- measuring


def median_seconds(run: Callable[[], Any], runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls after one untimed warm-up call."""
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _split_stream(threads: int, work: Callable[[slice], None], length: int) -> Callable[[], None]:
    """A callable doing ``work`` over ``length`` elements in ``threads`` contiguous slices.

    numpy releases the GIL while it copies, so slices on worker threads really overlap; one
    thread alone rarely saturates the memory bus.
    """
    edges = [length * i // threads for i in range(threads + 1)]
    parts = [slice(a, b) for a, b in zip(edges, edges[1:])]
    if threads <= 1:
        return lambda: work(parts[0])
    pool = ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="sepconv-peaks")

    def run() -> None:
        futures = [pool.submit(work, part) for part in parts[1:]]
        work(parts[0])
        for future in futures:
            future.result()

    run.pool = pool  # type: ignore[attr-defined]
    return run


def _engine_threads() -> int:
    from ..engine import num_threads

    return num_threads()


def _gemm_times(rng: np.random.Generator) -> tuple[float, float]:
    """Median seconds of the square and the tall-skinny float32 products."""
    a = rng.standard_normal((SQUARE_N, SQUARE_N), dtype=np.float32)
    b = rng.standard_normal((SQUARE_N, SQUARE_N), dtype=np.float32)
    m, k, n = TALL_SHAPE
    cols = rng.standard_normal((m, k), dtype=np.float32)
    weights = rng.standard_normal((k, n), dtype=np.float32)
    return median_seconds(lambda: a @ b), median_seconds(lambda: cols @ weights)


def _measure(threads: int) -> Peaks:
    rng = np.random.default_rng(11)
    started = time.perf_counter()
    try:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(limits=threads, user_api="blas")
    except Exception:  # noqa: BLE001 - without threadpoolctl the BLAS keeps its own setting
        limit = None
    try:
        square, tall = _gemm_times(rng)
    finally:
        if limit is not None:
            limit.restore_original_limits()

    source = np.ones(STREAM_ELEMENTS, dtype=np.float32)
    other = np.ones(STREAM_ELEMENTS, dtype=np.float32)
    target = np.empty_like(source)
    copy_run = _split_stream(threads, lambda s: np.copyto(target[s], source[s]), STREAM_ELEMENTS)
    add_run = _split_stream(
        threads, lambda s: np.add(source[s], other[s], out=target[s]), STREAM_ELEMENTS
    )
    try:
        copy_time = median_seconds(copy_run)
        add_time = median_seconds(add_run)
    finally:
        for run in (copy_run, add_run):
            pool = getattr(run, "pool", None)
            if pool is not None:
                pool.shutdown(wait=True)
    return Peaks(
        gemm_square_gflops=rate(gemm_flops(SQUARE_N, SQUARE_N, SQUARE_N), square),
        gemm_tall_gflops=rate(gemm_flops(*TALL_SHAPE), tall),
        copy_gbs=rate(copy_bytes(STREAM_ELEMENTS), copy_time),
        add_gbs=rate(add_bytes(STREAM_ELEMENTS), add_time),
        threads=threads,
        seconds=time.perf_counter() - started,
        measured_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        machine=machine_key(threads),
    )


# ---------------------------------------------------------------- the cache


def machine_key(threads: int) -> dict[str, Any]:
    """What the peaks depend on: another CPU, BLAS, numpy or thread count measures anew."""
    from .machine import _blas_name, available_cores, cpu_model

    return {
        "format": FORMAT,
        "cpu": cpu_model(),
        "cores_available": available_cores(),
        "machine": platform.machine(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": _blas_name(),
        "threads": threads,
    }


def cache_dir() -> Path:
    """The user's cache folder for this app (``SEPCONV_CACHE_DIR`` overrides it)."""
    override = os.environ.get(ENV_CACHE_DIR, "").strip()
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "sepconv-gui"


def cache_path(key: dict[str, Any], folder: Path | None = None) -> Path:
    digest = zlib.crc32(json.dumps(key, sort_keys=True).encode()) & 0xFFFFFFFF
    return (folder or cache_dir()) / f"peaks-{digest:08x}.json"


def _read(path: Path, key: dict[str, Any]) -> Peaks | None:
    """The cached peaks for ``key``, or None when missing, unreadable, corrupt or stale."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("machine") != key:
            return None
        names = ("gemm_square_gflops", "gemm_tall_gflops", "copy_gbs", "add_gbs")
        values = {name: float(data[name]) for name in names}
        if not all(value > 0 and np.isfinite(value) for value in values.values()):
            return None
        return Peaks(
            **values,
            threads=int(data["threads"]),
            seconds=float(data.get("seconds", 0.0)),
            measured_at=str(data.get("measured_at", "")),
            machine=key,
            from_cache=True,
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write(path: Path, peaks: Peaks) -> None:
    """Write atomically (a reader never sees half a file); a cache that cannot be written
    only costs a measurement next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".peaks-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(peaks.to_dict(), out, indent=1, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def cached_peaks(threads: int | None = None, folder: Path | None = None) -> Peaks | None:
    """The cached peaks for this machine and thread count, without measuring; or None."""
    threads = threads or _engine_threads()
    key = machine_key(threads)
    return _read(cache_path(key, folder), key)


def measure_peaks(
    force: bool = False, *, threads: int | None = None, folder: Path | None = None
) -> Peaks:
    """This machine's peaks: from the cache, or measured (about a second) and cached.

    ``force`` measures again even when a cached value exists. ``threads`` defaults to the
    engine's thread count; ``folder`` to :func:`cache_dir`.
    """
    threads = threads or _engine_threads()
    key = machine_key(threads)
    path = cache_path(key, folder)
    with _lock:  # the app's background worker and a benchmark may ask at once
        if not force:
            cached = _read(path, key)
            if cached is not None:
                return cached
        peaks = _measure(threads)
        _write(path, peaks)
        return peaks
