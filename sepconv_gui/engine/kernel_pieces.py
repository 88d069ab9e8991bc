"""Named 1-D pieces that the separable kernel presets are outer products of.

Every piece is a float64 ``(n,)`` row for any ``n >= 1``, odd or even. A kernel's anchor sits at
index ``n // 2`` (as in OpenCV), while symmetric pieces are centred on the geometric middle
``(n - 1) / 2``, so an even-sized piece is symmetric but lies half a pixel before its anchor.

Derivative pieces are written with the *positive tap first* (``derivative(3)`` is
``[1, 0, -1]``), the textbook form of Sobel and Prewitt. That is the negative of
``cv2.getDerivKernels``: correlated (the engine's default, ``flip=False``) such a row gives
``-d/dx``; convolved (``flip=True``) it gives ``+d/dx``.
"""

from __future__ import annotations

from math import comb, isfinite
from numbers import Integral, Real

import numpy as np


def _check_taps(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"n={n!r} is not a tap count; give a whole number >= 1")
    return int(n)


def impulse_1d(n: int) -> np.ndarray:
    """A single 1 at the anchor ``n // 2``: the 1-D identity.

    Examples
    --------
    >>> impulse_1d(4)
    array([0., 0., 1., 0.])
    """
    row = np.zeros(_check_taps(n))
    row[n // 2] = 1.0
    return row


def box_1d(n: int, *, normalized: bool = True) -> np.ndarray:
    """``n`` equal taps: ``1/n`` each (sum 1), or all ones when ``normalized=False``.

    Examples
    --------
    >>> box_1d(4)
    array([0.25, 0.25, 0.25, 0.25])
    >>> box_1d(3, normalized=False)
    array([1., 1., 1.])
    """
    n = _check_taps(n)
    return np.full(n, 1.0 / n if normalized else 1.0)


def smoothing(n: int) -> np.ndarray:
    """Binomial row ``C(n-1, k)``: the Sobel smoothing factor, unnormalized (sum ``2**(n-1)``).

    Integer weights keep the classic kernels exact; divide by ``2**(n-1)`` for a unit-sum blur.

    Examples
    --------
    >>> smoothing(3), smoothing(4)
    (array([1., 2., 1.]), array([1., 3., 3., 1.]))
    """
    n = _check_taps(n)
    return np.array([comb(n - 1, k) for k in range(n)], dtype=np.float64)


def derivative(n: int) -> np.ndarray:
    """First derivative of a binomial: ``smoothing(n - 1)`` convolved with ``[1, -1]``; sum 0.

    Equals ``-cv2.getDerivKernels(1, 0, n)[0]`` for odd ``n >= 3``. One tap cannot tell
    neighbours apart, so ``derivative(1)`` is ``[0]``.

    Examples
    --------
    >>> derivative(3), derivative(4)
    (array([ 1.,  0., -1.]), array([ 1.,  1., -1., -1.]))
    """
    n = _check_taps(n)
    if n == 1:
        return np.zeros(1)
    return np.convolve(smoothing(n - 1), [1.0, -1.0])


def second_derivative(n: int) -> np.ndarray:
    """Second derivative of a binomial: ``smoothing(n - 2)`` convolved with ``[1, -2, 1]``.

    Sum 0, equal to ``cv2.getDerivKernels(2, 0, n)[0]`` for odd ``n >= 3``; all zeros below 3
    taps, where a second difference does not fit.

    Examples
    --------
    >>> second_derivative(3), second_derivative(5)
    (array([ 1., -2.,  1.]), array([ 1.,  0., -2.,  0.,  1.]))
    """
    n = _check_taps(n)
    if n < 3:
        return np.zeros(n)
    return np.convolve(smoothing(n - 2), [1.0, -2.0, 1.0])


def padded_smoothing(n: int) -> np.ndarray:
    """``smoothing(n - 2)`` with a zero either side, lined up with :func:`second_derivative`.

    It is the cross-axis factor of the Laplacian preset (for ``n == 3`` it is ``[0, 1, 0]``,
    which yields the classic 4-neighbour Laplacian). Below 3 taps it is :func:`impulse_1d`.

    Examples
    --------
    >>> padded_smoothing(5)
    array([0., 1., 2., 1., 0.])
    """
    n = _check_taps(n)
    if n < 3:
        return impulse_1d(n)
    return np.pad(smoothing(n - 2), 1)


def scharr_smoothing(n: int) -> np.ndarray:
    """``[3, 10, 3]`` convolved with ``smoothing(n - 2)``; binomial below 3 taps.

    Scharr's weights are tuned for 3 taps; wider rows widen them binomially, as Sobel does.

    Examples
    --------
    >>> scharr_smoothing(3), scharr_smoothing(4)
    (array([ 3., 10.,  3.]), array([ 3., 13., 13.,  3.]))
    """
    n = _check_taps(n)
    if n < 3:
        return smoothing(n)
    return np.convolve([3.0, 10.0, 3.0], smoothing(n - 2))


def ramp_1d(n: int) -> np.ndarray:
    """``(n - 1) / 2 - k``: a zero-sum linear ramp, high first; Prewitt's derivative factor.

    The ramp is the least-squares slope estimator over ``n`` equally weighted taps, which is
    what widens Prewitt; even ``n`` gives half-integers.

    Examples
    --------
    >>> ramp_1d(3), ramp_1d(4)
    (array([ 1.,  0., -1.]), array([ 1.5,  0.5, -0.5, -1.5]))
    """
    n = _check_taps(n)
    return (n - 1) / 2.0 - np.arange(n, dtype=np.float64)


def gaussian_1d(n: int, sigma: float) -> np.ndarray:
    """Sampled Gaussian with standard deviation ``sigma`` (pixels), sum 1, symmetric.

    Examples
    --------
    >>> row = gaussian_1d(5, 1.0)
    >>> round(float(row.sum()), 12), bool(np.allclose(row, row[::-1]))
    (1.0, True)
    """
    n = _check_taps(n)
    if isinstance(sigma, bool) or not isinstance(sigma, Real) or not isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma={sigma!r} is not allowed; give a finite number > 0")
    x = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
    exponent = -0.5 * (x / float(sigma)) ** 2
    # Shifting by the peak keeps a tiny sigma on an even row from underflowing to all zeros.
    row = np.exp(exponent - exponent.max())
    return row / row.sum()
