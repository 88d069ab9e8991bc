"""How much memory a call will take, how much it may take, and the refusal when it would not fit.

:func:`estimate_memory` predicts the peak bytes one engine call allocates (the float32 copy of
the input, the output, the kept stages and every scratch buffer of the path that runs), from
the shapes alone, before anything is allocated. It is an upper bound by construction: each
term is the largest buffer that path can hold at once, and OpenCV's internal scratch is
counted generously. The tests check it against tracemalloc and against the process's RSS.

The budget is a fraction of the memory the kernel reports available now (``MemAvailable`` in
/proc/meminfo), overridable in code with :func:`set_memory_budget` or from outside with the
environment variable ``SEPCONV_MEMORY_BUDGET`` (bytes, or with a K/M/G/T suffix: "1.5G").
"""

from __future__ import annotations

import os
import re
import time
import warnings

from .errors import ResourceError
from .filtering import CV_MAX_CHANNELS
from .threads import num_threads

FLOAT = 4  # bytes of a float32
COMPLEX = 8  # bytes of a complex64

#: Share of the memory available now that one call may use: the app holds several results,
#: the GUI and the capture thread besides, so a single call gets half.
BUDGET_FRACTION = 0.5

#: Used when /proc/meminfo cannot be read (not Linux): a budget most laptops can afford.
FALLBACK_BUDGET = 2 * 2**30

ENV_BUDGET = "SEPCONV_MEMORY_BUDGET"

#: OpenCV's filter2D switches to a DFT for large kernels; its blocks and spectra stay within
#: this many float32 copies of the padded plane it filters (measured: about 3; 6 is margin).
OPENCV_DFT_COPIES = 6
#: Below this many taps filter2D slides the kernel over a few buffered rows instead.
OPENCV_DFT_TAPS = 50

#: Allocator slack on top of the buffers counted: freed blocks the heap keeps fragmented, the
#: BLAS's per-thread panels and OpenCV's small temporaries. Measured peaks ran up to 8 % above
#: the plain sum of buffers.
SLACK_FRACTION = 0.15
SLACK_BYTES = 8 * 2**20

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


def _filter_scratch(height: int, width: int, kh: int, kw: int, channels: int, wrap: bool) -> int:
    """OpenCV's own buffers for one filter2D call on ``channels`` channels.

    With wrap, the explicitly padded plane and the filtered padded plane come on top.
    """
    padded = (height + kh - 1) * (width + kw - 1) * channels * FLOAT
    scratch = OPENCV_DFT_COPIES * padded if kh * kw >= OPENCV_DFT_TAPS else 0
    # OpenCV's row buffers: a few rows of the padded plane per channel.
    scratch += (kh + 2) * (width + kw) * channels * FLOAT
    return scratch + (2 * padded if wrap else 0)


def _fft_bytes(height, width, channels, out_channels, kh, kw, source_phase: int) -> int:
    """The FFT path's peak beyond the output and weights (see fft_path.fft for the phases)."""
    from .fft_path import CACHE, FFT_CHUNK_BYTES, fft_sizes, spectra_bytes, tile_sizes

    tiles = tile_sizes(height, width, out_channels, channels, kh, kw)
    if tiles is not None:
        return _tiled_fft_bytes(height, width, channels, out_channels, kh, kw, tiles)
    fh, fw = fft_sizes(height + kh - 1, width + kw - 1)
    spectrum = fh * (fw // 2 + 1) * COMPLEX
    image_spectra = channels * spectrum
    # scipy zero-pads the padded image to the transform size, then transforms the last axis
    # into the spectra and the other axis in place; the padded source is alive meanwhile
    # (its chunked building buffers are not: they went before the transform started).
    source = channels * (height + kh - 1) * (width + kw - 1) * FLOAT
    forward = source + channels * fh * fw * FLOAT + image_spectra
    kept = spectra_bytes(out_channels, channels, fh, fw)
    kept = kept if kept <= CACHE.capacity else 0  # transformed on the fly when too big
    chunk = max(1, min(out_channels, FFT_CHUNK_BYTES // spectrum))
    threads = num_threads()
    transforms = (
        image_spectra
        + kept  # kernel spectra computed in this call and kept in the cache
        + 2 * chunk * spectrum  # the chunk's products and the inverse's working copy
        + chunk * fh * fw * FLOAT  # the inverse transforms
        + threads * (2 * spectrum + kh * (fw // 2 + 1) * COMPLEX)  # per-thread products
        + 3 * (fh * kh + kw * (fw // 2 + 1)) * 16  # the DFT matrices, built in complex128
    )
    return max(source_phase, forward, transforms)


def _tiled_fft_bytes(height, width, channels, out_channels, kh, kw, tiles) -> int:
    """The tiled FFT path's peak beyond the output and weights: the padded source stays for
    the whole call; the tile-sized kernel spectra are kept (they fit the cache by
    construction); every thread holds one tile's transforms at a time."""
    from .fft_path import FFT_CHUNK_BYTES, spectra_bytes

    th, tw = tiles
    half = tw // 2 + 1
    spectrum = th * half * COMPLEX
    source = channels * (height + kh - 1) * (width + kw - 1) * FLOAT
    building = min(channels, CV_MAX_CHANNELS) * (height + kh - 1) * (width + kw - 1) * FLOAT
    if channels > CV_MAX_CHANNELS:
        building += height * width * CV_MAX_CHANNELS * FLOAT
    chunk = max(1, min(out_channels, FFT_CHUNK_BYTES // spectrum))
    per_thread = (
        channels * th * tw * FLOAT  # scipy's zero-padded copy of the tile's source block
        + 2 * channels * spectrum  # the tile's image spectra and the transform's work copy
        + 2 * chunk * spectrum  # the chunk's products and the inverse's working copy
        + chunk * th * tw * FLOAT  # the inverse transforms
        + 2 * spectrum  # one kernel spectrum and one product term
    )
    rows, cols = th - kh + 1, tw - kw + 1
    tiles_count = -(-height // rows) * -(-width // cols)
    threads = min(num_threads(), tiles_count)
    matrices = 3 * (th * kh + kw * half) * 16  # the DFT matrices, built in complex128
    kept = spectra_bytes(out_channels, channels, th, tw)
    return source + max(building, kept + threads * per_thread + matrices)


def _normal_bytes(algorithm, height, width, channels, out_channels, kh, kw, wrap=True) -> int:
    from .algorithms import GEMM_TILE_BYTES

    pixels, taps = height * width, channels * kh * kw
    padded = (height + kh - 1) * (width + kw - 1)
    weights = 3 * out_channels * taps * FLOAT  # float32 copy, flipped copy, gemm's matrix
    base = pixels * out_channels * FLOAT + weights
    threads = num_threads()
    if algorithm == "direct":
        # Contiguous planes, the list of output planes, then the stacked output; one
        # correlation's result and scratch in flight per thread.
        return (
            base
            + pixels * (channels + out_channels) * FLOAT
            + threads * (pixels * FLOAT + _filter_scratch(height, width, kh, kw, 1, wrap))
        )
    # gemm and fft both start from the channels-first padded image, built in channel chunks
    # (a chunk's channels-last padding, and its contiguous copy when the image is cut).
    per_chunk = min(channels, CV_MAX_CHANNELS)
    cut = pixels * per_chunk * FLOAT if channels > CV_MAX_CHANNELS else 0
    source = channels * padded * FLOAT
    if algorithm == "gemm":
        tile = threads * max(GEMM_TILE_BYTES, taps * FLOAT)  # one tile buffer per thread
        return base + source + max(per_chunk * padded * FLOAT + cut, tile)
    if algorithm == "fft":
        building = source + per_chunk * padded * FLOAT + cut
        return base + _fft_bytes(height, width, channels, out_channels, kh, kw, building)
    raise ValueError(f"no memory model for algorithm {algorithm!r}")


def _chunk_temps(height, width, channels) -> int:
    """A cut channel chunk's contiguous copy and its result, above OpenCV's channel limit."""
    if channels <= CV_MAX_CHANNELS:
        return 0
    return 2 * height * width * CV_MAX_CHANNELS * FLOAT


def _seam_windows(width: int, channels: int, kh: int) -> int:
    """The windows the seams between threads' row bands are filtered again into (bands.py)."""
    return (num_threads() - 1) * 2 * max(kh - 1, 0) * width * channels * FLOAT


def _spatial_bytes(height, width, channels, kh, kw, rank, wrap, keep_stages) -> int:
    from .separable import fused_spatial_plan

    plane = height * width * channels * FLOAT + _seam_windows(width, channels, kh)
    per_call = min(channels, CV_MAX_CHANNELS)
    temps = _chunk_temps(height, width, channels)
    if keep_stages:
        scratch = max(
            _filter_scratch(height, width, kh, 1, per_call, wrap),
            _filter_scratch(height, width, 1, kw, per_call, wrap),
        )
        # The stacked vertical stage (with rank 1 it is the vertical buffer itself), the
        # vertical and horizontal buffers reused across factors, and the output.
        buffers = rank * plane + (2 * plane if rank > 1 else 0) + plane
        return buffers + temps + scratch
    if fused_spatial_plan(kh, kw, rank) == "filter2d":
        return plane + temps + _filter_scratch(height, width, kh, kw, per_call, wrap)
    scratch = _filter_scratch(height, width, kh, kw, per_call, wrap) if wrap else 0
    rows = (kh + kw + 4) * (width + kw) * per_call * FLOAT  # sepFilter2D's row buffers
    return plane + (plane if rank > 1 else 0) + temps + scratch + rows


def _depthwise_bytes(
    height, width, channels, out_channels, kh, kw, multiplier, wrap, shared_kernel=None
) -> int:
    pixels, maps = height * width, channels * multiplier
    svd = maps * (kh * kw + kh * kh + kw * kw + kh + kw) * 8 + maps * kh * kw * 2
    weights = maps * (kh * kw + out_channels) * FLOAT * 2  # kernels and mix, copied and turned
    # One kernel for all channels filters them channels-last in one call; otherwise each
    # plane is filtered on its own. Unknown (None): the hungrier of the two.
    per_call = min(channels, CV_MAX_CHANNELS)
    one_plane = (
        _filter_scratch(height, width, kh, kw, 1, wrap) + (kh + kw + 4) * (width + kw) * FLOAT
    )
    shared = _filter_scratch(height, width, kh, kw, per_call, wrap)
    planes_scratch = num_threads() * one_plane  # planes filtered on every engine thread at once
    # Above OpenCV's channel limit the one channels-last call goes in chunks through
    # temporaries; the per-plane path has none.
    shared += _chunk_temps(height, width, channels)
    if shared_kernel is None:
        scratch = max(shared, planes_scratch)
    else:
        scratch = shared if shared_kernel and multiplier == 1 else planes_scratch
    maps_buffer = pixels * maps * FLOAT + _seam_windows(width, max(channels, maps), kh)
    planes = pixels * channels * FLOAT  # the channels-first copy of the input
    output = pixels * out_channels * FLOAT
    # The planes are dropped before the output is allocated, but the allocator may keep
    # their pages (measured at 1080p: the peak held both), so both count.
    return svd + weights + maps_buffer + planes + max(scratch, output + maps * out_channels * 4)


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
) -> int:
    """Predicted peak bytes one call of ``mode`` allocates, before it runs.

    Parameters follow :func:`~sepconv_gui.engine.conv_cost`; ``algorithm`` matters for
    "normal" only ("auto" gives what the algorithm auto would pick under the budget now).
    ``border="wrap"`` (the default) is the hungriest border: the others skip an explicit pad.
    ``copies_input`` counts the float32 copy of an image that is not already a contiguous
    float32 array. ``keep_stages`` as in the mode's function (it changes what spatial runs).
    ``shared_kernel`` (depthwise): whether one kernel filters every channel (M = 1), which
    runs as one call over all channels with OpenCV scratch for all of them; None (unknown)
    counts the hungrier of the two paths.

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
            return choose_within_budget(height, width, channels, out_channels, kh, kw, wrap, extra)[
                1
            ]
        raw = _normal_bytes(algorithm, height, width, channels, out_channels, kh, kw, wrap)
    elif mode == "spatial":
        raw = _spatial_bytes(height, width, channels, kh, kw, rank, wrap, keep_stages)
    elif mode == "depthwise":
        raw = _depthwise_bytes(
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
