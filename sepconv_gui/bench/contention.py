"""A CPU-bound background process on one core: the "one core busy" condition of the benchmark.

The issue it answers: on a shared machine the engine slowed far more than its peers when one
core was taken, and a benchmark that only measures the quiet case cannot show that. The
background process is a plain Python busy loop pinned to the last core this process may use,
started before the grid and always stopped after it (also on errors and Ctrl-C).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_BUSY_LOOP = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"


def busy_core_id() -> int:
    try:
        return max(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: no pinning, the loop takes whichever core it gets
        return (os.cpu_count() or 1) - 1


@contextmanager
def one_core_busy() -> Iterator[dict[str, int]]:
    """Run the block while a busy loop holds one core; yields its pid and core."""
    core = busy_core_id()
    process = subprocess.Popen(
        [sys.executable, "-c", _BUSY_LOOP, str(core)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield {"pid": process.pid, "core": core}
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
