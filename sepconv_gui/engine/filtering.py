"""One 2-D correlation of a float32 plane with OpenCV, for every border mode.

Everything in the engine that slides a kernel or pads an image goes through this module, so
border handling, the anchor, the correlation/convolution flag and OpenCV's channel limit are
decided in exactly one place.
"""

from __future__ import annotations

import cv2
import numpy as np

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
