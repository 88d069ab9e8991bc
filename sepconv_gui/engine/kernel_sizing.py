"""Kernel sizes: the allowed range, and the size a preset's parameters call for.

Split from :mod:`.kernels` (which re-exports :data:`MAX_KERNEL_SIZE`); the natural sizes are
described in :func:`.kernels.preset_size`. No Qt, no preset table: plain arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np

#: The largest kernel height or width a preset is built at.
MAX_KERNEL_SIZE = 31


def check_size(size: object) -> tuple[int, int]:
    def whole(v: object) -> bool:
        return not isinstance(v, bool) and isinstance(v, Integral) and 1 <= v <= MAX_KERNEL_SIZE

    pair = (size, size) if isinstance(size, Integral) else size
    if isinstance(pair, tuple | list) and len(pair) == 2 and all(whole(v) for v in pair):
        return int(pair[0]), int(pair[1])
    raise ValueError(
        f"size={size!r} is not allowed; give an int or a (kh, kw) pair of whole numbers "
        f"from 1 to {MAX_KERNEL_SIZE}"
    )


def _odd_cover(half_extent: float) -> int:
    """The odd side whose pixels cover ``[-half_extent, half_extent]`` around the centre
    pixel (pixel i spans i - 0.5 .. i + 0.5), capped at MAX_KERNEL_SIZE."""
    # The small slack keeps a length of exactly 5 at 5 taps despite rounding in cos/sin.
    side = 2 * max(0, int(np.ceil(half_extent - 0.5 - 1e-9))) + 1
    return min(MAX_KERNEL_SIZE, side)


def _sigma_side(sigma: float) -> int:
    return min(MAX_KERNEL_SIZE, 2 * int(np.ceil(3 * sigma)) + 1)


def _motion_size(length: float, angle: float) -> tuple[int, int]:
    dx, dy = np.abs(np.round([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))], 12))
    return _odd_cover(length * dy / 2), _odd_cover(length * dx / 2)


def _gabor_size(theta, wavelength, sigma, gamma, psi) -> tuple[int, int]:
    # The envelope out to 3 sigma along the wave and 3 sigma / gamma across it, and at least
    # one whole wavelength along it; the box around that ellipse once turned by theta.
    along, across = max(3 * sigma, wavelength / 2), 3 * sigma / gamma
    c, s = np.abs(np.round([np.cos(np.deg2rad(theta)), np.sin(np.deg2rad(theta))], 12))
    half_w = float(np.hypot(along * c, across * s))
    half_h = float(np.hypot(along * s, across * c))
    return _odd_cover(half_h + 0.5), _odd_cover(half_w + 0.5)


NATURAL_SIZE: dict[str, Callable[..., tuple[int, int]]] = {
    "gaussian": lambda sigma: (_sigma_side(sigma),) * 2,
    "laplacian_of_gaussian": lambda sigma: (_sigma_side(sigma),) * 2,
    "unsharp_mask": lambda amount, sigma: (_sigma_side(sigma),) * 2,
    "difference_of_gaussians": lambda sigma1, sigma2: (_sigma_side(max(sigma1, sigma2)),) * 2,
    "motion_blur": _motion_size,
    "gabor": _gabor_size,
}
