"""What a rank-r kernel does to a real image: the output PSNR of r pairs of 1-D passes against
the exact k×k result, for the separability panel. No Qt.

Measured on a small copy of the current input (at most PREVIEW_PIXELS pixels, area-averaged,
and its first PREVIEW_CHANNELS channels) so that it stays a few milliseconds on the GUI
thread at any kernel size; the panel says the size it was measured at.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..engine import analyze_kernel, depthwise_separable_conv, spatial_separable_conv

PREVIEW_PIXELS = 160 * 120
PREVIEW_CHANNELS = 3


def preview_image(image: np.ndarray) -> np.ndarray:
    """An ``(h, w, c)`` float32 copy with at most PREVIEW_PIXELS pixels and 3 channels."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[:, :, None]
    image = image[:, :, :PREVIEW_CHANNELS]
    h, w = image.shape[:2]
    scale = math.sqrt(PREVIEW_PIXELS / (h * w))
    if scale < 1:
        size = (max(1, int(w * scale)), max(1, int(h * scale)))  # down: stays within the cap
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        image = small.reshape(size[1], size[0], image.shape[2])
    return np.ascontiguousarray(image)


def exact_output(image: np.ndarray, kernel: np.ndarray, border: str, flip: bool) -> np.ndarray:
    """The kernel run as one k×k pass on every channel (a depthwise pass, identity mixing)."""
    c = image.shape[2]
    kernel = np.asarray(kernel, dtype=np.float64)
    stack = np.repeat(kernel[None], c, axis=0)
    return depthwise_separable_conv(image, stack, np.eye(c), border=border, flip=flip).output


def psnr(reference: np.ndarray, approximation: np.ndarray) -> float:
    """10·log10(range² / MSE) in dB, the range being the reference's max - min (a derivative
    kernel's output is signed, so a fixed 0..1 peak would flatter or punish it); inf when
    the two are equal."""
    reference = np.asarray(reference, dtype=np.float64)
    mse = float(np.mean((reference - np.asarray(approximation, dtype=np.float64)) ** 2))
    if mse == 0:
        return math.inf
    peak = float(reference.max() - reference.min()) or 1.0
    return 10 * math.log10(peak * peak / mse)


def rank_psnr(
    image: np.ndarray,
    kernel: np.ndarray,
    rank: int,
    border: str = "reflect101",
    flip: bool = False,
    exact: np.ndarray | None = None,
) -> float:
    """PSNR of the spatial-separable mode's rank-``rank`` output against the exact one.

    ``image`` is used as given (pass :func:`preview_image` of the input); ``exact`` may be
    :func:`exact_output` computed before, so a slider moving r does not redo it.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if exact is None:
        exact = exact_output(image, kernel, border, flip)
    analysis = analyze_kernel(kernel)
    if analysis.singular_values[0] == 0:
        return psnr(exact, np.zeros_like(exact))
    column, row = analysis.factors(min(rank, len(analysis.singular_values)))
    approx = spatial_separable_conv(image, column, row, border=border, flip=flip).output
    return psnr(exact, approx)
