"""Kernel presets for the app's kernel picker, with the metadata a UI needs to edit them.

:func:`preset_kernel` builds any preset as a float64 ``(kh, kw)`` kernel; sizes are an int
(square) or a ``(kh, kw)`` pair, each from 1 to :data:`MAX_KERNEL_SIZE`, odd or even. Separable
presets are outer products of named 1-D pieces from :mod:`.kernel_pieces`, and
:func:`preset_factors` returns those exact ``(column, row)`` pieces for the spatial-separable mode.

Sign convention: kernels are listed in textbook form, positive tap first, so Sobel x is
``[[1, 0, -1], [2, 0, -2], [1, 0, -1]]`` and Sobel y is its transpose. Correlated (the engine's
default, ``flip=False``) Sobel x responds *negatively* where brightness rises to the right;
convolved (``flip=True``) it gives ``+d/dx``. This is the negative of ``cv2.getDerivKernels``.
Every ``_y`` preset is the transpose of its ``_x`` preset for square sizes; "x" runs along the
columns (the row factor), "y" down the rows.

Normalization, as each preset's ``normalization`` field states: blurs (identity, box, gaussian,
motion_blur) and sharpeners (sharpen, unsharp_mask, emboss) sum to 1; derivatives (sobel,
scharr, prewitt, laplacian, laplacian_of_gaussian, difference_of_gaussians) sum to 0; gabor and
random are not normalized. Angles are in degrees, counter-clockwise as seen on screen (rows grow
downwards).

Readable derivatives: up to 3 taps a side, Sobel, Scharr, Prewitt and the Laplacian keep their
textbook integers. OpenCV's wider integer kernels grow like ``4**size`` (a 31×31 Sobel reaches
1e16), so wider ones are rescaled to answer a ramp as the 3×3 kernel does: a first-derivative
factor is scaled so a slope-1 ramp gives the 3-tap ``[1, 0, -1]``'s 2, its smoothing factor so it
sums as the 3-tap one (4 for Sobel, 16 for Scharr, 3 for Prewitt), and the Laplacian so it gives
4 on ``x**2 + y**2`` (as the 3×3 one and laplacian_of_gaussian do). The same edge then reads the
same number at every size, and a 31×31 Sobel x peaks at 0.04 instead of 1.6e16.

Natural sizes: :func:`preset_size` gives the size a preset's parameters call for (a Gaussian's
``2*ceil(3*sigma) + 1``, a motion blur's length along its angle, a Gabor's envelope and one
wavelength), or None for presets whose size is their own parameter.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .kernel_presets import PRESETS, Factors, ParamSpec, PresetSpec
from .kernel_sizing import MAX_KERNEL_SIZE, NATURAL_SIZE, check_size

__all__ = [
    "MAX_KERNEL_SIZE",
    "PRESETS",
    "Factors",
    "ParamSpec",
    "PresetSpec",
    "preset_factors",
    "preset_kernel",
    "preset_size",
]


def _lookup(name: object) -> PresetSpec:
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"name={name!r} is not a kernel preset; use one of {', '.join(PRESETS)}")
    return PRESETS[name]


def _build(name: object, size: object, params: Mapping[str, object]):
    spec = _lookup(name)
    kh, kw = check_size(size)
    return spec, spec.build(kh, kw, **spec.resolve(params))


def preset_kernel(name: str, size, **params) -> np.ndarray:
    """Build a preset kernel.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`.
    size : int or tuple of int
        ``n`` for ``n x n`` or ``(kh, kw)``; each from 1 to :data:`MAX_KERNEL_SIZE`.
    **params
        The preset's parameters (see ``PRESETS[name].params``); missing ones take defaults.

    Returns
    -------
    ndarray
        float64 ``(kh, kw)``. For separable presets it is exactly
        ``np.outer(*preset_factors(name, size, **params))``.

    Raises
    ------
    ValueError
        Unknown name, bad size, unknown parameter or a value out of range.

    Examples
    --------
    >>> preset_kernel("sobel_x", 3)
    array([[ 1.,  0., -1.],
           [ 2.,  0., -2.],
           [ 1.,  0., -1.]])
    >>> preset_kernel("gaussian", (3, 5), sigma=2.0).shape
    (3, 5)
    """
    spec, built = _build(name, size, params)
    return np.outer(*built) if spec.separable else built


def preset_factors(name: str, size, **params) -> Factors | None:
    """The exact ``(column, row)`` 1-D factors of a separable preset, or None if it has none.

    ``column`` has ``kh`` taps and ``row`` ``kw``; their outer product is the kernel. Presets
    that are not separable in general return None even at sizes where they happen to be rank 1.
    Arguments and errors are those of :func:`preset_kernel`.

    Examples
    --------
    >>> column, row = preset_factors("sobel_x", 3)
    >>> column, row
    (array([1., 2., 1.]), array([ 1.,  0., -1.]))
    >>> preset_factors("laplacian", 3) is None
    True
    """
    spec, built = _build(name, size, params)
    return built if spec.separable else None


def preset_size(name: str, **params) -> tuple[int, int] | None:
    """The ``(kh, kw)`` a preset's parameters call for, or None if it has no such size.

    Gaussian-based presets take ``2*ceil(3*sigma) + 1`` (the larger sigma for a difference of
    Gaussians): the taps cut off beyond 3 sigma hold 0.3 % of the weight. A motion blur takes
    the odd box that holds its whole line (length 5 at 0 degrees is 1×5, at 90 degrees 5×1). A
    Gabor takes the box around its envelope to 3 sigma along the wave and 3 sigma / gamma
    across it, and at least one wavelength along it, turned by theta. Sides are capped at
    :data:`MAX_KERNEL_SIZE`. Parameters and errors are those of :func:`preset_kernel`.

    Examples
    --------
    >>> preset_size("gaussian", sigma=2.0)
    (13, 13)
    >>> preset_size("motion_blur", length=5, angle=90)
    (5, 1)
    >>> preset_size("sobel_x") is None
    True
    """
    spec = _lookup(name)
    values = spec.resolve(params)
    size = NATURAL_SIZE.get(spec.name)
    return None if size is None else size(**values)
