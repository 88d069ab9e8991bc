"""How much memory a call will take, how much it may take, and the refusal when it would not fit.

:func:`estimate_memory` predicts the peak bytes one engine call allocates (the float32 copy of
the input, the output, the kept stages and every scratch buffer of the path that runs), from
the shapes alone, before anything is allocated. Each term follows the buffers the path holds
in its largest phase (memory_paths). The tests check that it bounds what tracemalloc and the
process's peak RSS see, and stays within 30 % of the measured peak on larger calls.

The budget is a fraction of the memory the kernel reports available now (``MemAvailable`` in
/proc/meminfo), overridable in code with :func:`set_memory_budget` or from outside with the
environment variable ``SEPCONV_MEMORY_BUDGET`` (bytes, or with a K/M/G/T suffix: "1.5G").
"""

from __future__ import annotations

import os
import re
import time
import warnings

from . import memory_paths
from .errors import ResourceError
from .memory_paths import COMPLEX, FLOAT  # noqa: F401  (re-exported for geometry)

#: Share of the memory available now that one call may use: the app holds several results,
#: the GUI and the capture thread besides, so a single call gets half.
BUDGET_FRACTION = 0.5

#: Used when /proc/meminfo cannot be read (not Linux): a budget most laptops can afford.
FALLBACK_BUDGET = 2 * 2**30

ENV_BUDGET = "SEPCONV_MEMORY_BUDGET"

#: Slack on top of the buffers memory_paths counts: Python's own objects, pocketfft's and
#: OpenCV's small per-thread buffers, page rounding. The path models follow each phase's
#: buffers, so the slack is small: predicted/measured peak RSS was 1.0-1.2 over the scale grid
#: (docs/performance.md). The fixed part was 0.5 MiB; a quarter MiB still covers the
#: tightest small case (depthwise 480p, P = 8, k = 31: 18.9 predicted, 17.3 measured) and
#: brings the smallest (a 3.7 MB spatial output) from 1.27 to 1.20.
SLACK_FRACTION = 0.05
SLACK_BYTES = 2**18

_override: int | None = None
_available_cache: tuple[float, int | None] = (-1.0, None)


def set_memory_budget(nbytes: int | None) -> None:
    """Cap each engine call at ``nbytes`` bytes; None goes back to the default.

    The default is BUDGET_FRACTION of MemAvailable, or SEPCONV_MEMORY_BUDGET when set.
    """
    global _override
    if nbytes is not None and (isinstance(nbytes, bool) or int(nbytes) != nbytes or nbytes < 0):
        raise ValueError(f"memory budget must be a whole number of bytes >= 0; got {nbytes!r}")
    _override = None if nbytes is None else int(nbytes)


def _parse_size(text: str) -> int | None:
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][0-9]+)?)\s*([KMGT]?)i?B?\s*", text, re.I)
    if not match:
        return None
    scale = 1024 ** " KMGT".index(match.group(2).upper() or " ")
    return int(float(match.group(1)) * scale)


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo in bytes (re-read at most every half second), or None."""
    global _available_cache
    now = time.monotonic()
    if now - _available_cache[0] < 0.5:
        return _available_cache[1]
    value = None
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    value = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        value = None
    _available_cache = (now, value)
    return value


def memory_budget() -> int:
    """The bytes one engine call may use now (see the module docstring for the order)."""
    return _budget_and_source()[0]


def _budget_and_source() -> tuple[int, str]:
    if _override is not None:
        return _override, "set by engine.set_memory_budget"
    text = os.environ.get(ENV_BUDGET, "").strip()
    if text:
        parsed = _parse_size(text)
        if parsed is not None:
            return parsed, f"set by {ENV_BUDGET}"
        warnings.warn(
            f"{ENV_BUDGET}={text!r} is not a size (try 2G or 500M); using the default budget",
            RuntimeWarning,
            stacklevel=3,
        )
    available = available_memory()
    if available is None:
        return FALLBACK_BUDGET, "a fixed default: the available memory could not be read"
    share = f"{BUDGET_FRACTION:.0%} of the {describe_bytes(available)} available now"
    return int(available * BUDGET_FRACTION), share


def describe_bytes(nbytes: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{int(nbytes)} bytes"


def _normal_bytes(
    algorithm, height, width, channels, out_channels, kh, kw, wrap=True, copies_weights=True
) -> int:
    """Peak bytes of one stride-1 normal call by ``algorithm``, before slack (memory_paths)."""
    return memory_paths.normal_bytes(
        algorithm, height, width, channels, out_channels, kh, kw, wrap, copies_weights
    )


def estimate_memory(
    mode: str,
    height: int,
    width: int,
    channels: int,
    out_channels: int,
    kh: int,
    kw: int,
    multiplier: int = 1,
    rank: int = 1,
    *,
    algorithm: str = "auto",
    border: str = "wrap",
    copies_input: bool = True,
    keep_stages: bool = False,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    shared_kernel: bool | None = None,
    copies_weights: bool = True,
) -> int:
    """Predicted peak bytes one call of ``mode`` allocates, before it runs.

    Parameters follow :func:`~sepconv_gui.engine.conv_cost`; ``algorithm`` matters for
    "normal" only ("auto" gives what the algorithm auto would pick under the budget now).
    ``border="wrap"`` (the default) is the hungriest border: the others skip an explicit pad.
    ``copies_input`` counts the float32 copy of an image that is not already a contiguous
    float32 array. ``keep_stages`` as in the mode's function (it changes what spatial runs).
    ``shared_kernel`` (depthwise): whether one kernel filters every channel (M = 1), which
    runs as one call over all channels with OpenCV scratch for all of them; None (unknown)
    counts the hungrier of the two paths. ``copies_weights`` (normal): whether the call
    copies the (P, C, kh, kw) bank, as it does when the bank is not float32 or flip=True.

    This is a first call's peak on its thread: later calls there find their intermediates
    in the scratch the thread kept (engine/scratch.py, up to 32 MiB a use) and allocate
    that much less; ``scratch.release()`` makes the next call a first call again.

    Examples
    --------
    >>> estimate_memory("normal", 720, 1280, 3, 8, 3, 3, algorithm="gemm") > 720 * 1280 * 11 * 4
    True
    """
    from .algorithms import choose_within_budget
    from .geometry import estimate_memory as strided_estimate
    from .geometry import is_plain

    if not is_plain(stride, dilation):  # stride/dilation: engine.geometry's own paths
        return strided_estimate(
            mode,
            height,
            width,
            channels,
            out_channels,
            kh,
            kw,
            multiplier,
            rank,
            stride=stride,
            dilation=dilation,
            algorithm=algorithm,
            border=border,
            copies_input=copies_input,
        )
    wrap = border == "wrap"
    extra = height * width * channels * FLOAT if copies_input else 0
    if mode == "normal":
        if algorithm == "auto":
            return choose_within_budget(
                height,
                width,
                channels,
                out_channels,
                kh,
                kw,
                wrap,
                extra,
                copies_weights=copies_weights,
            )[1]
        raw = _normal_bytes(
            algorithm, height, width, channels, out_channels, kh, kw, wrap, copies_weights
        )
    elif mode == "spatial":
        raw = memory_paths.spatial_bytes(height, width, channels, kh, kw, rank, wrap, keep_stages)
    elif mode == "depthwise":
        raw = memory_paths.depthwise_bytes(
            height, width, channels, out_channels, kh, kw, multiplier, wrap, shared_kernel
        )
    else:
        raise ValueError(
            f"mode={mode!r} is not a convolution mode; use normal, spatial or depthwise"
        )
    return with_slack(extra + raw)


def with_slack(nbytes: int) -> int:
    """``nbytes`` of counted buffers plus the allocator's slack (see SLACK_FRACTION)."""
    return int(nbytes * (1 + SLACK_FRACTION)) + SLACK_BYTES


_WHAT_TO_LOWER = {
    "normal": "the image size, P or C",
    "spatial": "the image size, C or the rank of the kernel",
    "depthwise": "the image size, C*M (the depthwise maps) or P",
}


def check_fits(mode: str, needed: int, shape_note: str, *, alternatives: str = "") -> None:
    """Raise ResourceError before allocating when ``needed`` bytes exceed the budget."""
    budget, source = _budget_and_source()
    if needed <= budget:
        return
    raise ResourceError(
        f"{mode} convolution ({shape_note}) needs about {describe_bytes(needed)} of memory, "
        f"more than the engine's budget of {describe_bytes(budget)} ({source}; change it with "
        f"{ENV_BUDGET} or engine.set_memory_budget); lower {_WHAT_TO_LOWER[mode]}"
        f"{alternatives}",
        needed_bytes=int(needed),
        budget_bytes=int(budget),
    )
