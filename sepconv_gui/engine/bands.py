"""One OpenCV filter call cut into horizontal bands for the engine's threads.

OpenCV's ``filter2D`` and ``sepFilter2D`` run on one thread here whatever
``cv2.setNumThreads`` says (measured at 1280x720x3: 1 and 2 OpenCV threads took the same
time), so a single spatial-separable call left the second core idle. The engine cuts the
output rows into bands, one per thread, and filters each band of the source on its own.

A band filtered on its own sees its top and bottom edges as image borders, so the rows within
the kernel's reach of an inner edge come out wrong. Each inner edge ("seam") is filtered
again from a small window of true source rows around it, and those rows are copied over the
wrong ones once every band is done. The bands are sized so that every thread's share, seam
included, is the same. Writing straight into the caller's output keeps the cost of a split at
the seams alone (2(kh - 1) rows each): a band-plus-halo copy would cost a whole extra pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .threads import parallel_for, usable_threads

#: Values (rows x columns x channels) a band must hold before a split pays for the hand-off
#: and its seam: a 320x240x3 frame is cut in two, a 160x120x3 one is not.
MIN_BAND_VALUES = 1 << 17

Call = Callable[[np.ndarray, np.ndarray], object]


def band_edges(height: int, kh: int, parts: int, values_per_row: int) -> list[int]:
    """Row edges ``[0, e1, ..., height]`` of at most ``parts`` bands of equal work.

    Band 0 has no seam to redo; every later band also redoes the 2(kh - 1) rows of the seam
    above it, so it gets that many fewer rows of its own. A band must be at least 2*kh rows
    (its wrong rows then lie inside it) and hold MIN_BAND_VALUES values.
    """
    halo = 2 * (kh - 1)
    parts = min(parts, height * values_per_row // MIN_BAND_VALUES)
    while parts > 1:
        first = (height + (parts - 1) * halo) / parts
        if first - halo >= 2 * kh:
            break
        parts -= 1
    if parts <= 1:
        return [0, height]
    edges = [0]
    for index in range(1, parts):
        edges.append(int(round(first + (index - 1) * (first - halo))))
    edges.append(height)
    return edges


def run_band(
    call: Call, src: np.ndarray, dst: np.ndarray, edges: list[int], index: int, kh: int, ay: int
) -> tuple[int, np.ndarray] | None:
    """Filter band ``index`` of ``src`` into ``dst``; return the redone rows of its top seam.

    ``call(source, target)`` filters ``source`` into ``target`` of the same height, treating
    the source's first and last rows as the image's edges. ``ay`` is the kernel's anchor row.
    The result, ``(first_row, rows)``, must be copied into ``dst`` after every band is done.
    """
    top, bottom = edges[index], edges[index + 1]
    call(src[top:bottom], dst[top:bottom])
    # Rows [seam - below, seam + ay) read across the seam: below = kh - 1 - ay rows at the
    # bottom of the band above, ay rows at the top of this one.
    below = kh - 1 - ay
    if index == 0 or kh == 1:
        return None
    seam, height = top, src.shape[0]
    low, high = max(0, seam - (kh - 1)), min(height, seam + kh - 1)
    window = np.empty((high - low,) + dst.shape[1:], dtype=dst.dtype)
    call(src[low:high], window)
    first = seam - below
    return first, window[first - low : seam + ay - low]


def apply_seams(dst: np.ndarray, fixes) -> None:
    for fix in fixes:
        if fix is not None:
            first, rows = fix
            dst[first : first + rows.shape[0]] = rows


#: At most this share of a map's rows is filtered twice at seams (2(kh - 1) rows per seam).
SEAM_SHARE = 0.2


def bands_per_map(maps: int, threads: int, height: int, kh: int) -> int:
    """Bands to cut each of ``maps`` planes of ``height`` rows into so that ``threads``
    threads get equal shares with the fewest seams: 3 maps on 2 threads take 2 bands each
    (6 units, 3 per thread). With at least two maps per thread, claimed one at a time, the
    shares come out within a map of each other already: 1. Never so many bands that the
    seams redo more than SEAM_SHARE of the rows (9 maps on 8 threads at k = 31 would have
    taken 8 bands a map and filtered half the rows twice)."""
    threads = max(1, threads)
    if maps >= 2 * threads:
        return 1
    most = 1 + int(SEAM_SHARE * height / max(1, 2 * (kh - 1)))
    return max(1, min(threads // math.gcd(maps, threads), most))


def band_count(threads: int) -> int:
    """Bands for ``threads`` threads: one each (band_edges may still merge them on small
    images). A call splits only over cores no other process holds (threads.usable_threads),
    so a thread is rarely slowed mid-call; more bands per thread, claimed one at a time, only
    hedged against that and cost their seams on every call: at 1280x720x3 on 2 threads,
    2 bands each took 7 % longer than 1 for k=7, 9 % for 15, and 3 bands for k=31 23 %."""
    return max(1, threads)


def banded(
    call: Call,
    src: np.ndarray,
    dst: np.ndarray,
    kh: int,
    ay: int,
    parts: int,
    on_rows: Callable[[int, int], None] | None = None,
) -> None:
    """``call(src, dst)`` split into row bands over up to ``parts`` engine threads.

    ``on_rows(top, bottom)``, if given, runs on the thread that filtered each band, right
    after it, while the band's source rows are still in that thread's cache (the image's
    finiteness check: validation.FiniteCheck.rows)."""
    values_per_row = int(np.prod(src.shape[1:]))
    count = band_count(min(parts, usable_threads()))
    edges = band_edges(src.shape[0], kh, count, values_per_row)
    if len(edges) == 2:
        call(src, dst)
        if on_rows is not None:
            on_rows(0, src.shape[0])
        return
    fixes: list = [None] * (len(edges) - 1)

    def body(first: int, last: int) -> None:
        for index in range(first, last):
            fixes[index] = run_band(call, src, dst, edges, index, kh, ay)
            if on_rows is not None:
                on_rows(edges[index], edges[index + 1])

    parallel_for(len(edges) - 1, body, pieces=len(edges) - 1)
    apply_seams(dst, fixes)
