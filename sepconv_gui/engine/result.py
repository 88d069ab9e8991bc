"""What every convolution returns."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .cost import ConvCost


@dataclass
class ConvResult:
    """The output of one convolution and everything the app shows about how it was made.

    Attributes
    ----------
    output : ndarray
        float32 ``(H, W, channels)``.
    stages : dict[str, ndarray]
        Named arrays in execution order; the last one is ``output``. Intermediate stages are
        there only when the call was made with ``keep_stages=True``.
    timings : dict[str, float]
        Seconds spent in each stage (``time.perf_counter_ns``), same keys as ``cost.stages``;
        a spatial call without kept stages runs its passes fused and reports "spatial".
    cost : ConvCost
        Exact multiplications, additions and parameters per stage.
    algorithm : str
        What actually ran: "direct", "gemm", "kn2row", "fft" (normal); "sepfilter2d", "filter2d" or
        "filter2d+filter2d" (spatial: one sepFilter2D, one small 2-D filter2D, or two 1-D
        filter2D passes per factor: separable.fused_spatial_plan); "filter2d+matmul" /
        "sepfilter+matmul" for depthwise-separable (2-D or 1-D depthwise passes, then the
        pointwise step; "+transform" when it ran through ``cv2.transform``, see
        ``depthwise_parts.uses_transform``).
    """

    output: np.ndarray
    stages: dict[str, np.ndarray]
    timings: dict[str, float]
    cost: ConvCost
    algorithm: str

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())


@dataclass
class StageTimer:
    """Collects ``perf_counter_ns`` durations of named stages."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter_ns()
        try:
            yield
        finally:
            elapsed = (time.perf_counter_ns() - start) * 1e-9
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
