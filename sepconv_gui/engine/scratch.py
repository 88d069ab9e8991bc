"""A scratch buffer kept from one engine call to the next on the same calling thread.

A fresh image-sized buffer costs page faults on every call, and on the reference VM they
are dear: at 1280x720x3 the two 1-D passes of a 7x7 spatial call took 3.3 ms into buffers
already touched and 5.6 ms into fresh ones. Outputs are the caller's and must be fresh; an
intermediate that never leaves the call (the horizontal pass of filtering.passes_into) can
live in memory the last call already touched.

One buffer per calling thread (so concurrent calls never share one), grown to the largest
request up to KEEP_BYTES and dropped with the thread. Larger requests are allocated and
let go as usual: their filtering costs far more than the faults.
"""

from __future__ import annotations

import threading

import numpy as np

#: The most a thread keeps between calls: a 1920x1080x3 float32 image (24.9 MB) fits.
KEEP_BYTES = 32 * 2**20

_kept = threading.local()


def scratch(shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised C-contiguous float32 array of ``shape``, valid until this thread asks
    again: never return it, or anything viewing it, to the caller."""
    size = int(np.prod(shape))
    buffer = getattr(_kept, "buffer", None)
    if buffer is not None and buffer.size >= size:
        return buffer[:size].reshape(shape)
    buffer = np.empty(size, dtype=np.float32)
    if buffer.nbytes <= KEEP_BYTES:
        _kept.buffer = buffer
    return buffer.reshape(shape)


def kept_bytes() -> int:
    """What this thread holds between calls."""
    buffer = getattr(_kept, "buffer", None)
    return 0 if buffer is None else buffer.nbytes
