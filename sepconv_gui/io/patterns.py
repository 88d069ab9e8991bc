"""Synthetic test images, generated so every demo works without files or a camera."""

from __future__ import annotations

import numpy as np


def zone_plate(height: int = 480, width: int = 640, *, phase: float = 0.0) -> np.ndarray:
    """An RGB zone plate, float32 in [0, 1]: spatial frequency grows with the radius.

    Every direction and frequency appears somewhere, so blur, edge and aliasing effects of a
    kernel all show at once. ``phase`` (radians) shifts the rings; the colour channels are
    offset so channel-mixing steps are visible too.
    """
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    y -= height / 2
    x -= width / 2
    scale = np.pi / (2.0 * max(height, width))
    radius2 = (x * x + y * y) * scale
    channels = [0.5 + 0.5 * np.cos(radius2 + phase + shift) for shift in (0.0, 0.6, 1.2)]
    return np.stack(channels, axis=2).astype(np.float32)
