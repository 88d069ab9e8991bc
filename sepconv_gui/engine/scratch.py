"""Scratch buffers kept from one engine call to the next on the same calling thread.

A fresh image-sized buffer costs page faults on every call, and on the reference VM they
are dear: at 1280x720x3, two 1-D filter2D passes of 7 taps took 3.3 ms into buffers already
touched and 5.6 ms into fresh ones (about 1.2 ms a buffer). Outputs are the caller's and
must be fresh; an intermediate that never leaves the call (the horizontal pass of
filtering.passes_into, the channels-first copy and maps of a depthwise call) can live in
memory the last call touched.

One buffer per use (``name``) per calling thread, so concurrent calls never share one, grown
to the largest request up to KEEP_BYTES and dropped with the thread. Larger requests are
allocated and let go as usual: their filtering costs far more than the faults.
"""

from __future__ import annotations

import threading

import numpy as np

#: A thread keeps buffers under this between calls, one per use: a 1920x1080x3 float32
#: image (24.9 MB) fits.
KEEP_BYTES = 32 * 2**20

_kept = threading.local()


def _buffers() -> dict[str, np.ndarray]:
    found = getattr(_kept, "buffers", None)
    if found is None:
        found = _kept.buffers = {}
    return found


def scratch(shape: tuple[int, ...], name: str = "") -> np.ndarray:
    """An uninitialised C-contiguous float32 array of ``shape`` for the use ``name``, valid
    until this thread asks for ``name`` again: never return it, or a view of it, to the
    caller."""
    size = int(np.prod(shape))
    buffers = _buffers()
    buffer = buffers.get(name)
    if buffer is not None and buffer.size >= size:
        return buffer[:size].reshape(shape)
    buffer = np.empty(size, dtype=np.float32)
    # Strictly below: memory_paths counts a freed block from HEAP_BLOCK_LIMIT (the same
    # 32 MiB) up as given back, so a kept one must stay under it.
    if buffer.nbytes < KEEP_BYTES:
        buffers[name] = buffer
    return buffer.reshape(shape)


def kept_bytes() -> int:
    """What this thread holds between calls, every use together."""
    return sum(buffer.nbytes for buffer in _buffers().values())


def release() -> None:
    """Let go of what this thread keeps: its next call pays for fresh buffers again, as a
    first call does (what memory.estimate_memory predicts)."""
    _buffers().clear()
