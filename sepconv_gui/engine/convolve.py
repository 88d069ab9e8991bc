"""The three convolution modes: normal, spatial-separable and depthwise-separable."""

from __future__ import annotations

import cv2
import numpy as np

from . import algorithms
from .cost import conv_cost
from .errors import keeps_the_contract
from .filtering import correlate_plane, oriented
from .memory import check_fits, describe_bytes, estimate_memory
from .result import ConvResult, StageTimer
from .validation import as_image, as_weights, check_border, check_kernel_fits

#: A depthwise kernel counts as rank 1 when its second singular value is this small relative
#: to the first: below float32 resolution, so the 1-D passes change nothing visible.
RANK_ONE_TOLERANCE = 1e-6


@keeps_the_contract
def normal_conv(
    image, weights, *, border: str = "reflect101", flip: bool = False, algorithm: str = "auto"
) -> ConvResult:
    """Full convolution: every output channel sums a kernel over every input channel.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` or ``(H, W, C)``, any real dtype; computed in float32 without rescaling.
    weights : ndarray
        ``(P, C, kh, kw)``, PyTorch order.
    border : str
        "reflect101" (default), "reflect", "replicate", "constant" (zeros) or "wrap".
    flip : bool
        False correlates (what OpenCV and deep-learning frameworks compute); True convolves,
        with the kernel rotated by 180 degrees.
    algorithm : str
        "direct", "gemm", "fft", or "auto" (a cost model picks; the choice is reported).

    Returns
    -------
    ConvResult
        ``output`` is float32 ``(H, W, P)``: ``out[..., p] = sum_c corr(image[..., c],
        weights[p, c])``; ``stages`` has the single stage "normal".

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((5, 5, 1), np.float32); image[2, 2] = 1
    >>> result = normal_conv(image, np.ones((2, 1, 3, 3)), border="constant")
    >>> result.output.shape, float(result.output.sum())
    ((5, 5, 2), 18.0)
    """
    data, _ = as_image(image)
    bank = as_weights("weights", weights, 4, "(P, C, kh, kw)")
    border = check_border(border)
    height, width, channels = data.shape
    p, c, kh, kw = bank.shape
    if c != channels:
        raise ValueError(
            f"weights have C={c} input channels (shape {bank.shape}) but the image has "
            f"{channels}; weights must be (P, {channels}, kh, kw) for this image"
        )
    if algorithm not in algorithms.ALGORITHMS:
        raise ValueError(
            f"algorithm={algorithm!r} is unknown; use one of {', '.join(algorithms.ALGORITHMS)}"
        )
    check_kernel_fits(kh, kw, height, width)
    memory = _memory_options(image, data, border)
    if algorithm == "auto":
        extra = height * width * channels * 4 if memory["copies_input"] else 0
        chosen, needed = algorithms.choose_within_budget(
            height, width, channels, p, kh, kw, border == "wrap", extra
        )
    else:
        chosen = algorithm
        needed = estimate_memory(
            "normal", height, width, channels, p, kh, kw, algorithm=chosen, **memory
        )
    check_fits(
        "normal",
        needed,
        f"{chosen}, {height}x{width}, C={channels}, P={p}, {kh}x{kw} kernel",
        alternatives=_cheaper_algorithms(
            chosen, needed, memory, height, width, channels, p, kh, kw
        ),
    )
    if flip:
        bank = np.ascontiguousarray(bank[:, :, ::-1, ::-1])
        anchor = (kh - 1 - kh // 2, kw - 1 - kw // 2)
    else:
        anchor = (kh // 2, kw // 2)
    timer = StageTimer()
    with timer.stage("normal"):
        output = algorithms.FUNCTIONS[chosen](data, bank, anchor, border)
    cost = conv_cost("normal", height, width, channels, p, kh, kw)
    return ConvResult(output, {"normal": output}, timer.seconds, cost, chosen)


def _memory_options(image, data: np.ndarray, border: str) -> dict:
    """What estimate_memory needs beyond the shapes: the border and whether input was copied."""
    copied = not (isinstance(image, np.ndarray) and np.may_share_memory(image, data))
    return {"border": border, "copies_input": copied}


def _cheaper_algorithms(chosen, needed, memory, height, width, channels, p, kh, kw) -> str:
    """A note naming the algorithms that would need less memory than ``chosen``."""
    notes = []
    for name in ("direct", "gemm", "fft"):
        other = estimate_memory(
            "normal", height, width, channels, p, kh, kw, algorithm=name, **memory
        )
        if name != chosen and other < needed:
            notes.append(f"algorithm={name!r} needs {describe_bytes(other)}")
    return f" ({'; '.join(notes)})" if notes else ""


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


@keeps_the_contract
def spatial_separable_conv(
    image, column, row, *, border: str = "reflect101", flip: bool = False
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

    Returns
    -------
    ConvResult
        ``output`` is ``(H, W, C)``. ``stages["vertical"]`` is ``(H, W, r*C)``, the vertical
        pass of factor i on channel c at index ``i*C + c``; ``stages["horizontal"]`` is the
        output.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((8, 8))
    >>> sep = spatial_separable_conv(image, [1, 2, 1], [1, 0, -1]).output
    >>> full = normal_conv(image, np.outer([1, 2, 1], [1, 0, -1])[None, None]).output
    >>> bool(np.allclose(sep, full, atol=1e-5))
    True
    """
    data, _ = as_image(image)
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
            **_memory_options(image, data, border),
        ),
        f"{height}x{width}, C={channels}, rank {rank}, {kh}x{kw} kernel",
    )
    timer = StageTimer()
    vertical_maps, output = [], None
    for col, rw in zip(columns, rows):
        col_kernel, col_anchor = oriented(col.reshape(kh, 1), flip)
        row_kernel, row_anchor = oriented(rw.reshape(1, kw), flip)
        with timer.stage("vertical"):
            vertical = correlate_plane(data, col_kernel, col_anchor, border)
            vertical = vertical.reshape(height, width, channels)
        with timer.stage("horizontal"):
            horizontal = correlate_plane(vertical, row_kernel, row_anchor, border)
            horizontal = horizontal.reshape(height, width, channels)
            if output is None:
                output = horizontal
            else:
                output += horizontal
        vertical_maps.append(vertical)
    stacked = vertical_maps[0] if rank == 1 else np.concatenate(vertical_maps, axis=2)
    cost = conv_cost("spatial", height, width, channels, channels, kh, kw, rank=rank)
    stages = {"vertical": stacked, "horizontal": output}
    return ConvResult(output, stages, timer.seconds, cost, "sepfilter")


def uses_transform(maps: int, out_channels: int) -> bool:
    """Whether the pointwise step runs through ``cv2.transform`` rather than a BLAS matmul.

    OpenCV has tuned kernels for small square mixes (and for mixing into one channel); there
    it beat the matmul at 1280x720: 0.30 against 0.91 ms for 3 -> 3, 0.15 against 0.58 for
    2 -> 2, 0.17 against 0.26 for 3 -> 1. Anything else takes its generic per-pixel loop,
    3-8x slower than the matmul (7.9 against 1.1 ms for 3 -> 8).
    """
    return maps <= 4 and out_channels <= 4 and out_channels in (maps, 1)


def pointwise_mix(maps: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """``out[..., p] = sum_k mix[p, k] * maps[..., k]``: the 1x1 convolution."""
    height, width, count = maps.shape
    if uses_transform(count, mix.shape[0]):
        out = cv2.transform(maps, mix)
    else:
        out = np.matmul(maps.reshape(-1, count), np.ascontiguousarray(mix.T))
    return out.reshape(height, width, mix.shape[0])


def _rank_one_factors(kernels: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Column and row factors of every kernel, or None if any kernel is not rank 1."""
    u, s, vt = np.linalg.svd(kernels.astype(np.float64))
    if kernels.shape[1] > 1 and kernels.shape[2] > 1:
        tail = s[:, 1:].max(axis=1)
        if np.any(tail > RANK_ONE_TOLERANCE * np.maximum(s[:, 0], np.finfo(np.float64).tiny)):
            return None
    scale = np.sqrt(s[:, 0])
    columns = (u[:, :, 0] * scale[:, None]).astype(np.float32)
    rows = (vt[:, 0, :] * scale[:, None]).astype(np.float32)
    return columns, rows


@keeps_the_contract
def depthwise_separable_conv(
    image,
    depthwise,
    pointwise,
    *,
    border: str = "reflect101",
    flip: bool = False,
    one_d_passes: bool | None = None,
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
        Run each depthwise kernel as a vertical and a horizontal 1-D pass (both tricks at
        once). None (default) does so when every depthwise kernel is rank 1 and the passes
        need fewer multiplications; True insists (ValueError if a kernel is not rank 1).

    Returns
    -------
    ConvResult
        ``output`` is ``(H, W, P)``; ``stages["depthwise"]`` is the ``(H, W, C*M)`` depthwise
        maps, ``stages["pointwise"]`` the output.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.random.default_rng(0).random((6, 6, 2))
    >>> result = depthwise_separable_conv(image, np.ones((4, 3, 3)), np.ones((5, 4)))
    >>> result.output.shape, result.stages["depthwise"].shape
    ((6, 6, 5), (6, 6, 4))
    """
    data, _ = as_image(image)
    kernels = as_weights("depthwise", depthwise, 3, "(C*M, kh, kw)")
    mix = as_weights("pointwise", pointwise, 2, "(P, C*M)")
    border = check_border(border)
    height, width, channels = data.shape
    maps, kh, kw = kernels.shape
    if maps % channels:
        raise ValueError(
            f"depthwise has {maps} kernels (shape {kernels.shape}) but the image has {channels} "
            f"channels; it needs C*M kernels, a multiple of {channels}"
        )
    if mix.shape[1] != maps:
        raise ValueError(
            f"pointwise is {mix.shape} but there are {maps} depthwise maps; "
            f"pointwise must be (P, {maps})"
        )
    check_kernel_fits(kh, kw, height, width)
    multiplier = maps // channels
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
            **_memory_options(image, data, border),
        ),
        f"{height}x{width}, C={channels}, M={multiplier}, P={mix.shape[0]}, {kh}x{kw} kernel",
    )

    factors = None
    fewer_multiplications = kh > 1 and kw > 1
    if one_d_passes or (one_d_passes is None and fewer_multiplications):
        factors = _rank_one_factors(kernels)
        if factors is None and one_d_passes:
            raise ValueError(
                "one_d_passes=True needs every depthwise kernel to be rank 1 (an outer product "
                "of a column and a row); at least one is not"
            )

    timer = StageTimer()
    if multiplier == 1 and channels <= 4 and np.all(kernels == kernels[:1]):
        # One kernel for every channel (the usual teaching design): OpenCV filters all
        # channels in one call, which on small frames costs a third of C calls.
        with timer.stage("depthwise"):
            if factors is None:
                kernel, anchor = oriented(kernels[0], flip)
                both = correlate_plane(data, kernel, anchor, border)
            else:
                col, col_anchor = oriented(factors[0][0].reshape(kh, 1), flip)
                rw, row_anchor = oriented(factors[1][0].reshape(1, kw), flip)
                vertical = correlate_plane(data, col, col_anchor, border)
                both = correlate_plane(vertical, rw, row_anchor, border)
            depth_stack = np.ascontiguousarray(both.reshape(height, width, channels))
        return _finish_depthwise(timer, data, depth_stack, mix, kh, kw, multiplier, factors)
    channel_planes = algorithms.planes(data)
    with timer.stage("depthwise"):
        depth_maps = []
        for index in range(maps):
            plane = channel_planes[index // multiplier]
            if factors is None:
                kernel, anchor = oriented(kernels[index], flip)
                depth_maps.append(correlate_plane(plane, kernel, anchor, border))
            else:
                col, col_anchor = oriented(factors[0][index].reshape(kh, 1), flip)
                rw, row_anchor = oriented(factors[1][index].reshape(1, kw), flip)
                vertical = correlate_plane(plane, col, col_anchor, border)
                depth_maps.append(correlate_plane(vertical, rw, row_anchor, border))
        depth_stack = algorithms.stack_channels(depth_maps)
    return _finish_depthwise(timer, data, depth_stack, mix, kh, kw, multiplier, factors)


def _finish_depthwise(timer, data, depth_stack, mix, kh, kw, multiplier, factors) -> ConvResult:
    """The pointwise step, the counts and the result of a depthwise-separable run."""
    height, width, channels = data.shape
    with timer.stage("pointwise"):
        output = pointwise_mix(depth_stack, mix)
    cost = conv_cost(
        "depthwise",
        height,
        width,
        channels,
        mix.shape[0],
        kh,
        kw,
        multiplier,
        depthwise_separable_passes=factors is not None,
    )
    mixer = "transform" if uses_transform(mix.shape[1], mix.shape[0]) else "matmul"
    algorithm = ("sepfilter" if factors is not None else "filter2d") + "+" + mixer
    stages = {"depthwise": depth_stack, "pointwise": output}
    return ConvResult(output, stages, timer.seconds, cost, algorithm)
