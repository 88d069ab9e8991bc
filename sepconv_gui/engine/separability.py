"""How separable a kernel (or a whole weight bank) is, and its best separable approximations.

Both questions are answered by the singular value decomposition: by Eckart-Young, keeping the
r largest singular values gives the best rank-r approximation in the Frobenius norm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import as_weights


@dataclass(frozen=True)
class KernelAnalysis:
    """Singular values of a 2-D kernel and what follows from them.

    Attributes
    ----------
    kernel : ndarray
        The kernel, float64 ``(kh, kw)``.
    singular_values : ndarray
        Descending, ``min(kh, kw)`` of them.
    tolerance : float
        Relative tolerance: a singular value counts when it exceeds ``tolerance * s[0]``.
    rank : int
        The numerical rank under that tolerance (0 for an all-zero kernel).
    """

    kernel: np.ndarray
    singular_values: np.ndarray
    tolerance: float
    rank: int
    _u: np.ndarray
    _vt: np.ndarray

    @property
    def is_separable(self) -> bool:
        """True when the kernel is one outer product (numerical rank 0 or 1)."""
        return self.rank <= 1

    def _check_r(self, r: int) -> None:
        limit = len(self.singular_values)
        if int(r) != r or not 1 <= r <= limit:
            raise ValueError(f"r must be a whole number from 1 to {limit}; got {r!r}")

    def factors(self, r: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Column ``(r, kh)`` and row ``(r, kw)`` factors of the best rank-r approximation.

        ``sum_i outer(column[i], row[i])`` is that approximation; each pair shares its singular
        value equally (both scaled by its square root).
        """
        self._check_r(r)
        scale = np.sqrt(self.singular_values[:r])
        column, row = (self._u[:, :r] * scale).T.copy(), (self._vt[:r] * scale[:, None]).copy()
        # SVD signs are arbitrary; make each column's largest entry positive so the factors
        # read like the textbook ones ([1, 2, 1] rather than [-1, -2, -1]).
        flip = np.sign(column[np.arange(r), np.argmax(np.abs(column), axis=1)])
        flip[flip == 0] = 1.0
        return column * flip[:, None], row * flip[:, None]

    def approximation(self, r: int = 1) -> np.ndarray:
        """The best rank-r approximation as a 2-D kernel."""
        column, row = self.factors(r)
        return column.T @ row

    def relative_error(self, r: int = 1) -> float:
        """Frobenius error of the rank-r approximation over the kernel's Frobenius norm."""
        self._check_r(r)
        s = self.singular_values
        total = float(np.sqrt(np.sum(s**2)))
        return float(np.sqrt(np.sum(s[r:] ** 2))) / total if total > 0 else 0.0


def default_tolerance(kh: int, kw: int) -> float:
    """``max(kh, kw) * eps(float32)``: below what a float32 kernel can even represent."""
    return max(kh, kw) * float(np.finfo(np.float32).eps)


def analyze_kernel(kernel, *, tol: float | None = None) -> KernelAnalysis:
    """Singular values, numerical rank and separable factors of a 2-D kernel.

    Parameters
    ----------
    kernel : array_like
        ``(kh, kw)``.
    tol : float, optional
        Relative rank tolerance; default :func:`default_tolerance`.

    Examples
    --------
    >>> sobel = analyze_kernel([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    >>> sobel.rank, sobel.is_separable
    (1, True)
    >>> round(analyze_kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]]).relative_error(1), 3)
    0.471
    """
    array = as_weights("kernel", kernel, 2, "(kh, kw)", np.float64)
    if tol is None:
        tol = default_tolerance(*array.shape)
    elif not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite number >= 0; got {tol!r}")
    u, s, vt = np.linalg.svd(array, full_matrices=False)
    rank = int(np.sum(s > tol * s[0])) if s[0] > 0 else 0
    return KernelAnalysis(array, s, float(tol), rank, u, vt)


def factorize_depthwise_separable(weights, multiplier: int = 1):
    """Best depthwise-separable approximation of a normal ``(P, C, kh, kw)`` weight bank.

    For each input channel c the ``P x (kh*kw)`` slice ``weights[:, c]`` is approximated at
    rank M by its SVD: the M right singular vectors are the depthwise kernels of channel c
    (unit Frobenius norm, largest entry positive), and the left ones times the singular values
    are the pointwise columns. Exact when the bank really is depthwise-separable with
    multiplier M, and never better than the SVD bound.

    Returns
    -------
    depthwise : ndarray
        float64 ``(C*M, kh, kw)``, kernel ``c*M + m`` for channel ``c``.
    pointwise : ndarray
        float64 ``(P, C*M)``.
    relative_error : float
        ``||weights - approximation||_F / ||weights||_F`` (0 for an all-zero bank).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> depth, point = rng.random((3, 5, 5)), rng.random((8, 3))
    >>> bank = np.einsum("pc,chw->pchw", point, depth)
    >>> round(factorize_depthwise_separable(bank)[2], 6)
    0.0
    """
    bank = as_weights("weights", weights, 4, "(P, C, kh, kw)", np.float64)
    if int(multiplier) != multiplier or multiplier < 1:
        raise ValueError(f"multiplier M must be a whole number >= 1; got {multiplier!r}")
    p, c, kh, kw = bank.shape
    m = int(multiplier)
    depthwise = np.zeros((c * m, kh, kw))
    pointwise = np.zeros((p, c * m))
    residual = 0.0
    for channel in range(c):
        u, s, vt = np.linalg.svd(bank[:, channel].reshape(p, kh * kw), full_matrices=False)
        keep = min(m, len(s))
        for k in range(keep):
            vector, column = vt[k], u[:, k] * s[k]
            if vector[np.argmax(np.abs(vector))] < 0:
                vector, column = -vector, -column
            depthwise[channel * m + k] = vector.reshape(kh, kw)
            pointwise[:, channel * m + k] = column
        residual += float(np.sum(s[keep:] ** 2))
    total = float(np.sum(bank**2))
    error = float(np.sqrt(residual / total)) if total > 0 else 0.0
    return depthwise, pointwise, error
