"""What the benchmark ran on, and one thread count for every library that threads.

Ratios between the engine and its peers only mean something when every contender may use the
same number of cores, so :func:`set_threads` sets OpenCV's, torch's and the BLAS's thread
pools together. The engine's own FFT workers follow OpenCV's setting.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
import time
from typing import Any

import cv2
import numpy as np

from .. import engine
from .peers import optional_module

#: Entry points that set an OpenBLAS pool size, across the names OpenBLAS builds export
#: (numpy's and scipy's wheels rename theirs with a scipy_ prefix and a 64_ suffix).
_OPENBLAS_SETTERS = (
    "openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
)


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries already mapped into this process."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return []
    return sorted(path for path in paths if path.startswith("/"))


#: The matching getters of the pool size.
_OPENBLAS_GETTERS = tuple(name.replace("_set_", "_get_") for name in _OPENBLAS_SETTERS)


def _first_symbol(path: str, names: tuple[str, ...]):
    """The first of ``names`` the library at ``path`` exports, or None."""
    try:
        library = ctypes.CDLL(path)
    except OSError:
        return None
    return next((f for name in names if (f := getattr(library, name, None)) is not None), None)


def blas_threads() -> dict[str, int]:
    """Thread-pool size of every OpenBLAS loaded in this process, by library file name."""
    threads = {}
    for path in _loaded_openblas():
        getter = _first_symbol(path, _OPENBLAS_GETTERS)
        if getter is not None:
            getter.restype = ctypes.c_int
            threads[os.path.basename(path)] = int(getter())
    return threads


def set_blas_threads(count: int) -> int:
    """Resize every loaded OpenBLAS thread pool; returns how many pools were resized.

    numpy is imported long before a command line is parsed, so the environment variables
    OpenBLAS reads at load time are too late; its exported setter is not.
    """
    resized = 0
    for path in _loaded_openblas():
        setter = _first_symbol(path, _OPENBLAS_SETTERS)
        if setter is not None:
            setter(ctypes.c_int(count))
            resized += 1
    return resized


def set_threads(count: int) -> dict[str, Any]:
    """Give the engine, OpenCV, the BLAS and (if installed) torch ``count`` threads each.

    The engine runs the BLAS single-threaded inside its own calls and splits its work over
    its own ``count`` threads; the BLAS setting here is what the peers get.
    """
    engine.set_num_threads(count)
    cv2.setNumThreads(count)
    threads: dict[str, Any] = {
        "requested": count,
        "engine": engine.num_threads(),
        "opencv": cv2.getNumThreads(),
        "blas_pools_resized": set_blas_threads(count),
    }
    torch = optional_module("torch")
    if torch is not None:
        torch.set_num_threads(count)
        threads["torch"] = torch.get_num_threads()
    return threads


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo, or whatever platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _blas_name() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001  numpy < 2 or an odd build: the name is a nicety
        return "unknown"


def library_version(module_name: str, *distributions: str) -> str | None:
    """A library's version without importing it (torch takes seconds to import)."""
    from importlib import metadata

    module = sys.modules.get(module_name)
    if module is not None and getattr(module, "__version__", None):
        return str(module.__version__)
    for name in distributions or (module_name,):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def describe(threads: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything needed to judge whether two benchmark files are comparable.

    ``threads`` defaults to what the timing protocol records per row (engine, OpenCV, BLAS).
    The app's sweep report adds its own versions to this same description.
    """
    import scipy

    from .protocol import thread_settings

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": available_cores(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": _blas_name(),
        "opencv": cv2.__version__,
        "scipy": scipy.__version__,
        "torch": library_version("torch"),
        "threads": thread_settings() if threads is None else threads,
    }


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs since boot, or None where /proc/stat is missing."""
    try:
        with open("/proc/stat", encoding="utf-8") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def wait_until_idle(limit: float, busy_below: float = 0.1, sample: float = 0.5) -> float:
    """Wait up to ``limit`` seconds for the machine's other load to drop; returns the wait.

    On a shared machine a neighbour's job can double every time for minutes; medians absorb
    short bursts but not that. Only an approximation: this process is idle while it samples,
    so whatever keeps the CPUs busy is someone else.
    """
    start = time.monotonic()
    while time.monotonic() - start < limit:
        before = _cpu_times()
        time.sleep(sample)
        after = _cpu_times()
        if before is None or after is None:
            break
        busy, total = after[0] - before[0], after[1] - before[1]
        if total <= 0 or busy / total < busy_below:
            break
    return time.monotonic() - start
