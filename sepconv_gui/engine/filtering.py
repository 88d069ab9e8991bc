"""One 2-D correlation of a float32 plane with OpenCV, for every border mode.

Everything in the engine that slides a kernel or pads an image goes through this module, so
border handling, the anchor, the correlation/convolution flag and OpenCV's channel limit are
decided in exactly one place.
"""

from __future__ import annotations

import cv2
import numpy as np

from .threads import parallel_for, shares

_CV_BORDER = {
    "reflect101": cv2.BORDER_REFLECT_101,
    "reflect": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
    "wrap": cv2.BORDER_WRAP,
}


def _probe_channel_limit() -> int:
    """The most channels one OpenCV array may have (CV_CN_MAX): 128 in OpenCV 5, 512 in 4.

    The Python bindings do not export the constant, so ask copyMakeBorder, which checks it.
    """
    for channels in (512, 128):
        try:
            cv2.copyMakeBorder(np.zeros((1, 1, channels), np.float32), 0, 0, 0, 0, 0)
        except cv2.error:
            continue
        return channels
    return 4


#: copyMakeBorder, merge, filter2D, sepFilter2D and transform refuse arrays with more channels
#: than this; everything above it is cut into channel chunks (or done in numpy).
CV_MAX_CHANNELS = _probe_channel_limit()


def anchor_of(kh: int, kw: int, flip: bool) -> tuple[int, int]:
    """The ``(row, col)`` anchor of a ``kh x kw`` kernel as :func:`oriented` returns it."""
    return (kh - 1 - kh // 2, kw - 1 - kw // 2) if flip else (kh // 2, kw // 2)


def oriented(kernel: np.ndarray, flip: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """The kernel to correlate with and its anchor ``(row, col)``.

    Correlation anchors at the centre ``(kh // 2, kw // 2)``. True convolution rotates the
    kernel by 180 degrees; the anchor moves with it so that, for even sizes too, an impulse
    reproduces the kernel upright with its centre on the impulse.
    """
    kh, kw = kernel.shape
    if not flip:
        return kernel, (kh // 2, kw // 2)
    return np.ascontiguousarray(kernel[::-1, ::-1]), (kh - 1 - kh // 2, kw - 1 - kw // 2)


def _by_channel_chunks(function, array: np.ndarray, out_shape: tuple[int, int]) -> np.ndarray:
    """``function`` applied to channel chunks OpenCV accepts, joined channels-last."""
    count = array.shape[2]
    out = np.empty(out_shape + (count,), dtype=np.float32)
    for first in range(0, count, CV_MAX_CHANNELS):
        last = min(count, first + CV_MAX_CHANNELS)
        part = function(np.ascontiguousarray(array[:, :, first:last]))
        out[:, :, first:last] = part.reshape(out_shape + (last - first,))
    return out


def pad_plane(plane: np.ndarray, anchor: tuple[int, int], shape: tuple[int, int], border: str):
    """Pad ``plane`` so a 'valid' correlation of a ``shape`` kernel gives a same-size result."""
    (ay, ax), (kh, kw) = anchor, shape
    top, bottom, left, right = ay, kh - 1 - ay, ax, kw - 1 - ax

    def pad(part):
        return cv2.copyMakeBorder(part, top, bottom, left, right, _CV_BORDER[border], value=0)

    if plane.ndim == 3 and plane.shape[2] > CV_MAX_CHANNELS:
        height, width = plane.shape[:2]
        return _by_channel_chunks(pad, plane, (height + kh - 1, width + kw - 1))
    return pad(plane)


def correlate_plane(
    plane: np.ndarray, kernel: np.ndarray, anchor: tuple[int, int], border: str
) -> np.ndarray:
    """Correlate a 2-D float32 ``plane`` with a float32 ``kernel`` anchored at ``anchor``.

    ``plane`` may also be ``(H, W, n)``: OpenCV then filters every channel with the same kernel
    (in chunks of CV_MAX_CHANNELS). OpenCV's filter2D has no wrap border, so wrap pads
    explicitly and filters the padded plane.
    """
    if plane.ndim == 3 and plane.shape[2] > CV_MAX_CHANNELS:
        return _by_channel_chunks(
            lambda part: correlate_plane(part, kernel, anchor, border), plane, plane.shape[:2]
        )
    ay, ax = anchor
    if border != "wrap":
        return cv2.filter2D(
            plane, cv2.CV_32F, kernel, anchor=(ax, ay), borderType=_CV_BORDER[border]
        )
    padded = pad_plane(plane, anchor, kernel.shape, border)
    full = cv2.filter2D(padded, cv2.CV_32F, kernel, anchor=(ax, ay), borderType=cv2.BORDER_CONSTANT)
    return full[ay : ay + plane.shape[0], ax : ax + plane.shape[1]]


def _cv_view(array: np.ndarray) -> np.ndarray:
    """OpenCV's shape for ``array``: a single channel is 2-D (it returns (H, W) for it too)."""
    return array[:, :, 0] if array.ndim == 3 and array.shape[2] == 1 else array


def _into(run, src: np.ndarray, shape: tuple[int, int], anchor, border: str, dst: np.ndarray):
    """Apply the OpenCV call ``run(src, dst, anchor_xy, border_type)`` writing into ``dst``.

    ``shape`` is the kernel's (kh, kw). Above OpenCV's channel limit the channels go in
    chunks through a temporary (a chunk of a channels-last array is not contiguous); wrap pads
    explicitly, filters the padded plane and copies the valid part.
    """
    count = src.shape[2] if src.ndim == 3 else 1
    if count > CV_MAX_CHANNELS:
        for first in range(0, count, CV_MAX_CHANNELS):
            last = min(count, first + CV_MAX_CHANNELS)
            part = np.empty(src.shape[:2] + (last - first,), dtype=np.float32)
            _into(run, np.ascontiguousarray(src[:, :, first:last]), shape, anchor, border, part)
            dst[:, :, first:last] = part
        return dst
    ay, ax = anchor
    source, target = _cv_view(src), _cv_view(dst)
    if border == "wrap":
        padded = pad_plane(source, anchor, shape, border)
        full = run(padded, None, (ax, ay), cv2.BORDER_CONSTANT)
        height, width = source.shape[:2]
        np.copyto(target, full[ay : ay + height, ax : ax + width].reshape(target.shape))
        return dst
    written = run(source, target, (ax, ay), _CV_BORDER[border])
    if not np.shares_memory(written, target):  # OpenCV reallocated: should not happen
        np.copyto(target, written.reshape(target.shape))
    return dst


def can_band(parts: int, border: str, channels: int) -> bool:
    """Whether a filter call of ``channels`` may be cut into row bands, each reporting its
    rows through ``on_rows``: wrap pads around the whole image and runs in one piece, and
    above OpenCV's channel limit sep_filter_into takes passes of its own."""
    return parts > 1 and border != "wrap" and channels <= CV_MAX_CHANNELS


def _split_into(run, src, shape, anchor, border: str, dst: np.ndarray, parts: int, on_rows=None):
    """:func:`_into`, cut into row bands over ``parts`` engine threads (see bands.py), with
    ``on_rows`` as in bands.banded.

    Wrap is padded explicitly around the whole image, so a band cannot stand alone: it runs
    in one piece.
    """
    if parts <= 1 or border == "wrap":
        _into(run, src, shape, anchor, border, dst)
        if on_rows is not None:
            on_rows(0, src.shape[0])
        return dst
    from .bands import banded

    banded(
        lambda s, d: _into(run, s, shape, anchor, border, d),
        src,
        dst,
        shape[0],
        anchor[0],
        parts,
        on_rows,
    )
    return dst


def filter_into(
    src, kernel, anchor, border: str, dst: np.ndarray, parts: int = 1, on_rows=None
) -> np.ndarray:
    """Correlate ``src`` ((H, W) or (H, W, n)) with a 2-D ``kernel`` into float32 ``dst``.

    ``parts`` > 1 cuts the call into row bands over that many engine threads; ``on_rows``:
    see bands.banded.
    """

    def run(source, target, anchor_xy, border_type):
        return cv2.filter2D(
            source, cv2.CV_32F, kernel, dst=target, anchor=anchor_xy, borderType=border_type
        )

    return _split_into(run, src, kernel.shape, anchor, border, dst, parts, on_rows)


def vertical_wide(src, column, ay: int, border: str, dst: np.ndarray, parts: int = 1) -> None:
    """A ``kh x 1`` pass of ``src`` into ``dst`` (both ``(H, W, C)``) that reads each as one
    wide single-channel image ``(H, W*C)``. A column kernel never mixes values along a row, so
    the channels may sit side by side; OpenCV filters a single channel fastest (31 taps at
    1280x720x3: 2.9 ms against 4.2 ms channels-last); and column strips, claimed over up to
    ``parts`` threads, need no seams. ``ay`` is the kernel's anchor row."""
    height = src.shape[0]
    wide_src = np.ascontiguousarray(src).reshape(height, -1)
    # A view only when dst is C-contiguous: otherwise write a contiguous copy and move it.
    target = dst if dst.flags.c_contiguous else np.empty(dst.shape, dtype=np.float32)
    wide_dst = target.reshape(height, -1)
    vertical = np.ascontiguousarray(column, dtype=np.float32).reshape(-1, 1)

    def run_column(source, out, anchor_xy, border_type):
        return cv2.filter2D(
            source, cv2.CV_32F, vertical, dst=out, anchor=anchor_xy, borderType=border_type
        )

    def strips(first: int, last: int) -> None:
        _into(
            run_column,
            wide_src[:, first:last],
            (vertical.shape[0], 1),
            (ay, 0),
            border,
            wide_dst[:, first:last],
        )

    columns = wide_src.shape[1]
    if parts > 1:
        parallel_for(columns, strips, pieces=shares(columns))
    else:
        strips(0, columns)
    if target is not dst:
        np.copyto(dst, target)


#: Values a block of the horizontal pass of :func:`_wide_sep_into` copies at once (4 MB).
WIDE_BLOCK_VALUES = 1 << 20


def wide_block_rows(width: int, channels: int) -> int:
    """Rows of one block of :func:`_wide_sep_into`'s horizontal pass."""
    return max(1, WIDE_BLOCK_VALUES // (width * min(channels, CV_MAX_CHANNELS)))


def _wide_sep_into(src, column, row, anchor, border: str, dst: np.ndarray, parts: int) -> None:
    """:func:`sep_filter_into` above OpenCV's channel limit, without a copy of a band.

    Channel chunks of whole bands, copied to be contiguous, held two band-sized temporaries
    per thread (1280x720, C=256, k=31: 1.7 GB at once against a 0.9 GB output). Instead the
    vertical pass reads the ``(H, W*C)`` rows as one wide single-channel image and writes
    straight into ``dst``, cut into column strips over the threads (a column kernel never
    mixes values along a row, so strips need no seams); the horizontal pass then refilters
    ``dst`` in place, a block of rows and a chunk of channels at a time, through two
    block-sized buffers per thread (a row kernel reads only its own row, so a block needs no
    halo and may overwrite what it read). ``parts`` 1 runs both on the calling thread.
    """
    height, width, count = src.shape
    ay, ax = anchor
    vertical_wide(src, column, ay, border, dst, parts)
    rows = min(height, wide_block_rows(width, count))
    chunks = [(c, min(count, c + CV_MAX_CHANNELS)) for c in range(0, count, CV_MAX_CHANNELS)]
    units = -(-height // rows) * len(chunks)
    kernel = row.reshape(1, -1)

    def run(first: int, last: int) -> None:
        buffers = np.empty((2, rows * width * min(count, CV_MAX_CHANNELS)), dtype=np.float32)
        for unit in range(first, last):
            block, chunk = divmod(unit, len(chunks))
            top, bottom = block * rows, min(height, (block + 1) * rows)
            a, b = chunks[chunk]
            shape = (bottom - top, width, b - a)
            size = shape[0] * shape[1] * shape[2]
            source = buffers[0, :size].reshape(shape)
            target = buffers[1, :size].reshape(shape)
            np.copyto(source, dst[top:bottom, :, a:b])
            filter_into(source, kernel, (0, ax), border, target)
            dst[top:bottom, :, a:b] = target

    if parts > 1:
        parallel_for(units, run, pieces=shares(units))
    else:
        run(0, units)


def sep_filter_into(
    src, column, row, anchor, border: str, dst: np.ndarray, parts: int = 1, on_rows=None
) -> np.ndarray:
    """Correlate ``src`` with ``outer(column, row)`` as one ``cv2.sepFilter2D`` into ``dst``
    (in row bands over ``parts`` engine threads when ``parts`` > 1; ``on_rows``: see
    bands.banded). Above OpenCV's channel limit: a vertical and a horizontal pass
    (:func:`_wide_sep_into`)."""
    column = np.ascontiguousarray(column, dtype=np.float32).ravel()
    row = np.ascontiguousarray(row, dtype=np.float32).ravel()
    if src.ndim == 3 and src.shape[2] > CV_MAX_CHANNELS:
        _wide_sep_into(src, column, row, anchor, border, dst, parts)
        return dst

    def run(source, target, anchor_xy, border_type):
        return cv2.sepFilter2D(
            source, cv2.CV_32F, row, column, dst=target, anchor=anchor_xy, borderType=border_type
        )

    return _split_into(run, src, (column.size, row.size), anchor, border, dst, parts, on_rows)


def passes_into(
    src,
    column,
    row,
    anchor,
    border: str,
    dst: np.ndarray,
    parts: int = 1,
    on_rows=None,
    between: np.ndarray | None = None,
) -> np.ndarray:
    """Correlate ``src`` with ``outer(column, row)`` as two 1-D ``filter2D`` passes into
    ``dst``: the horizontal one into ``between`` (a scratch like ``dst``; allocated when
    None), in row bands over ``parts`` threads with ``on_rows`` as in bands.banded (a row
    kernel never reads across rows, so the bands need no seams), then :func:`vertical_wide`
    on the calling thread.

    With long kernels this beats one ``sepFilter2D`` despite the extra pass over memory:
    OpenCV's 1-D filter2D runs through IPP, its sepFilter2D does not (1280x720x3, one thread,
    buffers reused: 15x15 4.0 against 6.6 ms, 31x31 6.6 against 15.2; see
    separable.PASSES_FROM_TAPS for where it starts to win). Above OpenCV's
    channel limit: :func:`_wide_sep_into` (the same passes, vertical first)."""
    column = np.ascontiguousarray(column, dtype=np.float32).ravel()
    row = np.ascontiguousarray(row, dtype=np.float32).ravel()
    if src.ndim == 3 and src.shape[2] > CV_MAX_CHANNELS:
        _wide_sep_into(src, column, row, anchor, border, dst, parts)
        return dst
    if between is None:
        between = np.empty(dst.shape, dtype=np.float32)
    filter_into(src, row.reshape(1, -1), (0, anchor[1]), border, between, parts, on_rows)
    # On one thread: a second one gained nothing on the reference VM for this streaming pass
    # (1280x720x3, 31 taps: 3.5 ms on one, 3.4-4.3 in 2, 4 or 8 strips on two), where the
    # horizontal pass, with its channel-interleaved taps, went from 3.6 to 2.3 ms.
    vertical_wide(between, column, anchor[0], border, dst, 1)
    return dst
