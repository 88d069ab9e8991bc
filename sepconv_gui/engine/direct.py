"""Normal convolution as one OpenCV ``filter2D`` per (output, input) pair, in cache-sized bands.

The sliding sum's arithmetic is fixed (P*C filters of kh*kw taps); what a naive loop adds on
top is memory traffic. Filtering whole planes into freshly allocated results cost more than
the filtering itself at 640x480x3, P=8, k=5 (20.8 ms against an arithmetic floor of ~8 ms on
one core): every result was a new 1.2 MB buffer (page faults), every sum a pass over it, and
the final interleave another pass over the whole output.

Here the output is cut into horizontal bands a few dozen rows high. A band builds its own
padded rows (the image rows it reads plus the border, split into channel planes) and keeps
every intermediate in buffers reused for the whole call (one set per thread), small enough
to stay in the core's L2 cache: the filters write into them (``dst=``), the sums stay in
cache, and the finished band is interleaved straight into its rows of the channels-last
output. A band filters its rows plus the kernel's reach and keeps the interior, so it needs
no seam handling and is exact for every border mode. Padding per band also spares a
whole-image padded copy and its transpose (3.8 of 23 ms at 1280x720x3, P=8, k=3). Wrap
(rows from the far edge) and many input channels (large per-thread planes) pad the whole
image once instead. Bands are claimed one at a time by the engine's threads, so a thread
slowed by another process holds up one band, not half the image.
"""

from __future__ import annotations


import cv2
import numpy as np

from .filtering import _CV_BORDER, CV_MAX_CHANNELS
from .threads import PerThread, parallel_for

#: Values (rows x padded columns) of one band plane. Every band filters kh - 1 rows beyond
#: its own, so bands must be tall for the overlap to stay small, yet short enough for many
#: bands per thread. Measured on one thread (busy machine, same run): 640x480x3, P=8, k=5:
#: 40k values 13.7 ms, 80k 12.2, 160k 14.2; 1280x720x3, k=7: 64.8, 58.0, 55.6 (the OpenCV
#: loop 55.8); k=3: 25.0, 21.4, 21.4 (the loop 23.0).
BAND_VALUES = 80_000

#: A band is at least this many times the kernel's reach (kh - 1) rows high, so the rows it
#: filters twice stay under an eighth of its own (k=15 on 16-row bands was 1.8x the loop).
REACH_FACTOR = 8

#: Up to this many input channels a band pads its own rows; above it the per-thread planes
#: would outgrow the cache, and the image is padded once.
BAND_PAD_CHANNELS = 16

#: Output channels filtered and interleaved together: bounds the per-thread accumulators
#: (GROUP bands) whatever P is.
GROUP = 16


def band_rows(height: int, padded_width: int, kh: int) -> int:
    """Output rows per band: about BAND_VALUES values, at least REACH_FACTOR * (kh - 1) rows
    (and 8), never more than the image."""
    rows = max(BAND_VALUES // padded_width, REACH_FACTOR * (kh - 1), 8)
    return min(height, rows)


def direct(image, weights, anchor, border, padded_planes) -> np.ndarray:
    """``out[..., p] = sum_c corr(image[..., c], weights[p, c])`` (see algorithms.py).

    ``padded_planes(image, anchor, shape, border)`` gives the ``(C, H+kh-1, W+kw-1)`` image
    padded for a 'valid' correlation.
    """
    height, width, channels = image.shape
    outputs, _, kh, kw = weights.shape
    ay, ax = anchor
    own_rows = border != "wrap" and channels <= BAND_PAD_CHANNELS
    source = None if own_rows else padded_planes(image, anchor, (kh, kw), border)
    padded_width = width + kw - 1
    rows = band_rows(height, padded_width, kh)
    bands = -(-height // rows)
    group = min(outputs, GROUP)
    out = np.empty((height, width, outputs), dtype=np.float32)
    # The padded source's rows are the image's: any OpenCV border is fine, it is never read
    # into the kept interior.
    border_type = cv2.BORDER_CONSTANT
    target = (ax, ay)

    def make_buffers():
        shape = (rows + kh - 1, padded_width)
        planes = np.empty((channels,) + shape, dtype=np.float32) if own_rows else None
        return (
            np.empty((group,) + shape, dtype=np.float32),
            np.empty(shape, dtype=np.float32),
            planes,
        )

    scratch = PerThread(make_buffers)

    def band_source(planes, top: int, count: int) -> np.ndarray:
        """The band's padded rows, channels first: image rows [top - ay, top + count + kh -
        1 - ay), the border filled in where they leave the image."""
        first, stop = top - ay, top + count + kh - 1 - ay
        pad_top, pad_bottom = max(0, -first), max(0, stop - height)
        # Reflections read up to kh rows in from an edge: keep them in the slice even when
        # the band itself is shorter, then cut the band's rows out of the padded slice.
        low = min(max(0, first), max(0, height - kh))
        high = max(min(height, stop), min(height, kh))
        padded = cv2.copyMakeBorder(
            image[low:high], pad_top, pad_bottom, ax, kw - 1 - ax, _CV_BORDER[border], value=0
        )
        offset = first - (low - pad_top)
        span = count + kh - 1
        rows_needed = padded[offset : offset + span]
        if channels == 1:
            return rows_needed.reshape(1, span, padded_width)
        cv2.split(rows_needed, mv=[plane[:span] for plane in planes])
        return planes

    def run(first: int, last: int) -> None:
        sums, term, planes = scratch.get()
        for band in range(first, last):
            top = band * rows
            count = min(rows, height - top)
            span = count + kh - 1
            if source is None:
                rows_of, at = band_source(planes, top, count), 0
            else:
                rows_of, at = source, top
            term_view = term[:span]
            for start in range(0, outputs, group):
                stop = min(outputs, start + group)
                for slot, kernels in enumerate(weights[start:stop]):
                    acc = sums[slot, :span]
                    cv2.filter2D(
                        rows_of[0, at : at + span],
                        cv2.CV_32F,
                        kernels[0],
                        dst=acc,
                        anchor=target,
                        borderType=border_type,
                    )
                    for c in range(1, channels):
                        cv2.filter2D(
                            rows_of[c, at : at + span],
                            cv2.CV_32F,
                            kernels[c],
                            dst=term_view,
                            anchor=target,
                            borderType=border_type,
                        )
                        cv2.add(acc, term_view, dst=acc)
                interiors = [
                    sums[slot, ay : ay + count, ax : ax + width] for slot in range(stop - start)
                ]
                _interleave(interiors, out[top : top + count], start)

    parallel_for(bands, run, pieces=bands)
    return out


def _interleave(interiors, band_out, start: int) -> None:
    """Write ``interiors`` (one 2-D plane per output channel) into channels ``start:`` of the
    channels-last ``band_out`` in one OpenCV pass: cv2.merge when they are all of them,
    cv2.mixChannels into the strided channels of a group (numpy above OpenCV's limit)."""
    count = band_out.shape[2]
    if count > CV_MAX_CHANNELS:
        for slot, plane in enumerate(interiors):
            band_out[:, :, start + slot] = plane
    elif len(interiors) == count:
        cv2.merge(interiors, dst=band_out)
    else:
        pairs = [index for slot in range(len(interiors)) for index in (slot, start + slot)]
        cv2.mixChannels(interiors, [band_out], pairs)
