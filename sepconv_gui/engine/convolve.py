"""The three convolution modes: normal here, the two separable ones in :mod:`.separable`."""

from __future__ import annotations

import numpy as np

from . import algorithms, fft_path, geometry
from .cost import conv_cost
from .errors import keeps_the_contract

from .memory import check_fits, describe_bytes, estimate_memory
from .result import ConvResult, StageTimer
from .validation import normal_inputs, check_kernel_fits


@keeps_the_contract
def normal_conv(
    image,
    weights,
    *,
    border: str = "reflect101",
    flip: bool = False,
    algorithm: str = "auto",
    keep_stages: bool = False,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
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
        "direct", "gemm", "kn2row", "fft", or "auto" (a cost model picks; the choice is reported).
    keep_stages : bool
        Accepted for symmetry with the other modes: normal's only stage is its output.
    stride, dilation : int or (int, int)
        Sampling grid as in a network layer (see :mod:`.geometry`): the output is
        ``ceil(H / sy) x ceil(W / sx)``, taps ``dilation`` pixels apart.

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
    del keep_stages  # the single stage is the output itself
    if not geometry.is_plain(stride, dilation):
        return geometry.normal_conv(
            image,
            weights,
            border=border,
            flip=flip,
            algorithm=algorithm,
            stride=stride,
            dilation=dilation,
        )
    data, bank, border = normal_inputs(image, weights, border, algorithm, algorithms.ALGORITHMS)
    height, width, channels = data.shape
    p, c, kh, kw = bank.shape
    check_kernel_fits(kh, kw, height, width)
    if flip:
        bank = np.ascontiguousarray(bank[:, :, ::-1, ::-1])
        anchor = (kh - 1 - kh // 2, kw - 1 - kw // 2)
    else:
        anchor = (kh // 2, kw // 2)
    memory = memory_options(image, data, border)
    shares = isinstance(weights, np.ndarray) and np.may_share_memory(weights, bank)
    memory["copies_weights"] = flip or not shares
    if algorithm == "auto":
        extra = height * width * channels * 4 if memory["copies_input"] else 0
        chosen, needed = algorithms.choose_within_budget(
            height,
            width,
            channels,
            p,
            kh,
            kw,
            border == "wrap",
            extra,
            cached=fft_path.is_cached(bank, height, width),
            copies_weights=memory["copies_weights"],
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
    timer = StageTimer()
    with timer.stage("normal"):
        output = algorithms.FUNCTIONS[chosen](data, bank, anchor, border)
    cost = conv_cost("normal", height, width, channels, p, kh, kw)
    return ConvResult(output, {"normal": output}, timer.seconds, cost, chosen)


def memory_options(image, data: np.ndarray, border: str) -> dict:
    """What estimate_memory needs beyond the shapes: the border and whether input was copied."""
    copied = not (isinstance(image, np.ndarray) and np.may_share_memory(image, data))
    return {"border": border, "copies_input": copied}


def _cheaper_algorithms(chosen, needed, memory, height, width, channels, p, kh, kw) -> str:
    """A note naming the algorithms that would need less memory than ``chosen``."""
    notes = []
    for name in algorithms.CHOSEN:
        other = estimate_memory(
            "normal", height, width, channels, p, kh, kw, algorithm=name, **memory
        )
        if name != chosen and other < needed:
            notes.append(f"algorithm={name!r} needs {describe_bytes(other)}")
    return f" ({'; '.join(notes)})" if notes else ""


# The separable modes live in their own module; re-exported so ``convolve`` stays the one
# place that names all three.
from .depthwise_parts import RANK_ONE_TOLERANCE, pointwise_mix, uses_transform  # noqa: E402
from .separable import depthwise_separable_conv, spatial_separable_conv  # noqa: E402

__all__ = [
    "RANK_ONE_TOLERANCE",
    "depthwise_separable_conv",
    "normal_conv",
    "pointwise_mix",
    "spatial_separable_conv",
    "uses_transform",
]
