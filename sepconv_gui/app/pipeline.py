"""One frame through every enabled mode: plain Python, no Qt, so tests can call it directly."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..engine import ConvResult, depthwise_separable_conv, normal_conv, spatial_separable_conv
from . import layer_feed
from .channels import expand_channels
from .state import Design

GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601 luma


@dataclass
class FrameResult:
    """What one processed frame produced.

    ``results`` holds a ConvResult per mode that ran; ``generation`` identifies the design it
    ran with, so the controller can drop results of a design the user has since changed.
    """

    frame_index: int
    generation: int
    image: np.ndarray
    results: dict[str, ConvResult] = field(default_factory=dict)
    seconds: float = 0.0
    captured_at: float = 0.0
    finished_at: float = 0.0
    #: The design that ran: the last one that worked when the current one failed.
    design: Design | None = None
    #: Modes computed for this result; the others were reused from an earlier one.
    fresh: tuple[str, ...] = ()
    #: False for a still's first pass: a result with median timings follows.
    final: bool = True


SLOW_WARMUP_S = 0.2


def prepare_input(image: np.ndarray, design: Design) -> np.ndarray:
    """The ``(H, W, C)`` float32 array the modes run on (grayscale when the design asks)."""
    if design.layer_input:  # a deeper model layer: its real input when it can be computed
        activations = layer_feed.layer_input(image, design.layer_input)
        if activations is not None:
            return activations
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    if design.grayscale and image.shape[2] == 3:
        image = (image @ GRAY_WEIGHTS)[:, :, np.newaxis]
    if design.channels:  # network-sized C synthesized from the source (app/channels.py)
        image = expand_channels(image, design.channels)
    return image


def mode_weights(mode: str, design: Design, channels: int) -> tuple:
    """The weights ``mode`` is called with for ``channels`` input channels (built from the
    design; worth keeping while the design stays the same: live frames reuse them)."""
    if mode == "normal":
        return (design.normal_weights(channels),)
    if mode == "spatial":
        return design.spatial_factors()
    return design.depthwise_kernels(channels), design.pointwise_weights(channels)


def run_mode(
    mode: str,
    image: np.ndarray,
    design: Design,
    *,
    keep_stages: bool = True,
    weights: tuple | None = None,
) -> ConvResult:
    """One mode on ``image``. ``keep_stages`` keeps the intermediate arrays (the Stages dock
    shows them; live frames skip them otherwise: they cost a second pass or a copy);
    ``weights`` are :func:`mode_weights` made earlier for the same design and channels."""
    options = {"border": design.border, "flip": design.flip, "keep_stages": keep_stages}
    options.update(stride=design.stride, dilation=design.dilation)
    if weights is None:
        weights = mode_weights(mode, design, image.shape[2])
    if mode == "normal":
        return normal_conv(image, *weights, algorithm=design.algorithm, **options)
    if mode == "spatial":
        return spatial_separable_conv(image, *weights, **options)
    return depthwise_separable_conv(image, *weights, **options)


def run_design(
    image: np.ndarray,
    design: Design,
    *,
    frame_index: int = 0,
    generation: int = 0,
    captured_at: float | None = None,
    repeats: int = 1,
) -> FrameResult:
    """Run every mode the design enables on ``image``. Engine errors propagate (ValueError).

    With ``repeats`` > 1 (still images) every mode first runs once untimed — fresh output
    buffers fault in page by page, and a first run at a new size measured 5x its later runs
    — and then ``repeats`` times, the modes taking turns so a burst of load from elsewhere
    hits them alike; the run with the median time is kept. A warm-up slower than
    SLOW_WARMUP_S counts as a sample instead, so heavy designs stay interactive.
    """
    start = time.perf_counter()
    data = prepare_input(image, design)
    result = FrameResult(
        frame_index,
        generation,
        data,
        captured_at=start if captured_at is None else captured_at,
        design=design,
    )
    samples: dict[str, list[ConvResult]] = {mode: [] for mode in design.modes}
    if repeats > 1:
        for mode in design.modes:
            warm_up = run_mode(mode, data, design)
            if warm_up.total_seconds > SLOW_WARMUP_S:
                samples[mode].append(warm_up)
    for _ in range(max(1, repeats)):
        for mode in design.modes:
            if len(samples[mode]) < max(1, repeats):
                samples[mode].append(run_mode(mode, data, design))
    for mode, runs in samples.items():
        runs.sort(key=lambda run: run.total_seconds)
        result.results[mode] = runs[len(runs) // 2]
    result.finished_at = time.perf_counter()
    result.seconds = result.finished_at - start
    return result
