"""The two separable modes: spatial-separable and depthwise-separable (its building blocks
are in depthwise_parts).

Both write every pass straight into buffers allocated once per call (OpenCV's ``dst=``), and
keep intermediate stages only when asked (``keep_stages=True``: the app's Stages dock), so a
notebook call pays for the output alone.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import geometry
from .cost import conv_cost
from .depthwise_parts import (
    DepthwisePass,
    channels_first,
    mix_rows,
    pointwise_mix,
    rank_one_factors,
    uses_transform,
)
from .errors import keeps_the_contract
from .filtering import (
    CV_MAX_CHANNELS,
    anchor_of,
    can_band,
    filter_into,
    oriented,
    passes_into,
    sep_filter_into,
)
from .memory import check_fits, estimate_memory
from .result import ConvResult, StageTimer
from .scratch import scratch as thread_scratch
from .threads import num_threads
from .validation import (
    as_weights,
    check_border,
    check_image_later,
    check_kernel_fits,
    depthwise_inputs,
    image_array,
)

#: A kernel this small runs as one 2-D filter2D rather than sepFilter2D when the passes are
#: not kept: at 1280x720x3, 3x3 took 1.6 ms as one filter2D against 3.5 ms as sepFilter2D;
#: from 4x4 up sepFilter2D wins (5x5: 2.8 against 6.1 ms).
SMALL_2D_TAPS = 9

#: From this many taps on the longer side the passes run as two 1-D filter2D calls rather
#: than one sepFilter2D (filtering.passes_into). At 1280x720x3, engine call / one plain
#: sepFilter2D, quiet and with one core busy: 7 taps 1.04 and 1.49 against 0.95 and 1.22
#: with sepFilter2D in bands; 9: 0.89 / 1.26 against 0.93 / 1.17; 11: 0.71 / 1.13 against
#: 0.74 / 1.15; 13: 0.96 / 1.09 against 1.16 / 1.13; 31: 0.5 against 0.6-1.05 (bench).
PASSES_FROM_TAPS = 11


def _as_factor_pairs(column, row) -> tuple[np.ndarray, np.ndarray]:
    col = as_weights("column", column, np.ndim(column), "(kh,) or (r, kh)")
    rw = as_weights("row", row, np.ndim(row), "(kw,) or (r, kw)")
    if col.ndim not in (1, 2) or rw.ndim not in (1, 2) or col.ndim != rw.ndim:
        raise ValueError(
            f"column and row must both be 1-D (kh,) and (kw,), or both 2-D (r, kh) and (r, kw); "
            f"got shapes {col.shape} and {rw.shape}"
        )
    col, rw = np.atleast_2d(col), np.atleast_2d(rw)
    if col.shape[0] != rw.shape[0]:
        raise ValueError(
            f"column has {col.shape[0]} factors and row has {rw.shape[0]}; "
            "a rank-r kernel needs r of each"
        )
    return col, rw


def _memory_options(image, data: np.ndarray, border: str, keep_stages: bool) -> dict:
    copied = not (isinstance(image, np.ndarray) and np.may_share_memory(image, data))
    return {"border": border, "copies_input": copied, "keep_stages": keep_stages}


def fused_spatial_plan(kh: int, kw: int, rank: int, channels: int = 1) -> str:
    """What a spatial call without kept stages runs, per factor: "filter2d" (one 2-D pass of
    the summed kernel) for small or 1-D kernels; "filter2d+filter2d" (a horizontal and a
    vertical 1-D filter2D: filtering.passes_into) from PASSES_FROM_TAPS taps a side, and
    above OpenCV's channel limit, where sepFilter2D cannot run; "sepfilter2d" between.
    Above the limit a rank-1 small kernel takes the passes too: they need no channel-chunk
    copies, a 2-D filter2D does."""
    if kh == 1 or kw == 1:
        return "filter2d"
    wide = channels > CV_MAX_CHANNELS
    if kh * kw <= SMALL_2D_TAPS and not (wide and rank == 1):
        return "filter2d"
    if wide or max(kh, kw) >= PASSES_FROM_TAPS:
        return "filter2d+filter2d"
    return "sepfilter2d"


@keeps_the_contract
def spatial_separable_conv(
    image,
    column,
    row,
    *,
    border: str = "reflect101",
    flip: bool = False,
    keep_stages: bool = False,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> ConvResult:
    """Spatial-separable convolution: a vertical 1-D pass, then a horizontal one, per channel.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` or ``(H, W, C)``.
    column, row : ndarray
        ``(kh,)`` and ``(kw,)``: the kernel is ``outer(column, row)``, applied to every channel.
        ``(r, kh)`` and ``(r, kw)``: the rank-r sum ``sum_i outer(column[i], row[i])``, run as r
        pairs of passes whose results are summed.
    border, flip
        As in :func:`normal_conv`.
    keep_stages : bool
        False (default): the cheapest calls that give the output — one small 2-D
        ``filter2D`` for kernels of at most 9 taps, else per factor a horizontal and a
        vertical 1-D ``filter2D`` from 11 taps a side, one ``cv2.sepFilter2D`` below
        (``ConvResult.algorithm`` says which: :func:`fused_spatial_plan`); ``stages`` holds
        only the output and ``timings`` the whole call under "spatial". True: two
        ``filter2D`` passes per factor into buffers reused across factors;
        ``stages["vertical"]`` is ``(H, W, r*C)``, the vertical pass of factor i on
        channel c at index ``i*C + c``, timed per stage.

    Returns
    -------
    ConvResult
        ``output`` is ``(H, W, C)``; ``stages["horizontal"]`` is the output.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((8, 8))
    >>> sep = spatial_separable_conv(image, [1, 2, 1], [1, 0, -1]).output
    >>> full = normal_conv(image, np.outer([1, 2, 1], [1, 0, -1])[None, None]).output
    >>> bool(np.allclose(sep, full, atol=1e-5))
    True
    """
    if not geometry.is_plain(stride, dilation):
        return geometry.spatial_conv(
            image,
            column,
            row,
            border=border,
            flip=flip,
            keep_stages=keep_stages,
            stride=stride,
            dilation=dilation,
        )
    data, _ = image_array(image)  # checked for NaN beside the filtering (check_image_later)
    columns, rows = _as_factor_pairs(column, row)
    border = check_border(border)
    height, width, channels = data.shape
    rank, kh, kw = columns.shape[0], columns.shape[1], rows.shape[1]
    check_kernel_fits(kh, kw, height, width)
    check_fits(
        "spatial",
        estimate_memory(
            "spatial",
            height,
            width,
            channels,
            channels,
            kh,
            kw,
            rank=rank,
            **_memory_options(image, data, border, keep_stages),
        ),
        f"{height}x{width}, C={channels}, rank {rank}, {kh}x{kw} kernel",
    )
    cost = conv_cost("spatial", height, width, channels, channels, kh, kw, rank=rank)
    parts = num_threads()
    # A banded call checks each band's rows on the thread that filtered them, while they are
    # in its cache; a call that cannot band (wrap, more channels than OpenCV takes) has a
    # helper check beside it where a second thread is allowed.
    in_bands = can_band(parts, border, channels)
    check = check_image_later(data, helper=not in_bands)
    on_rows = check.rows if in_bands else None
    timer = StageTimer()
    output = np.empty_like(data)
    if not keep_stages:
        plan = fused_spatial_plan(kh, kw, rank, channels)
        with timer.stage("spatial"):
            if plan == "filter2d":
                kernel, anchor = oriented(np.einsum("ri,rj->ij", columns, rows), flip)
                filter_into(data, kernel, anchor, border, output, parts, on_rows)
            else:
                scratch = np.empty_like(data) if rank > 1 else None
                if plan == "sepfilter2d":
                    into = sep_filter_into
                elif channels > CV_MAX_CHANNELS:  # the passes need no intermediate there
                    into = passes_into
                else:
                    into = partial(passes_into, between=thread_scratch(data.shape, "between"))
                anchor = anchor_of(kh, kw, flip)
                for index, (col, rw) in enumerate(zip(columns, rows)):
                    # Rotating outer(col, row) by 180 degrees rotates each factor.
                    col_k, _ = oriented(col.reshape(kh, 1), flip)
                    row_k, _ = oriented(rw.reshape(1, kw), flip)
                    target = output if index == 0 else scratch
                    into(data, col_k, row_k, anchor, border, target, parts, on_rows)
                    on_rows = None  # the first factor's bands checked the image
                    if index:
                        output += scratch
            check.finish()
        return ConvResult(output, {"horizontal": output}, timer.seconds, cost, plan)

    stacked = np.empty((height, width, rank * channels), dtype=np.float32)
    vertical = stacked if rank == 1 else np.empty_like(data)
    scratch = np.empty_like(data) if rank > 1 else None
    for index, (col, rw) in enumerate(zip(columns, rows)):
        col_kernel, col_anchor = oriented(col.reshape(kh, 1), flip)
        row_kernel, row_anchor = oriented(rw.reshape(1, kw), flip)
        with timer.stage("vertical"):
            filter_into(data, col_kernel, col_anchor, border, vertical, parts, on_rows)
            on_rows = None
            if rank > 1:
                stacked[:, :, index * channels : (index + 1) * channels] = vertical
        with timer.stage("horizontal"):
            target = output if index == 0 else scratch
            filter_into(vertical, row_kernel, row_anchor, border, target, parts)
            if index:
                output += scratch
    check.finish()
    stages = {"vertical": stacked, "horizontal": output}
    return ConvResult(output, stages, timer.seconds, cost, "filter2d+filter2d")


@keeps_the_contract
def depthwise_separable_conv(
    image,
    depthwise,
    pointwise,
    *,
    border: str = "reflect101",
    flip: bool = False,
    one_d_passes: bool | None = None,
    keep_stages: bool = False,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> ConvResult:
    """Depthwise-separable convolution: one kernel per channel, then a 1x1 mix to P channels.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` or ``(H, W, C)``.
    depthwise : ndarray
        ``(C*M, kh, kw)``; kernel ``c*M + m`` filters input channel ``c`` (depth multiplier M,
        the Keras / PyTorch ``groups=C`` order).
    pointwise : ndarray
        ``(P, C*M)``: output ``p`` is ``sum_k pointwise[p, k] * depthwise_map[k]``.
    border, flip
        As in :func:`normal_conv`.
    one_d_passes : bool or None
        Run each depthwise kernel as one ``sepFilter2D`` of its column and row (both tricks at
        once). None (default) does so when every depthwise kernel is rank 1 and the passes
        need fewer multiplications; True insists (ValueError if a kernel is not rank 1).
    stride, dilation : int or (int, int)
        As in :func:`normal_conv` (:mod:`.geometry`); maps and output are then
        ``ceil(H / sy) x ceil(W / sx)``.
    keep_stages : bool
        True keeps the ``(H, W, C*M)`` depthwise maps as ``stages["depthwise"]`` (a
        channels-last view of the buffer the maps were filtered into); False (default) keeps
        only the output.

    Returns
    -------
    ConvResult
        ``output`` is ``(H, W, P)``; ``stages["pointwise"]`` is the output.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((6, 6, 2))
    >>> result = depthwise_separable_conv(
    ...     image, np.ones((4, 3, 3)), np.ones((5, 4)), keep_stages=True)
    >>> result.output.shape, result.stages["depthwise"].shape
    ((6, 6, 5), (6, 6, 4))
    """
    if not geometry.is_plain(stride, dilation):
        return geometry.depthwise_conv(
            image,
            depthwise,
            pointwise,
            border=border,
            flip=flip,
            keep_stages=keep_stages,
            stride=stride,
            dilation=dilation,
        )
    data, kernels, mix, border, check = depthwise_inputs(
        image, depthwise, pointwise, border, check_later=True
    )
    height, width, channels = data.shape
    maps, kh, kw = kernels.shape
    check_kernel_fits(kh, kw, height, width)
    multiplier = maps // channels
    shared = bool(multiplier == 1 and np.all(kernels == kernels[:1]))
    check_fits(
        "depthwise",
        estimate_memory(
            "depthwise",
            height,
            width,
            channels,
            mix.shape[0],
            kh,
            kw,
            multiplier,
            shared_kernel=shared,
            **_memory_options(image, data, border, keep_stages),
        ),
        f"{height}x{width}, C={channels}, M={multiplier}, P={mix.shape[0]}, {kh}x{kw} kernel",
    )

    factors = None
    if one_d_passes or (one_d_passes is None and kh > 1 and kw > 1):
        factors = rank_one_factors(kernels)
        if factors is None and one_d_passes:
            raise ValueError(
                "one_d_passes=True needs every depthwise kernel to be rank 1 (an outer product "
                "of a column and a row); at least one is not"
            )
    depth_pass = DepthwisePass(kernels, factors, flip)
    timer = StageTimer()
    pixels, out_channels = height * width, mix.shape[0]
    if shared:
        # One kernel for every channel (the usual teaching design): OpenCV filters all
        # channels channels-last in one call (chunked above its channel limit), a third of
        # the cost of C calls on small frames; the mix may then use cv2.transform. A banded
        # call checks the image band by band, as the spatial mode does.
        parts = num_threads()
        in_bands = can_band(parts, border, channels)
        check.start(helper=not in_bands)
        with timer.stage("depthwise"):
            depth_maps = np.empty_like(data)
            depth_pass.run(0, data, border, depth_maps, parts, check.rows if in_bands else None)
        with timer.stage("pointwise"):
            output = pointwise_mix(depth_maps, mix)
        mixer = "transform" if uses_transform(maps, out_channels) else "matmul"
    else:
        # Channels first: every map is a contiguous plane OpenCV filters into directly, and
        # the mix is one matmul reading the planes as a transposed (pixels, maps) matrix.
        # The copy to channels first reads every value: it checks them as it goes.
        # Both buffers are the calling thread's kept scratch unless the maps are returned.
        check.start(helper=False)
        with timer.stage("depthwise"):
            planes_shape = (channels, height, width)
            planes = channels_first(data, check.rows, thread_scratch(planes_shape, "planes"))
            shape = (maps, height, width)
            if keep_stages:
                buffer = np.empty(shape, dtype=np.float32)
            else:
                buffer = thread_scratch(shape, "maps")
            depth_pass.run_planes(planes, multiplier, border, buffer)
            del planes
            depth_maps = buffer.transpose(1, 2, 0)
        with timer.stage("pointwise"):
            output = np.empty((height, width, out_channels), dtype=np.float32)
            mix_rows(buffer.reshape(maps, pixels).T, mix, output.reshape(pixels, out_channels))
        mixer = "matmul"
    cost = conv_cost(
        "depthwise",
        height,
        width,
        channels,
        out_channels,
        kh,
        kw,
        multiplier,
        depthwise_separable_passes=factors is not None,
    )
    check.finish()
    algorithm = ("sepfilter" if factors is not None else "filter2d") + "+" + mixer
    stages = {"depthwise": depth_maps, "pointwise": output} if keep_stages else {}
    stages["pointwise"] = output
    return ConvResult(output, stages, timer.seconds, cost, algorithm)
