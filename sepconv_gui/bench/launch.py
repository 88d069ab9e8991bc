"""Where ``sepconv-bench`` starts: the peers' environment first, then the command line.

The app imports parts of this package (the timing protocol, the machine's peaks), so the
package itself sets nothing; only running the bench does.
"""

import os
import sys

# A peer setting, like OMP_WAIT_POLICY in cli.py, and it must be made here: OpenBLAS reads it
# once, when numpy loads it, and cli imports numpy. After every multi-threaded product (the
# OpenCV peer's pointwise matmul) OpenBLAS's workers spin for about 2^28 cycles (50-250 ms
# here) before they sleep; the contender timed next found no idle core and ran on one thread
# (depthwise k=3, P=32: 1.59x the loop). 4 (the least OpenBLAS takes, 2^4 cycles) puts them
# to sleep at once; a product then wakes them, a few microseconds. Set the variable yourself
# (30 is the most spin) to override it; rows record the value used.
THREAD_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT"
BLAS_LOADED_BEFORE = "numpy" in sys.modules
os.environ.setdefault(THREAD_TIMEOUT, "4")

from .cli import main  # noqa: E402 - after the environment OpenBLAS reads at load

__all__ = ["main"]
