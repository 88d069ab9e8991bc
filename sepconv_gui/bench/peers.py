"""The code the engine is measured against: hand-written OpenCV, scipy.ndimage and torch.

Every peer computes exactly what the engine computes with its defaults (correlation,
``reflect101`` border, anchor at ``k // 2``), so outputs can be compared number for number:

* OpenCV ``BORDER_REFLECT_101``, scipy's ``mode="mirror"`` and torch's ``F.pad(mode="reflect")``
  are the same border (``dcb|abcd|cba``).
* torch has no reflect border inside ``conv2d``; its peers pad with ``F.pad(mode="reflect")``
  and then run a "valid" ``conv2d``, and the pad is part of the timed work. torch gets its
  input in its own NCHW layout (converted once, outside the timing) and its NCHW output is
  compared after a transpose that is not timed either: layout conversion is not the work being
  measured.

A peer is a ``prepare(inputs) -> run`` pair: ``prepare`` does the untimed set-up (layouts,
kernels) and returns a zero-argument callable whose every call is one timed run; ``run()``
returns the output as ``(H, W, channels)`` or something :func:`to_hwc` turns into that.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

_REFLECT101 = cv2.BORDER_REFLECT_101


def optional_module(name: str) -> Any | None:
    """Import ``name`` if it is installed; None (not an error) if it is not."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@dataclass
class Inputs:
    """One grid point's data, shared by the engine and every peer.

    ``weights`` is ``(P, C, k, k)`` for normal conv; ``column``/``row`` are ``(k,)`` for the
    spatial mode; ``depthwise`` ``(C, k, k)`` and ``pointwise`` ``(P, C)`` for depthwise.
    """

    image: np.ndarray
    weights: np.ndarray | None = None
    column: np.ndarray | None = None
    row: np.ndarray | None = None
    depthwise: np.ndarray | None = None
    pointwise: np.ndarray | None = None


Runner = Callable[[], Any]


@dataclass(frozen=True)
class Peer:
    """A named way to compute one mode outside the engine.

    ``module`` names the optional package it needs (None: always available). ``work`` is the
    number of 2-D correlations it makes per run; the runner uses it to extrapolate slow,
    single-threaded peers from one probe correlation instead of running them for minutes.
    """

    name: str
    prepare: Callable[[Inputs], Runner]
    module: str | None = None
    probe: Callable[[Inputs], Runner] | None = None
    work: Callable[[Inputs], int] | None = None

    def installed(self) -> bool:
        return self.module is None or optional_module(self.module) is not None


def to_hwc(output: Any) -> np.ndarray:
    """A peer's output as a float32 numpy ``(H, W, channels)`` array."""
    if not isinstance(output, np.ndarray):  # a torch tensor, (1, channels, H, W)
        output = output.detach().numpy()[0].transpose(1, 2, 0)
    if output.ndim == 2:
        output = output[:, :, np.newaxis]
    return output


def _planes(image: np.ndarray) -> list[np.ndarray]:
    return [np.ascontiguousarray(image[:, :, c]) for c in range(image.shape[2])]


# --- Loops over 2-D correlations: the same code for OpenCV and scipy.ndimage --------------


def _normal_loop(correlate: Callable[[np.ndarray, np.ndarray], np.ndarray]):
    """A peer for normal conv: one ``correlate(plane, kernel)`` per (output, input) pair."""

    def prepare(inputs: Inputs) -> Runner:
        planes, weights = _planes(inputs.image), inputs.weights

        def run() -> np.ndarray:
            maps = []
            for kernels in weights:
                acc = correlate(planes[0], kernels[0])
                for plane, kernel in zip(planes[1:], kernels[1:]):
                    acc += correlate(plane, kernel)
                maps.append(acc)
            return np.dstack(maps)

        return run

    return prepare


def _depthwise_loop(correlate: Callable[[np.ndarray, np.ndarray], np.ndarray]):
    """A peer for depthwise-separable conv: one correlation per channel, then a matmul."""

    def prepare(inputs: Inputs) -> Runner:
        planes, kernels = _planes(inputs.image), inputs.depthwise
        mix = np.ascontiguousarray(inputs.pointwise.T)
        height, width = inputs.image.shape[:2]

        def run() -> np.ndarray:
            maps = np.dstack([correlate(plane, kernel) for plane, kernel in zip(planes, kernels)])
            return (maps.reshape(height * width, -1) @ mix).reshape(height, width, -1)

        return run

    return prepare


# --- OpenCV: what someone writes by hand without the engine -------------------------------


def _cv_correlate(plane: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return cv2.filter2D(plane, cv2.CV_32F, kernel, borderType=_REFLECT101)


def _nd_correlate(plane: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    from scipy import ndimage  # optional: imported only when the scipy peer runs

    return ndimage.correlate(plane, kernel, mode="mirror")


_opencv_normal = _normal_loop(_cv_correlate)
_opencv_depthwise = _depthwise_loop(_cv_correlate)


def _opencv_sep(inputs: Inputs) -> Runner:
    image, column, row = inputs.image, inputs.column, inputs.row
    return lambda: cv2.sepFilter2D(image, cv2.CV_32F, row, column, borderType=_REFLECT101)


def _opencv_passes(inputs: Inputs) -> Runner:
    """The two 1-D passes written out as two ``filter2D`` calls: OpenCV runs a 1-D filter2D
    through IPP and sepFilter2D without it, so for long kernels this beats sepFilter2D
    (what the engine does from 11 taps: separable.PASSES_FROM_TAPS)."""
    image = inputs.image
    row, column = inputs.row.reshape(1, -1), inputs.column.reshape(-1, 1)
    return lambda: cv2.filter2D(
        cv2.filter2D(image, cv2.CV_32F, row, borderType=_REFLECT101),
        cv2.CV_32F,
        column,
        borderType=_REFLECT101,
    )


def _opencv_full(inputs: Inputs) -> Runner:
    image, kernel = inputs.image, np.outer(inputs.column, inputs.row).astype(np.float32)
    return lambda: cv2.filter2D(image, cv2.CV_32F, kernel, borderType=_REFLECT101)


# --- scipy.ndimage: single-threaded, so slow points are extrapolated from a probe --------


_scipy_normal = _normal_loop(_nd_correlate)


def _scipy_one_correlation(inputs: Inputs) -> Runner:
    plane = np.ascontiguousarray(inputs.image[:, :, 0])
    kernel = inputs.weights[0, 0] if inputs.weights is not None else inputs.depthwise[0]
    return lambda: _nd_correlate(plane, kernel)


_scipy_depthwise = _depthwise_loop(_nd_correlate)


def _scipy_spatial(inputs: Inputs) -> Runner:
    from scipy import ndimage

    image, column, row = inputs.image, inputs.column, inputs.row

    def run() -> np.ndarray:
        vertical = ndimage.correlate1d(image, column, axis=0, mode="mirror")
        return ndimage.correlate1d(vertical, row, axis=1, mode="mirror")

    return run


# --- torch CPU: reflect-pad, then a "valid" conv2d --------------------------------------


def _torch_setup(inputs: Inputs, k: int):
    torch = optional_module("torch")
    functional = torch.nn.functional
    tensor = torch.from_numpy(np.ascontiguousarray(inputs.image.transpose(2, 0, 1)))[None]
    before, after = k // 2, k - 1 - k // 2
    pad = (before, after, before, after)

    def padded():
        return functional.pad(tensor, pad, mode="reflect")

    return torch, functional, padded


def _torch_normal(inputs: Inputs) -> Runner:
    torch, functional, padded = _torch_setup(inputs, inputs.weights.shape[-1])
    weights = torch.from_numpy(inputs.weights)

    def run():
        with torch.no_grad():
            return functional.conv2d(padded(), weights)

    return run


def _torch_depthwise(inputs: Inputs) -> Runner:
    torch, functional, padded = _torch_setup(inputs, inputs.depthwise.shape[-1])
    channels = inputs.image.shape[2]
    depthwise = torch.from_numpy(inputs.depthwise[:, np.newaxis])
    pointwise = torch.from_numpy(np.ascontiguousarray(inputs.pointwise[:, :, None, None]))

    def run():
        with torch.no_grad():
            maps = functional.conv2d(padded(), depthwise, groups=channels)
            return functional.conv2d(maps, pointwise)

    return run


def _torch_spatial(inputs: Inputs) -> Runner:
    k = inputs.column.shape[0]
    torch, functional, padded = _torch_setup(inputs, k)
    channels = inputs.image.shape[2]
    column = torch.from_numpy(np.tile(inputs.column, (channels, 1)).reshape(channels, 1, k, 1))
    row = torch.from_numpy(np.tile(inputs.row, (channels, 1)).reshape(channels, 1, 1, k))

    def run():
        with torch.no_grad():
            vertical = functional.conv2d(padded(), column, groups=channels)
            return functional.conv2d(vertical, row, groups=channels)

    return run


def _normal_pairs(inputs: Inputs) -> int:
    return inputs.weights.shape[0] * inputs.weights.shape[1]


def _depthwise_maps(inputs: Inputs) -> int:
    return inputs.depthwise.shape[0]


#: The peers of each family of grid points, in the order the table lists them.
PEERS: dict[str, tuple[Peer, ...]] = {
    "normal": (
        Peer("opencv", _opencv_normal),
        Peer("scipy", _scipy_normal, "scipy.ndimage", _scipy_one_correlation, _normal_pairs),
        Peer("torch", _torch_normal, "torch"),
    ),
    "spatial": (
        Peer("opencv-sep", _opencv_sep),
        Peer("opencv-1d", _opencv_passes),
        Peer("opencv-full", _opencv_full),
        Peer("scipy", _scipy_spatial, "scipy.ndimage"),
        Peer("torch", _torch_spatial, "torch"),
    ),
    "depthwise": (
        Peer("opencv", _opencv_depthwise),
        Peer("scipy", _scipy_depthwise, "scipy.ndimage", _scipy_one_correlation, _depthwise_maps),
        Peer("torch", _torch_depthwise, "torch"),
    ),
}
