"""How close a measured time is to what this machine's hardware allows.

Two lower bounds on the time of one call, from the machine's measured peaks
(:mod:`.peaks`: the best float32 matrix product in GFLOP/s, the best streaming rate in GB/s):

* compute: the call's FLOPs (multiplications plus additions, ``ConvCost.flops``) at the peak
  GFLOP/s. No convolution runs faster than a dense matrix product on the same FLOPs.
* memory: the least traffic any algorithm needs (read the input and the weights once, write
  the output once) at the peak GB/s.

The larger of the two is the bound; ``engine / bound`` says how far a measured time is from
it (1.0 would be perfect; issue 7 asks for at most 2 on compute-bound cases).
"""

from __future__ import annotations

from typing import Any

FLOAT = 4


def least_bytes(row: dict[str, Any]) -> int:
    """Input, weights and output of one call, each touched once, in bytes."""
    pixels = row["width"] * row["height"]
    channels, outputs, k = row["channels"], row["outputs"], row["k"]
    family = row.get("family", "normal")
    if family == "spatial":
        weights = 2 * k
    elif family == "depthwise":
        weights = channels * k * k + outputs * channels
    else:
        weights = outputs * channels * k * k
    return FLOAT * (pixels * (channels + outputs) + weights)


def bound(row: dict[str, Any], gflops: float, gbs: float) -> dict[str, Any]:
    """The compute and memory bounds of a benchmark row (ms), which limits, and engine/bound."""
    compute_ms = row["flops"] / (gflops * 1e6)
    memory_ms = least_bytes(row) / (gbs * 1e6)
    bound_ms = max(compute_ms, memory_ms)
    engine_ms = row.get("engine_ms")
    return {
        "compute_bound_ms": compute_ms,
        "memory_bound_ms": memory_ms,
        "bound_ms": bound_ms,
        "limited_by": "compute" if compute_ms >= memory_ms else "memory",
        "engine_over_bound": engine_ms / bound_ms if engine_ms and bound_ms > 0 else None,
    }


def annotate(rows: list[dict[str, Any]], peaks) -> None:
    """Add the bounds to every row, in place; ``peaks`` is a :class:`.peaks.Peaks`."""
    for row in rows:
        row.update(bound(row, peaks.gflops, peaks.gbs))
        row["peak_gflops"], row["peak_gbs"] = peaks.gflops, peaks.gbs
