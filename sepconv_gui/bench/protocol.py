"""The one timing protocol: ``sepconv-bench`` and the app's benchmark sweep both time this way.

For a set of contenders (callables doing one whole job each):

1. Warm-up: every contender runs ``warmup`` times untimed (first-call costs: FFT plans, thread
   pools, pages of fresh buffers).
2. Interleaved repeats, in passes: in each of up to ``passes`` passes every contender runs its
   share of the ``repeats`` timed runs (``time.perf_counter_ns``), the order rotating from pass
   to pass. A burst of load from elsewhere then hits every contender alike, instead of
   whichever happened to run during it. With more than one contender each block starts with
   one untimed hand-over run (``handover=True``): a peer's OpenMP or BLAS threads keep
   spinning for a while after their last call, and the first run after them was measured
   3-10x slow.
3. Statistics: the median with the 25th and 75th percentiles, per contender.
4. Conditions: every row records the thread settings (engine, OpenCV, BLAS), the load
   average before and after, and the cores other processes kept busy meanwhile (from
   ``/proc/stat`` less this process's own CPU time); :func:`busy_warning` says when the
   machine was busy. The load average alone cannot tell: the contenders' own threads raise it
   to about their thread count.

``should_stop`` is asked before every run; a stopped measurement returns None.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2

_THREAD_VARIABLES = (
    "SEPCONV_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OMP_WAIT_POLICY",
    "OPENBLAS_THREAD_TIMEOUT",
)

#: Load average per available core above which a row is flagged as measured on a busy machine
#: (used only where the CPU time of other processes cannot be read).
BUSY_LOAD_PER_CORE = 0.5

#: Cores' worth of other processes' CPU time, per available core, above which a row is
#: flagged as measured on a busy machine.
BUSY_OTHER_CORES_PER_CORE = 0.25


@dataclass
class Timing:
    """One contender's timed runs and the conditions they ran under."""

    samples_ns: list[int] = field(default_factory=list)
    threads: dict[str, Any] = field(default_factory=dict)
    load_before: float | None = None
    load_after: float | None = None
    other_cores: float | None = None  # other processes' average CPU use while this ran
    busy: str | None = None

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.samples_ns) * 1e-9 if self.samples_ns else None

    def percentile_s(self, fraction: float) -> float | None:
        """The ``fraction`` quantile of the samples (linear interpolation), in seconds."""
        if not self.samples_ns:
            return None
        ordered = sorted(self.samples_ns)
        position = fraction * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
        return value * 1e-9

    def summary(self) -> dict[str, Any]:
        """Plain numbers for reports (ms)."""

        def ms(value):
            return None if value is None else value * 1e3

        return {
            "median_ms": ms(self.median_s),
            "p25_ms": ms(self.percentile_s(0.25)),
            "p75_ms": ms(self.percentile_s(0.75)),
            "runs": len(self.samples_ns),
            "times_ms": [t / 1e6 for t in self.samples_ns],
            "threads": self.threads,
            "load_before": self.load_before,
            "load_after": self.load_after,
            "other_cores": self.other_cores,
            "busy": self.busy,
        }


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this platform
        return None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cpu_snapshot() -> tuple[float, float, float] | None:
    """(wall seconds, CPU seconds every core spent busy, CPU seconds of this process), or
    None where ``/proc/stat`` cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    if len(values) < 8:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    ticks = os.sysconf("SC_CLK_TCK")
    own = os.times()
    busy = (user + nice + system + irq + softirq + steal) / ticks
    return time.monotonic(), busy, own.user + own.system


def other_cores(before, after) -> float | None:
    """Cores other processes kept busy on average between two :func:`cpu_snapshot` s."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    others = (after[1] - before[1]) - (after[2] - before[2])
    return max(0.0, others / (after[0] - before[0]))


def busy_warning(
    load: float | None, cores: int | None = None, others: float | None = None
) -> str | None:
    """A warning when other processes shared the cores: from ``others`` (see
    :func:`other_cores`) when known, else from the 1-minute load average."""
    cores = cores or available_cores()
    if others is not None:
        if others <= BUSY_OTHER_CORES_PER_CORE * cores:
            return None
        return (
            f"machine busy: other processes kept {others:.2f} of {cores} cores busy; "
            "times are slower and noisier than on a quiet machine"
        )
    if load is None or load <= BUSY_LOAD_PER_CORE * cores:
        return None
    return (
        f"machine busy: load average {load:.2f} on {cores} cores; "
        "times are slower and noisier than on a quiet machine"
    )


def thread_settings() -> dict[str, Any]:
    """The thread counts that shape a timing: the engine's, OpenCV's and every BLAS's."""
    from .. import engine

    settings: dict[str, Any] = {
        "engine": engine.num_threads(),
        "opencv": cv2.getNumThreads(),
    }
    try:
        from threadpoolctl import threadpool_info

        settings["blas"] = {
            info.get("prefix", "?"): info.get("num_threads")
            for info in threadpool_info()
            if info.get("user_api") == "blas"
        }
    except Exception:  # noqa: BLE001 - the BLAS report is a nicety
        settings["blas"] = {}
    settings["environment"] = {
        name: os.environ[name] for name in _THREAD_VARIABLES if name in os.environ
    }
    return settings


def time_contenders(
    contenders: dict[str, Callable[[], Any]],
    *,
    repeats: int,
    warmup: int = 1,
    passes: int = 3,
    planned: dict[str, int] | None = None,
    handover: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
    keep: Callable[[str, Any], None] | None = None,
) -> dict[str, Timing] | None:
    """Time every contender under the protocol above; None if ``should_stop`` said so.

    ``planned`` may lower the repeats of a slow contender (at least one run each); ``keep``
    receives each timed run's return value (for per-stage timings), after its clock stopped.
    """
    counts = {name: max(1, min(repeats, (planned or {}).get(name, repeats))) for name in contenders}
    timings = {name: Timing() for name in contenders}
    conditions = thread_settings()
    load = load_average()
    snapshot = cpu_snapshot()
    for name in contenders:
        timings[name].threads, timings[name].load_before = conditions, load
    for name, run in contenders.items():
        for _ in range(warmup):
            if should_stop():
                return None
            run()
    names = list(contenders)
    passes = max(1, min(passes, max(counts.values(), default=1)))
    for index in range(passes):
        order = names[index % len(names) :] + names[: index % len(names)] if names else []
        for name in order:
            # This pass's share of the repeats: an even split, earlier passes take the rest.
            share = counts[name] // passes + (index < counts[name] % passes)
            if not share:
                continue
            run = contenders[name]
            if handover and len(names) > 1:
                if should_stop():
                    return None
                run()
            for _ in range(share):
                if should_stop():
                    return None
                start = time.perf_counter_ns()
                value = run()
                timings[name].samples_ns.append(time.perf_counter_ns() - start)
                if keep is not None:
                    keep(name, value)
                del value  # the next run should not need two outputs' worth of memory
    after = load_average()
    loads = [value for value in (load, after) if value is not None]
    others = other_cores(snapshot, cpu_snapshot())
    warning = busy_warning(max(loads) if loads else None, others=others)
    for timing in timings.values():
        timing.load_after, timing.other_cores, timing.busy = after, others, warning
    return timings
