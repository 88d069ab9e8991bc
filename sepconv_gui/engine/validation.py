"""Input checks shared by every engine entry point.

Each check raises ``ValueError`` or ``TypeError`` with a message that names the argument, says
what was given and what is allowed, so the app can show it to a user as it is.
"""

from __future__ import annotations

import math
import threading

import cv2
import numpy as np

from .threads import allowed_threads, background, parallel_for, shares

#: Border names accepted everywhere, in the order the UI lists them.
BORDER_MODES: tuple[str, ...] = ("reflect101", "reflect", "replicate", "constant", "wrap")


def check_border(border: str) -> str:
    if not isinstance(border, str) or border not in BORDER_MODES:
        raise ValueError(
            f"border={border!r} is not a border mode; use one of {', '.join(BORDER_MODES)}"
        )
    return border


def _check_real(name: str, array: np.ndarray) -> None:
    if array.dtype == np.bool_:
        raise TypeError(f"{name} has dtype bool; give a numeric array (uint8, uint16, float32...)")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} has dtype {array.dtype}; only real integer or float arrays work")


#: Values per block of the finiteness check: large enough that a block outweighs handing it
#: to a thread.
_FINITE_BLOCK = 1 << 18


def finite_values(flat: np.ndarray) -> bool:
    """Whether every value of the 1-D ``flat`` is finite, in one pass with no scratch.

    OpenCV sums float32 in float64, where a sum of finite float32 values cannot overflow; any
    NaN or infinity makes it NaN or infinite (inf - inf is NaN). That is one read of the
    values (0.20 ms at 1280x720x3) where ``np.isfinite(...).all()`` also writes a bool per
    value (0.25-0.77 ms, the more the smaller its blocks). Only a float64 sum can overflow
    on finite values: that, and dtypes OpenCV does not sum, go to the exact check, a block of
    _FINITE_BLOCK values at a time so its bool scratch stays small whatever ``flat`` holds
    (a band of a large image with a NaN in it would otherwise take a bool per value).
    """
    if flat.dtype == np.float32 and flat.size < 2**31:
        if math.isfinite(cv2.sumElems(flat)[0]):
            return True
    return all(
        bool(np.isfinite(flat[start : start + _FINITE_BLOCK]).all())
        for start in range(0, flat.size, _FINITE_BLOCK)
    )


def _all_finite(array: np.ndarray) -> bool:
    """Whether every value is finite, in blocks over the engine's threads (a full pass over
    the image: 0.2 ms at 1280x720x3)."""
    flat = array.reshape(-1) if array.flags.c_contiguous else array.ravel()
    if flat.size <= _FINITE_BLOCK:
        return finite_values(flat)
    blocks = -(-flat.size // _FINITE_BLOCK)
    bad = []

    def run(first: int, last: int) -> None:
        for block in range(first, last):
            if bad:
                return
            part = flat[block * _FINITE_BLOCK : (block + 1) * _FINITE_BLOCK]
            if not finite_values(part):
                bad.append(block)

    parallel_for(blocks, run, pieces=shares(blocks))
    return not bad


def _non_finite_message(name: str, note: str = "") -> str:
    return f"{name} contains NaN or infinity; every value must be finite" + (
        f" {note}" if note else ""
    )


def _check_finite(name: str, array: np.ndarray, note: str = "") -> None:
    if np.issubdtype(array.dtype, np.floating) and not _all_finite(array):
        raise ValueError(_non_finite_message(name, note))


_IMAGE_NOTE = "(float32 holds magnitudes up to about 3.4e38)"


#: Values per block of a :class:`FiniteCheck`'s helper (22 blocks at 1280x720x3): small enough
#: for the helper and the calling thread to share. Whatever a piece holds, the exact check's
#: bool scratch is at most _FINITE_BLOCK values (256 kB) per thread (finite_values).
CHECK_BLOCK = 1 << 17


class FiniteCheck:
    """The finiteness check of a float32 array, done as part of the call's real work.

    On its own the check is a full extra pass over the frame (0.2-0.7 ms at 1280x720x3, a
    quarter of a 3x3 filter call). Two ways to fold it into the work:

    * :meth:`rows`: the work's first pass reads the image in row ranges (the bands of a
      filter call, the blocks of the depthwise copy to channels first) and checks each
      range on its thread right after, while it is in that thread's cache.
    * a helper (``start(helper=True)``) for work that reads no rows first: a pool thread
      checks blocks beside the work wherever the OS finds it a slice.

    :meth:`finish` then checks on the calling thread whatever neither covered, never waiting
    for the helper (a block is only read, so checking it twice is harmless). The error is
    the same one :func:`as_image` raises, only after the work instead of before it.
    """

    def __init__(self, name: str, array: np.ndarray, note: str = "") -> None:
        self.name, self.note = name, note
        floating = np.issubdtype(array.dtype, np.floating)
        self._flat = array.reshape(-1) if floating else array[:0].reshape(-1)
        self._row = array[:1].size  # values per row of a C-contiguous array
        self._covered: list[tuple[int, int]] = []
        self._count = -(-self._flat.size // CHECK_BLOCK)
        self._done = [False] * self._count
        self._next = iter(range(self._count))  # next() on a range iterator is atomic
        self._closed = False
        self._bad = False

    def start(self, helper: bool = True) -> FiniteCheck:
        """Begin: with ``helper``, a pool thread checks blocks from now on. Without, the
        caller's work checks what it reads (:meth:`rows`) and :meth:`finish` the rest."""
        # The calling thread's own cap counts (an app running two frames side by side keeps
        # each on its thread), the machine's load does not: the helper never holds anyone up.
        if helper and self._count > 1 and allowed_threads() > 1:
            background(self._claim)
        _pending_checks().append(self)
        return self

    def _check(self, block: int) -> None:
        part = self._flat[block * CHECK_BLOCK : (block + 1) * CHECK_BLOCK]
        if not finite_values(part):
            self._bad = True  # before _done, so a finished block's verdict is always seen
        self._done[block] = True

    def _claim(self) -> None:
        for block in self._next:
            if self._closed or self._bad:
                return
            self._check(block)

    def rows(self, top: int, bottom: int) -> None:
        """Check rows ``[top, bottom)`` now: a row band just filtered on this thread, whose
        values are still in its cache. Two threads filtering halves of a 1280x720x3 image
        checked them this way in about half the time a third thread took beside them, and
        with no third thread on the two cores (3x3 spatial: 1.32 against 1.10 ms)."""
        start, stop = top * self._row, bottom * self._row
        if not finite_values(self._flat[start:stop]):
            self._bad = True
        self._covered.append((start, stop))  # list.append is atomic

    def finish(self) -> None:
        """Check what no :meth:`rows` call covered (or, with none, what the helper has not
        finished); raise the image's ValueError if needed."""
        self._closed = True
        pending = _pending_checks()
        if self in pending:
            pending.remove(self)
        if self._covered:
            unchecked = _gaps(self._covered, self._flat.size)
        else:
            unchecked = [
                (block * CHECK_BLOCK, (block + 1) * CHECK_BLOCK)
                for block in range(self._count)
                if not self._done[block]
            ]
        for start, stop in unchecked:
            if self._bad:
                break
            if not finite_values(self._flat[start:stop]):
                self._bad = True
        if self._bad:
            raise ValueError(_non_finite_message(self.name, self.note))


def _gaps(covered: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The parts of ``range(size)`` that no ``(start, stop)`` of ``covered`` holds."""
    gaps, reached = [], 0
    for start, stop in sorted(covered):
        if start > reached:
            gaps.append((reached, start))
        reached = max(reached, stop)
    if reached < size:
        gaps.append((reached, size))
    return gaps


_pending = threading.local()


def _pending_checks() -> list[FiniteCheck]:
    """This thread's started and unfinished checks (see :func:`finish_pending_checks`)."""
    if not hasattr(_pending, "checks"):
        _pending.checks = []
    return _pending.checks


def finish_pending_checks(keep: int = 0) -> None:
    """Finish this thread's checks started after the first ``keep``: when a call's work fails
    before its check is finished (an inf reaching a matmul under ``warnings`` set to error,
    say), a non-finite image is the error to report, as a ValueError."""
    pending = _pending_checks()
    started = pending[keep:]
    del pending[keep:]
    for check in reversed(started):
        check.finish()


def pending_check_count() -> int:
    return len(_pending_checks())


def as_image(image: object) -> tuple[np.ndarray, bool]:
    """Return ``image`` as a C-contiguous float32 ``(H, W, C)`` array and whether it was 2-D."""
    array, was_2d = image_array(image)
    _check_finite("image", array, _IMAGE_NOTE)
    return array, was_2d


def check_image_later(data: np.ndarray, helper: bool = True) -> FiniteCheck:
    """The finiteness check of :func:`as_image`, started beside the call's work; the caller
    must call its ``finish()`` before it returns anything (see :meth:`FiniteCheck.start`)."""
    return FiniteCheck("image", data, _IMAGE_NOTE).start(helper)


def image_array(image: object) -> tuple[np.ndarray, bool]:
    """:func:`as_image` without the finiteness check (see :func:`check_image_later`)."""
    array = np.asarray(image)
    _check_real("image", array)
    if array.ndim not in (2, 3):
        raise ValueError(
            f"image must be (H, W) or (H, W, C); got {array.ndim} dimensions, shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"image is empty (shape {array.shape})")
    was_2d = array.ndim == 2
    if was_2d:
        array = array[:, :, np.newaxis]
    # Checked after the cast: a float64 1e39 is finite but becomes inf in float32.
    with np.errstate(over="ignore"):
        array = np.ascontiguousarray(array, dtype=np.float32)
    return array, was_2d


def as_weights(
    name: str, weights: object, ndim: int, layout: str, dtype: type = np.float32
) -> np.ndarray:
    """Return ``weights`` as ``dtype`` after checking rank, emptiness and finiteness."""
    array = np.asarray(weights)
    _check_real(name, array)
    if array.ndim != ndim:
        raise ValueError(
            f"{name} must be {layout}; got {array.ndim} dimensions, shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); every size must be at least 1")
    with np.errstate(over="ignore"):
        array = np.ascontiguousarray(array, dtype=dtype)
    _check_finite(name, array, _IMAGE_NOTE)
    return array


def check_kernel_fits(kh: int, kw: int, height: int, width: int) -> None:
    if kh > height or kw > width:
        raise ValueError(
            f"kernel {kh}x{kw} (height x width) is larger than the image {height}x{width}; "
            "use a smaller kernel or a larger image"
        )


def normal_inputs(image, weights, border: str, algorithm: str, known: tuple[str, ...]):
    """Checked inputs of a normal convolution, shared by the plain and the strided path.

    Returns ``(data, bank, border)``: the image as float32 (H, W, C), the bank as float32
    (P, C, kh, kw) with C matching the image, and the border's canonical name.
    """
    data, _ = as_image(image)
    bank = as_weights("weights", weights, 4, "(P, C, kh, kw)")
    border = check_border(border)
    channels, c = data.shape[2], bank.shape[1]
    if c != channels:
        raise ValueError(
            f"weights have C={c} input channels (shape {bank.shape}) but the image has "
            f"{channels}; weights must be (P, {channels}, kh, kw) for this image"
        )
    if algorithm not in known:
        raise ValueError(f"algorithm={algorithm!r} is unknown; use one of {', '.join(known)}")
    return data, bank, border


def depthwise_inputs(image, depthwise, pointwise, border: str, *, check_later: bool = False):
    """Checked inputs of a depthwise-separable convolution, shared by the plain and the
    strided path.

    Returns ``(data, kernels, mix, border)``: the image as float32 (H, W, C), the C*M kernels
    (C*M, kh, kw) and the pointwise matrix (P, C*M) as float32, and the border's canonical name.
    ``check_later=True`` appends the image's :class:`FiniteCheck`, not started: the caller
    starts it when the work begins and must finish it before it returns.
    """
    if check_later:
        data, _ = image_array(image)  # checked below, once everything else is
    else:
        data, _ = as_image(image)
    kernels = as_weights("depthwise", depthwise, 3, "(C*M, kh, kw)")
    mix = as_weights("pointwise", pointwise, 2, "(P, C*M)")
    border = check_border(border)
    channels, maps = data.shape[2], kernels.shape[0]
    if maps % channels:
        raise ValueError(
            f"depthwise has {maps} kernels (shape {kernels.shape}) but the image has {channels} "
            f"channels; it needs C*M kernels, a multiple of {channels}"
        )
    if mix.shape[1] != maps:
        raise ValueError(
            f"pointwise is {mix.shape} but there are {maps} depthwise maps; "
            f"pointwise must be (P, {maps})"
        )
    if check_later:
        return data, kernels, mix, border, FiniteCheck("image", data, _IMAGE_NOTE)
    return data, kernels, mix, border
