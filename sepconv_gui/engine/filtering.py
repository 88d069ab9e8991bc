"""One 2-D correlation of a float32 plane with OpenCV, for every border mode.

Everything in the engine that slides a kernel goes through :func:`correlate_plane`, so border
handling, the anchor and the correlation/convolution flag are decided in exactly one place.
"""

from __future__ import annotations

import cv2
import numpy as np

_CV_BORDER = {
    "reflect101": cv2.BORDER_REFLECT_101,
    "reflect": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}


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


def pad_plane(plane: np.ndarray, anchor: tuple[int, int], shape: tuple[int, int], border: str):
    """Pad ``plane`` so a 'valid' correlation of a ``shape`` kernel gives a same-size result."""
    (ay, ax), (kh, kw) = anchor, shape
    cv_border = cv2.BORDER_WRAP if border == "wrap" else _CV_BORDER[border]
    return cv2.copyMakeBorder(plane, ay, kh - 1 - ay, ax, kw - 1 - ax, cv_border, value=0)


def correlate_plane(
    plane: np.ndarray, kernel: np.ndarray, anchor: tuple[int, int], border: str
) -> np.ndarray:
    """Correlate a 2-D float32 ``plane`` with a float32 ``kernel`` anchored at ``anchor``.

    ``plane`` may also be ``(H, W, n)`` with n <= 4: OpenCV then filters every channel with the
    same kernel in one call. OpenCV's filter2D has no wrap border, so wrap pads explicitly and
    filters the padded plane.
    """
    ay, ax = anchor
    if border != "wrap":
        return cv2.filter2D(
            plane, cv2.CV_32F, kernel, anchor=(ax, ay), borderType=_CV_BORDER[border]
        )
    padded = pad_plane(plane, anchor, kernel.shape, border)
    full = cv2.filter2D(padded, cv2.CV_32F, kernel, anchor=(ax, ay), borderType=cv2.BORDER_CONSTANT)
    return full[ay : ay + plane.shape[0], ax : ax + plane.shape[1]]
