"""The kernel presets: their parameter and preset descriptions, builders and the table.

Split from :mod:`.kernels`, which holds the public functions and documents the conventions
(sign, normalization, readable derivative scaling); everything here is re-exported there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from math import isfinite
from numbers import Integral, Real
from types import MappingProxyType

import numpy as np

from .kernel_pieces import (
    box_1d,
    derivative,
    gaussian_1d,
    impulse_1d,
    padded_smoothing,
    ramp_1d,
    scharr_smoothing,
    second_derivative,
    smoothing,
)

Factors = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ParamSpec:
    """One numeric preset parameter, described for a spin box or slider.

    Attributes
    ----------
    name : str
        Keyword accepted by :func:`preset_kernel`.
    default, minimum, maximum, step : float
        Default value, inclusive limits, and a sensible UI increment.
    integer : bool
        True when only whole numbers are accepted.
    unit : str
        "px", "deg" or "" for plain numbers.
    """

    name: str
    default: float
    minimum: float
    maximum: float
    step: float
    integer: bool = False
    unit: str = ""

    def check(self, preset: str, value: object) -> float | int:
        """Return ``value`` as a number after checking type, finiteness and range."""
        kind = "a whole number" if self.integer else "a number"
        allowed = f"{kind} from {self.minimum:g} to {self.maximum:g}"
        if isinstance(value, bool) or not isinstance(value, Real) or not isfinite(value):
            raise ValueError(f"{preset}: {self.name}={value!r} is not allowed; give {allowed}")
        if self.integer and (not isinstance(value, Integral) and not float(value).is_integer()):
            raise ValueError(f"{preset}: {self.name}={value!r} is not allowed; give {allowed}")
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"{preset}: {self.name}={value!r} is out of range; give {allowed}")
        return int(value) if self.integer else float(value)


@dataclass(frozen=True)
class PresetSpec:
    """A kernel preset: what the UI shows about it and how to build it.

    Attributes
    ----------
    name : str
        Registry key, e.g. "sobel_x".
    label : str
        Display name, e.g. "Sobel x".
    description : str
        One line for a tooltip.
    separable : bool
        True when every size is one outer product, so :func:`preset_factors` returns factors.
    normalization : str
        "sum 1", "sum 0" or "none".
    build : callable
        ``build(kh, kw, **values)``: ``(column, row)`` when separable, else the 2-D kernel.
        Call :func:`preset_kernel` instead; it checks the arguments first.
    params : tuple of ParamSpec
        The keyword parameters, in display order.
    """

    name: str
    label: str
    description: str
    separable: bool
    normalization: str
    build: Callable[..., np.ndarray | Factors] = field(repr=False, compare=False)
    params: tuple[ParamSpec, ...] = ()

    def defaults(self) -> dict[str, float | int]:
        """Each parameter's default, keyed by name."""
        return {p.name: int(p.default) if p.integer else p.default for p in self.params}

    def resolve(self, params: Mapping[str, object]) -> dict[str, float | int]:
        """Defaults overridden by ``params``, every value checked."""
        by_name = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(by_name))
        if unknown:
            takes = f"its parameters are {', '.join(by_name)}" if by_name else "it takes none"
            raise ValueError(
                f"{self.name} has no parameter {', '.join(map(repr, unknown))}; {takes}"
            )
        values = self.defaults()
        values.update({key: by_name[key].check(self.name, v) for key, v in params.items()})
        return values


# Builders take (kh, kw, **values) and return (column, row) when separable, else a 2-D array.


def _readable_slope(row: np.ndarray) -> np.ndarray:
    """A first-derivative row wider than 3 taps, scaled to answer a slope-1 ramp with 2."""
    if len(row) <= 3:
        return row
    response = abs(float(np.dot(row, np.arange(len(row)))))
    return row * (2.0 / response) if response else row


def _readable_sum(row: np.ndarray, target: float) -> np.ndarray:
    """A smoothing row wider than 3 taps, scaled to sum as its 3-tap form (``target``)."""
    return row if len(row) <= 3 else row * (target / row.sum())


def _derivative_pair(smooth: Callable[[int], np.ndarray], along_columns: bool, target: float):
    def build(kh: int, kw: int) -> Factors:
        across, along = (kh, kw) if along_columns else (kw, kh)
        pair = _readable_sum(smooth(across), target), _readable_slope(derivative(along))
        return pair if along_columns else pair[::-1]

    return build


def _prewitt_pair(along_columns: bool):
    def build(kh: int, kw: int) -> Factors:
        across, along = (kh, kw) if along_columns else (kw, kh)
        pair = _readable_sum(box_1d(across, normalized=False), 3.0), _readable_slope(ramp_1d(along))
        return pair if along_columns else pair[::-1]

    return build


def _grid(kh: int, kw: int) -> tuple[np.ndarray, np.ndarray]:
    """x to the right and y upwards, from the geometric centre, so angles turn as on screen."""
    x = np.arange(kw, dtype=np.float64) - (kw - 1) / 2.0
    y = (kh - 1) / 2.0 - np.arange(kh, dtype=np.float64)
    return np.meshgrid(x, y)


def _laplacian(kh: int, kw: int) -> np.ndarray:
    # The 5-point Laplacian applied to a binomial blur: at 3x3 the blur is a single tap, which
    # leaves the classic 4-neighbour kernel; wider sizes smooth it.
    kernel = np.outer(second_derivative(kh), padded_smoothing(kw)) + np.outer(
        padded_smoothing(kh), second_derivative(kw)
    )
    if max(kh, kw) <= 3:
        return kernel
    x, y = _grid(kh, kw)
    moment = float(np.sum(kernel * (x**2 + y**2)))
    return kernel * (4.0 / moment) if moment > 0 else kernel


def _sharpen_laplacian(kh: int, kw: int) -> np.ndarray:
    """The unscaled blurred Laplacian and its blur's weight, for the sharpen preset."""
    kernel = np.outer(second_derivative(kh), padded_smoothing(kw)) + np.outer(
        padded_smoothing(kh), second_derivative(kw)
    )
    return kernel / (padded_smoothing(kh).sum() * padded_smoothing(kw).sum())


def _sharpen(kh: int, kw: int, amount: float) -> np.ndarray:
    # Dividing by the blur's weight makes the Laplacian act like one of a unit-sum blur, so the
    # amount means the same at every size.
    return np.outer(impulse_1d(kh), impulse_1d(kw)) - amount * _sharpen_laplacian(kh, kw)


def _unsharp(kh: int, kw: int, amount: float, sigma: float) -> np.ndarray:
    blur = np.outer(gaussian_1d(kh, sigma), gaussian_1d(kw, sigma))
    return (1.0 + amount) * np.outer(impulse_1d(kh), impulse_1d(kw)) - amount * blur


def _emboss(kh: int, kw: int) -> np.ndarray:
    # Identity plus a diagonal ramp rising towards the bottom right: [[-2,-1,0],[-1,1,1],[0,1,2]].
    ramp = np.add.outer(ramp_1d(kh), ramp_1d(kw))
    return np.outer(impulse_1d(kh), impulse_1d(kw)) - ramp


def _log(kh: int, kw: int, sigma: float) -> np.ndarray:
    x, y = _grid(kh, kw)
    r2 = x**2 + y**2
    kernel = (r2 - 2 * sigma**2) / sigma**4 * np.exp(-r2 / (2 * sigma**2))
    # A truncated LoG does not sum to 0; removing the mean fixes that, then scaling makes it
    # return 4 on x^2 + y^2, as the exact Laplacian (and the 3x3 preset) does.
    kernel -= kernel.mean()
    moment = float(np.sum(kernel * r2))
    if moment <= 1e-12 * float(np.sum(np.abs(kernel) * r2)):
        return np.zeros((kh, kw))  # 1x1 or 2x2: every tap is the same distance from the centre
    return kernel * (4.0 / moment)


def _dog(kh: int, kw: int, sigma1: float, sigma2: float) -> np.ndarray:
    if sigma1 == sigma2:
        raise ValueError(
            f"difference_of_gaussians: sigma1 and sigma2 must differ; got both {sigma1!r}, "
            "which cancel to an all-zero kernel"
        )
    narrow = np.outer(gaussian_1d(kh, sigma1), gaussian_1d(kw, sigma1))
    return narrow - np.outer(gaussian_1d(kh, sigma2), gaussian_1d(kw, sigma2))


def _motion_blur(kh: int, kw: int, length: float, angle: float) -> np.ndarray:
    # Dense midpoint samples along the segment, each dropped into the pixel it falls in: at
    # 0 and 90 degrees every whole pixel gets the same count, so the line is exactly flat.
    count = max(1, int(np.ceil(length * 64)))
    t = (np.arange(count) + 0.5) * (length / count) - length / 2.0
    # Rounding the direction makes cos(90 deg) exactly 0, not 6e-17, which would otherwise
    # tip samples on an even-sized axis across a pixel boundary.
    dx, dy = np.round([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))], 12)
    cols = np.floor((kw - 1) / 2.0 + t * dx + 0.5).astype(int)
    rows = np.floor((kh - 1) / 2.0 - t * dy + 0.5).astype(int)
    inside = (rows >= 0) & (rows < kh) & (cols >= 0) & (cols < kw)
    kernel = np.zeros((kh, kw))
    np.add.at(kernel, (rows[inside], cols[inside]), 1.0)
    return kernel / kernel.sum()


def _gabor(kh, kw, theta, wavelength, sigma, gamma, psi) -> np.ndarray:
    # Written out rather than cv2.getGaborKernel, which turns even sizes into odd ones and
    # whose x axis points left, mirroring the angles: at odd sizes it equals this kernel with
    # theta and psi negated.
    x, y = _grid(kh, kw)
    t, p = np.deg2rad(theta), np.deg2rad(psi)
    along = x * np.cos(t) + y * np.sin(t)
    across = -x * np.sin(t) + y * np.cos(t)
    envelope = np.exp(-(along**2 + gamma**2 * across**2) / (2 * sigma**2))
    return envelope * np.cos(2 * np.pi * along / wavelength + p)


def _random(kh: int, kw: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (kh, kw))


def _p(name, default, minimum, maximum, step, unit="", integer=False) -> ParamSpec:
    return ParamSpec(name, default, minimum, maximum, step, integer, unit)


_SIGMA = _p("sigma", 1.0, 0.1, 32.0, 0.1, "px")
_AMOUNT = _p("amount", 1.0, 0.0, 10.0, 0.1)


def _spec(name, label, description, separable, normalization, build, *params) -> PresetSpec:
    return PresetSpec(name, label, description, separable, normalization, build, tuple(params))


#: Every preset by name, in the order a UI should list them.
PRESETS: Mapping[str, PresetSpec] = MappingProxyType(
    {
        s.name: s
        for s in (
            _spec(
                "identity",
                "Identity",
                "A single 1 at the anchor: output equals input.",
                True,
                "sum 1",
                lambda kh, kw: (impulse_1d(kh), impulse_1d(kw)),
            ),
            _spec(
                "box",
                "Box blur",
                "Plain average over the window.",
                True,
                "sum 1",
                lambda kh, kw: (box_1d(kh), box_1d(kw)),
            ),
            _spec(
                "gaussian",
                "Gaussian blur",
                "Sampled Gaussian, symmetric about the window centre.",
                True,
                "sum 1",
                lambda kh, kw, sigma: (gaussian_1d(kh, sigma), gaussian_1d(kw, sigma)),
                _SIGMA,
            ),
            _spec(
                "sobel_x",
                "Sobel x",
                "Horizontal derivative: binomial smoothing x binomial slope.",
                True,
                "sum 0",
                _derivative_pair(smoothing, True, 4.0),
            ),
            _spec(
                "sobel_y",
                "Sobel y",
                "Vertical derivative: binomial slope x binomial smoothing.",
                True,
                "sum 0",
                _derivative_pair(smoothing, False, 4.0),
            ),
            _spec(
                "scharr_x",
                "Scharr x",
                "Horizontal derivative with Scharr's [3, 10, 3] smoothing.",
                True,
                "sum 0",
                _derivative_pair(scharr_smoothing, True, 16.0),
            ),
            _spec(
                "scharr_y",
                "Scharr y",
                "Vertical derivative with Scharr's [3, 10, 3] smoothing.",
                True,
                "sum 0",
                _derivative_pair(scharr_smoothing, False, 16.0),
            ),
            _spec(
                "prewitt_x",
                "Prewitt x",
                "Horizontal derivative: box smoothing x linear ramp.",
                True,
                "sum 0",
                _prewitt_pair(True),
            ),
            _spec(
                "prewitt_y",
                "Prewitt y",
                "Vertical derivative: linear ramp x box smoothing.",
                True,
                "sum 0",
                _prewitt_pair(False),
            ),
            _spec(
                "laplacian",
                "Laplacian",
                "Second derivative in both directions; 4-neighbour at 3x3.",
                False,
                "sum 0",
                _laplacian,
            ),
            _spec(
                "laplacian_of_gaussian",
                "Laplacian of Gaussian",
                "Sampled LoG (negative centre), zero-sum, scaled to read 4 on x^2 + y^2.",
                False,
                "sum 0",
                _log,
                _SIGMA,
            ),
            _spec(
                "difference_of_gaussians",
                "Difference of Gaussians",
                "Gaussian(sigma1) minus Gaussian(sigma2); a LoG approximation, positive centre.",
                False,
                "sum 0",
                _dog,
                _p("sigma1", 1.0, 0.1, 32.0, 0.1, "px"),
                _p("sigma2", 1.6, 0.1, 32.0, 0.1, "px"),
            ),
            _spec(
                "sharpen",
                "Sharpen",
                "Identity minus amount x Laplacian; classic 5-centre at 3x3.",
                False,
                "sum 1",
                _sharpen,
                _AMOUNT,
            ),
            _spec(
                "unsharp_mask",
                "Unsharp mask",
                "Identity plus amount x (identity - Gaussian blur).",
                False,
                "sum 1",
                _unsharp,
                _AMOUNT,
                _SIGMA,
            ),
            _spec(
                "emboss",
                "Emboss",
                "Identity plus a diagonal ramp: relief along the main diagonal.",
                False,
                "sum 1",
                _emboss,
            ),
            _spec(
                "motion_blur",
                "Motion blur",
                "Average along a line through the centre.",
                False,
                "sum 1",
                _motion_blur,
                _p("length", 5.0, 1.0, 44.0, 1.0, "px"),
                _p("angle", 0.0, -180.0, 180.0, 5.0, "deg"),
            ),
            _spec(
                "gabor",
                "Gabor",
                "Gaussian-windowed cosine wave travelling along angle theta.",
                False,
                "none",
                _gabor,
                _p("theta", 0.0, -180.0, 180.0, 5.0, "deg"),
                _p("wavelength", 4.0, 2.0, 64.0, 0.5, "px"),
                _p("sigma", 2.0, 0.1, 32.0, 0.1, "px"),
                _p("gamma", 0.5, 0.05, 4.0, 0.05),
                _p("psi", 0.0, -180.0, 180.0, 5.0, "deg"),
            ),
            # 2**31 - 1 keeps the seed inside a 32-bit signed spin box.
            _spec(
                "random",
                "Random",
                "Uniform values in [-1, 1) from a seeded generator.",
                False,
                "none",
                _random,
                _p("seed", 0, 0, 2**31 - 1, 1, integer=True),
            ),
        )
    }
)
