"""What each engine path holds at its peak, in bytes, from the shapes alone.

Every path runs in phases (build the padded source, transform, multiply, mix...); a buffer
counts in the phases it is alive in, and a path's peak is its largest phase. Each function
below follows the code it describes step by step (its docstring names it), so a change there
shows up here as one term to move. :func:`sepconv_gui.engine.memory.estimate_memory` adds the
input's float32 copy and the allocator's slack on top.

Two things are counted that no numpy array shows:

* OpenCV's own scratch (measured with peak RSS at 480p to 4K, C up to 128): ``filter2D``
  slides small kernels over a ring of about kh + 18 buffered rows; from OPENCV_DFT_TAPS taps
  on it correlates through DFTs of blocks of a few hundred pixels a side instead (1.2-1.5 MB
  whatever the image and the channel count); ``sepFilter2D`` buffers about kh/2 + 36 rows.
* Freed blocks glibc keeps: once the process has freed a block below HEAP_BLOCK_LIMIT (its
  dynamic mmap threshold's ceiling), later blocks of up to that size come from its heaps, and
  a freed heap block below a live one keeps its pages. A buffer of that size freed during a
  call is counted as still held where the measurements showed it (:func:`_held`).
"""

from __future__ import annotations

from .filtering import CV_MAX_CHANNELS
from .threads import num_threads

FLOAT = 4  # bytes of a float32
COMPLEX = 8  # bytes of a complex64

#: glibc's dynamic mmap threshold never rises above 32 MiB on 64-bit: larger blocks are always
#: mapped on their own and unmapped when freed; smaller ones may stay in the heap.
HEAP_BLOCK_LIMIT = 32 * 2**20

#: filter2D on float32 correlates through DFT blocks from this many taps (OpenCV's
#: dft_filter_size on CPUs with SSE3; 50 on others, so from 50 taps both scratches count).
OPENCV_DFT_TAPS = 130
OPENCV_DFT_TAPS_ANY_CPU = 50
#: filter2D's ring buffer, in rows beyond the kernel's height (measured 9-20 rows for k 3-11).
FILTER2D_EXTRA_ROWS = 18
#: sepFilter2D's buffers: about kh + 4 rows on calls of up to ~1M pixels; from ~2M pixels on
#: OpenCV splits the call into stripes with buffers of their own (measured 26-47 rows at
#: 1920x1080 for k 3-31, about half the kernel's height plus SEPFILTER_EXTRA_ROWS).
SEPFILTER_SMALL_EXTRA_ROWS = 4
SEPFILTER_STRIPES_PIXELS = 1_500_000
SEPFILTER_EXTRA_ROWS = 36


def _held(nbytes: int) -> int:
    """``nbytes`` of a buffer freed earlier in the call whose pages the heap may keep."""
    return nbytes if nbytes < HEAP_BLOCK_LIMIT else 0


def _held_at_top(nbytes: int, next_block: int) -> int:
    """:func:`_held` for a block freed at the top of the heap: the next block the heap serves
    (one below HEAP_BLOCK_LIMIT) starts in its pages; a larger one is mapped on its own and
    leaves them held (measured at 1080p, C=3, P=8 gemm: the padded chunk's 25 MB)."""
    if next_block < HEAP_BLOCK_LIMIT:
        return max(0, _held(nbytes) - next_block)
    return _held(nbytes)


def filter2d_scratch(height, width, kh, kw, channels, wrap) -> int:
    """OpenCV's buffers for one ``filter2D`` of ``channels`` channels (filtering._into).

    With wrap, filtering pads the plane explicitly (copyMakeBorder) and filters the padded
    plane into a new array, both (H+kh-1) x (W+kw-1).
    """
    taps = kh * kw
    rows = (kh + FILTER2D_EXTRA_ROWS) * (width + kw) * channels * FLOAT
    side = max(256, 5 * kh, 5 * kw) + max(kh, kw)
    blocks = 6 * side * side * FLOAT  # crossCorr's image, kernel and result blocks
    if taps >= OPENCV_DFT_TAPS:
        scratch = blocks
    elif taps >= OPENCV_DFT_TAPS_ANY_CPU:
        scratch = max(rows, blocks)
    else:
        scratch = rows
    padded = (height + kh - 1) * (width + kw - 1) * channels * FLOAT
    return scratch + (2 * padded if wrap else 0)


def sepfilter_scratch(height, width, kh, kw, channels, wrap) -> int:
    """OpenCV's buffers for one ``sepFilter2D`` (filtering.sep_filter_into), wrap as above."""
    if height * width < SEPFILTER_STRIPES_PIXELS:
        rows = (kh + SEPFILTER_SMALL_EXTRA_ROWS) * (width + kw) * channels * FLOAT
    else:
        rows = max(kh + SEPFILTER_SMALL_EXTRA_ROWS, kh // 2 + SEPFILTER_EXTRA_ROWS)
        rows *= (width + kw) * channels * FLOAT
    padded = (height + kh - 1) * (width + kw - 1) * channels * FLOAT
    return rows + (2 * padded if wrap else 0)


def chunk_temps(height, width, channels) -> int:
    """Above OpenCV's channel limit filtering._into filters channel chunks of a channels-last
    array through a contiguous copy of the chunk and a result of the same size."""
    if channels <= CV_MAX_CHANNELS:
        return 0
    return 2 * height * width * CV_MAX_CHANNELS * FLOAT


def seam_windows(height: int, width: int, channels: int, kh: int) -> int:
    """The windows the seams between a banded call's row bands are filtered again into
    (bands.banded / run_band): 2(kh - 1) rows each, all kept until apply_seams copies them."""
    from .bands import band_count, band_edges

    count = band_count(num_threads())
    seams = len(band_edges(height, kh, count, width * channels)) - 2
    return seams * 2 * max(kh - 1, 0) * width * channels * FLOAT


def banding(height: int, width: int, channels: int, kh: int, wrap: bool) -> tuple[int, int]:
    """``(calls at once, rows of the tallest band)`` of a call bands.banded cuts into row
    bands (wrap runs in one piece: filtering._split_into)."""
    from .bands import band_count, band_edges

    if wrap:
        return 1, height
    edges = band_edges(height, kh, band_count(num_threads()), width * channels)
    tallest = max(bottom - top for top, bottom in zip(edges, edges[1:]))
    return min(num_threads(), len(edges) - 1), tallest


def map_seam_windows(height: int, width: int, maps: int, kh: int, wrap: bool) -> int:
    """The same for the depthwise maps (depthwise_parts.DepthwisePass.run_planes): maps that
    do not share out evenly over the threads are cut into bands (bands.bands_per_map), and
    every map's seam windows are kept until all maps are done. The call may run on fewer
    threads than the cap (a busy machine), and fewer threads can mean more bands (4 maps:
    1 band on 4 threads, 3 on 3), so the most over every count up to the cap is counted."""
    from .bands import band_edges, bands_per_map

    if wrap or num_threads() <= 1:
        return 0
    most = 0
    for threads in range(2, num_threads() + 1):
        bands = bands_per_map(maps, threads, height, kh)
        if bands > 1:
            seams = len(band_edges(height, kh, bands, width)) - 2
            most = max(most, maps * seams * 2 * max(kh - 1, 0) * width * FLOAT)
    return most


# ------------------------------------------------------------------------------------ normal


def weights_bytes(out_channels, channels, kh, kw) -> int:
    """One float32 copy of the (P, C, kh, kw) bank."""
    return out_channels * channels * kh * kw * FLOAT


def _bank_copy(out_channels, channels, kh, kw, copied: bool) -> int:
    """normal_conv's own copy of the bank: validation.as_weights casts it to float32 when it
    is not, and flip=True rotates it into a new array (the cast one is then dropped)."""
    return weights_bytes(out_channels, channels, kh, kw) if copied else 0


def _padded_source(height, width, channels, kh, kw) -> tuple[int, int]:
    """algorithms.padded_planes: the channels-first padded image it returns, and what it
    holds besides while it builds it (a chunk's channels-last padding, and above OpenCV's
    channel limit the chunk's contiguous copy)."""
    padded = (height + kh - 1) * (width + kw - 1)
    per_chunk = min(channels, CV_MAX_CHANNELS)
    building = per_chunk * padded * FLOAT
    if channels > CV_MAX_CHANNELS:
        building += height * width * per_chunk * FLOAT
    return channels * padded * FLOAT, building


def direct_bytes(height, width, channels, out_channels, kh, kw, wrap, copied=True) -> int:
    """engine/direct.py: the output, and per thread a band's buffers reused for the whole
    call (GROUP accumulators, a term, and the band's own padded channel planes with the
    copyMakeBorder result they are split from); with wrap or more than BAND_PAD_CHANNELS
    inputs the image is padded once instead (algorithms.padded_planes)."""
    from .direct import BAND_PAD_CHANNELS, GROUP, band_rows

    padded_width = width + kw - 1
    rows = band_rows(height, padded_width, kh)
    span = rows + kh - 1
    own_rows = not wrap and channels <= BAND_PAD_CHANNELS
    band_plane = span * padded_width * FLOAT
    per_thread = (min(out_channels, GROUP) + 1) * band_plane + filter2d_scratch(
        span, padded_width, kh, kw, 1, False
    )
    if own_rows:
        source, building = 0, 0
        # The band's planes, and the padded rows they are split from (up to kh more rows).
        per_thread += channels * band_plane + (span + kh) * padded_width * channels * FLOAT
    else:
        source, building = _padded_source(height, width, channels, kh, kw)
    threads = min(num_threads(), -(-height // rows))
    output = height * width * out_channels * FLOAT
    peak = source + max(building, output + threads * per_thread + _held_at_top(building, output))
    return _bank_copy(out_channels, channels, kh, kw, copied) + peak


def gemm_bytes(height, width, channels, out_channels, kh, kw, copied=True) -> int:
    """algorithms.gemm: the padded source for the whole call; then the weight matrix, the
    output and one im2col tile buffer per thread."""
    from .algorithms import GEMM_TILE_BYTES

    taps = channels * kh * kw
    source, building = _padded_source(height, width, channels, kh, kw)
    tile = max(GEMM_TILE_BYTES, taps * FLOAT)
    tiles = -(-height * width * taps * FLOAT // tile)
    output = height * width * out_channels * FLOAT
    products = (
        weights_bytes(out_channels, channels, kh, kw)  # the (taps, P) matrix
        + output
        + min(num_threads(), tiles) * tile
        + _held_at_top(building, output)
    )
    return _bank_copy(out_channels, channels, kh, kw, copied) + source + max(building, products)


def kn2row_bytes(height, width, channels, out_channels, kh, kw, copied=True) -> int:
    """engine/gemm_shift.py: the padded source for the whole call; then the weight matrix,
    the output, and per thread a band's shifted rows, partial maps and their sums."""
    from .gemm_shift import band_rows

    source, building = _padded_source(height, width, channels, kh, kw)
    padded_width = width + kw - 1
    rows = band_rows(height, padded_width, out_channels, kw)
    values = rows * padded_width
    per_thread = (channels * kh + kw * out_channels) * values * FLOAT
    per_thread += out_channels * rows * width * FLOAT
    threads = min(num_threads(), -(-height // rows))
    output = height * width * out_channels * FLOAT
    products = (
        weights_bytes(out_channels, channels, kh, kw)  # the (kw*P, C*kh) matrix
        + output
        + threads * per_thread
        + _held_at_top(building, output)
    )
    return _bank_copy(out_channels, channels, kh, kw, copied) + source + max(building, products)


def fft_bytes(height, width, channels, out_channels, kh, kw, copied=True) -> int:
    """fft_path.fft, full frame: padded source; its spectra (scipy zero-pads a copy to the
    transform size first); the kernels' spectra, kept when they fit the cache; the inverse
    transforms of a chunk of outputs at a time, written into the output."""
    from .fft_path import CACHE, FFT_CHUNK_BYTES, fft_sizes, spectra_bytes, tile_sizes

    tiles = tile_sizes(height, width, out_channels, channels, kh, kw)
    if tiles is not None:
        peak = _tiled_fft_bytes(height, width, channels, out_channels, kh, kw, tiles)
        return _bank_copy(out_channels, channels, kh, kw, copied) + peak
    source, building = _padded_source(height, width, channels, kh, kw)
    fh, fw = fft_sizes(height + kh - 1, width + kw - 1)
    half = fw // 2 + 1
    spectrum = fh * half * COMPLEX
    image_spectra = channels * spectrum
    zero_padded = channels * fh * fw * FLOAT
    forward = source + zero_padded + image_spectra + _held(building)
    kept = spectra_bytes(out_channels, channels, fh, fw)
    kept = kept if kept <= CACHE.capacity else 0  # else transformed on the fly, one at a time
    chunk = max(1, min(out_channels, FFT_CHUNK_BYTES // spectrum))
    threads = num_threads()
    inverse = (
        image_spectra
        + kept
        + weights_bytes(out_channels, channels, kh, kw)  # the rotated copy
        + _held(weights_bytes(out_channels, channels, kh, kw))  # the cache key's bytes
        + 3 * (fh * kh + kw * half) * 2 * COMPLEX  # DFT matrices, built in complex128
        + threads * (2 * spectrum + kh * half * COMPLEX)  # per thread: kernel, term, half
        # The chunk's products, and pocketfft's own complex buffer: irfft2 transforms the rows
        # into it before the last axis goes back to real.
        + 2 * chunk * spectrum
        # The chunk's inverse transforms; the last chunk's are still held while the next
        # chunk's are computed (the loop variable is rebound only when they are done).
        + (2 if out_channels > chunk else 1) * chunk * fh * fw * FLOAT
        + height * width * out_channels * FLOAT  # the output, written chunk by chunk
        + _held(zero_padded)
        + _held(source)
    )
    peak = max(source + building, forward, inverse)
    return _bank_copy(out_channels, channels, kh, kw, copied) + peak


def _tiled_fft_bytes(height, width, channels, out_channels, kh, kw, tiles) -> int:
    """fft_path.fft in overlap-save tiles: the padded source for the whole call and the
    tile-sized kernel spectra (they fit the cache by construction); every thread transforms
    one tile at a time."""
    from .fft_path import FFT_CHUNK_BYTES, spectra_bytes

    th, tw = tiles
    half = tw // 2 + 1
    spectrum = th * half * COMPLEX
    source, building = _padded_source(height, width, channels, kh, kw)
    chunk = max(1, min(out_channels, FFT_CHUNK_BYTES // spectrum))
    tile_spectra = channels * spectrum
    zero_padded = channels * th * tw * FLOAT  # scipy's zero-padded copy of an edge tile
    # The chunk's products and pocketfft's buffer, the real inverse transforms (two chunks'
    # worth when there are several, as in fft_bytes), and _inverse_into's kernel and term.
    real = (2 if out_channels > chunk else 1) * chunk * th * tw * FLOAT
    inverse = 2 * chunk * spectrum + real + 2 * spectrum
    rows, cols = th - kh + 1, tw - kw + 1
    count = -(-height // rows) * -(-width // cols)
    threads = min(num_threads(), count)
    # A thread on its second tile still holds the first tile's spectra while it transforms.
    per_thread = (2 if count > threads else 1) * tile_spectra + max(zero_padded, inverse)
    kept = (
        spectra_bytes(out_channels, channels, th, tw)
        + weights_bytes(out_channels, channels, kh, kw)  # the rotated copy
        + _held(weights_bytes(out_channels, channels, kh, kw))  # the cache key's bytes
        + 3 * (th * kh + kw * half) * 2 * COMPLEX  # DFT matrices, built in complex128
    )
    output = height * width * out_channels * FLOAT
    return source + max(building, kept + output + threads * per_thread)


def normal_bytes(
    algorithm, height, width, channels, out_channels, kh, kw, wrap=True, copies_weights=True
) -> int:
    """Peak bytes of one plain (stride 1) normal convolution by ``algorithm``;
    ``copies_weights``: whether the call copies the bank (not float32, or flip=True)."""
    shape = (height, width, channels, out_channels, kh, kw)
    if algorithm == "direct":
        return direct_bytes(*shape, wrap, copies_weights)
    if algorithm == "gemm":
        return gemm_bytes(*shape, copies_weights)
    if algorithm == "kn2row":
        return kn2row_bytes(*shape, copies_weights)
    if algorithm == "fft":
        return fft_bytes(*shape, copies_weights)
    raise ValueError(f"no memory model for algorithm {algorithm!r}")


# ---------------------------------------------------------------------------------- separable


def wide_sep_bytes(height, width, channels, kh, kw, wrap) -> int:
    """filtering._wide_sep_into (sepFilter2D above OpenCV's channel limit), beside its output:
    the vertical pass in column strips of the (H, W*C) rows (OpenCV's buffers per thread,
    wrap's padded strip and its result), then the horizontal pass with two block buffers
    and a filter2D's scratch per thread."""
    from .filtering import wide_block_rows
    from .threads import shares

    threads = num_threads()
    strip = -(-width * channels // max(1, shares(width * channels)))
    vertical = threads * filter2d_scratch(height, strip, kh, 1, 1, wrap)
    block_rows = min(height, wide_block_rows(width, channels))
    per_chunk = min(channels, CV_MAX_CHANNELS)
    blocks = -(-height // block_rows) * -(-channels // CV_MAX_CHANNELS)
    per_thread = 2 * block_rows * width * per_chunk * FLOAT
    per_thread += filter2d_scratch(block_rows, width, 1, kw, per_chunk, wrap)
    # Summed, not the larger: the strips' heap blocks may still be held when the blocks start.
    return vertical + min(threads, blocks) * per_thread


def spatial_bytes(height, width, channels, kh, kw, rank, wrap, keep_stages) -> int:
    """separable.spatial_separable_conv: the output (and the stages when kept), and what
    OpenCV holds for each band's call, one band per thread (wrap runs in one piece)."""
    from .separable import fused_spatial_plan

    plane = height * width * channels * FLOAT
    per_call = min(channels, CV_MAX_CHANNELS)
    calls, rows = banding(height, width, channels, kh, wrap)
    seams = 0 if wrap else seam_windows(height, width, channels, kh)
    temps = calls * chunk_temps(rows, width, channels)  # each band's channel chunks
    if keep_stages:
        scratch = calls * max(
            filter2d_scratch(rows, width, kh, 1, per_call, wrap),
            filter2d_scratch(rows, width, 1, kw, per_call, wrap),
        )
        # The stacked vertical stage (with rank 1 it is the vertical buffer itself), the
        # vertical buffer and the scratch reused across factors, and the output.
        buffers = rank * plane + (2 * plane if rank > 1 else 0) + plane
        return buffers + seams + temps + scratch
    plan = fused_spatial_plan(kh, kw, rank, channels)
    if plan == "filter2d":
        scratch = calls * filter2d_scratch(rows, width, kh, kw, per_call, wrap)
        return plane + seams + temps + scratch
    if channels > CV_MAX_CHANNELS:
        return (
            plane
            + (plane if rank > 1 else 0)
            + wide_sep_bytes(height, width, channels, kh, kw, wrap)
        )
    if plan == "filter2d+filter2d":
        # filtering.passes_into: the horizontal pass into a buffer like the output, in row
        # bands that need no seams, then the vertical one over the whole (H, W*C) view as one
        # single-channel image on the calling thread.
        row_calls, row_rows = banding(height, width, channels, 1, wrap)
        scratch = row_calls * filter2d_scratch(row_rows, width, 1, kw, per_call, wrap)
        scratch += filter2d_scratch(height, width * channels, kh, 1, 1, wrap)
        return 2 * plane + (plane if rank > 1 else 0) + scratch
    scratch = calls * sepfilter_scratch(rows, width, kh, kw, per_call, wrap)
    return plane + (plane if rank > 1 else 0) + seams + temps + scratch


def depthwise_bytes(
    height, width, channels, out_channels, kh, kw, multiplier, wrap, shared_kernel=None
) -> int:
    """separable.depthwise_separable_conv. One kernel for every channel (M = 1): the maps
    filtered channels-last in one call, then the mix. Otherwise: a channels-first copy of
    the input, every map filtered into its plane of one buffer (planes over the threads),
    the copy dropped, then one matmul into the output. None (unknown): the hungrier."""
    pixels, maps = height * width, channels * multiplier
    threads = num_threads()
    # The SVD that looks for rank-1 kernels (float64 copy, U, S, V^T) and the kernels and
    # mix as float32, with the factors and the mix's transposed copy.
    svd = maps * (kh * kw + kh * kh + kw * kw + kh + kw) * 8
    weights = maps * (kh * kw + kh + kw) * FLOAT + 2 * maps * out_channels * FLOAT
    output = pixels * out_channels * FLOAT
    maps_bytes = pixels * maps * FLOAT

    def shared_path() -> int:
        per_call = min(channels, CV_MAX_CHANNELS)
        calls, rows = banding(height, width, channels, kh, wrap)
        scratch = calls * max(
            filter2d_scratch(rows, width, kh, kw, per_call, wrap),
            sepfilter_scratch(rows, width, kh, kw, per_call, wrap),
        )
        temps = calls * chunk_temps(rows, width, channels)
        seams = 0 if wrap else seam_windows(height, width, channels, kh)
        return maps_bytes + seams + max(scratch + temps, output + _held(temps // 2))

    def planes_path() -> int:
        planes = pixels * channels * FLOAT
        one_plane = max(
            filter2d_scratch(height, width, kh, kw, 1, wrap),
            sepfilter_scratch(height, width, kh, kw, 1, wrap),
        )
        seams = map_seam_windows(height, width, maps, kh, wrap)
        filtering = planes + min(threads, maps) * one_plane
        return maps_bytes + seams + max(filtering, output + _held(planes))

    if shared_kernel is None:
        peak = max(shared_path(), planes_path())
    elif shared_kernel and multiplier == 1:
        peak = shared_path()
    else:
        peak = planes_path()
    return svd + weights + peak
