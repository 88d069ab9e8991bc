"""Per-channel and per-map depthwise kernels: which kernel an edit is for, and how the stack
of kernels follows a change of kind, of C or of M. Plain numpy, no Qt.

A *target* names one kernel of the design: ``(None, None)`` is the base kernel (the one the
spatial-separable mode runs, and every channel's with ``depthwise_kind`` ``shared``);
``(c, None)`` is channel c's kernel (``per_channel``); ``(c, m)`` is channel c's m-th map
(``per_map``). Every kernel of the stack has one size (the engine takes a ``(C*M, kh, kw)``
array), so giving one kernel a new size resizes the others around their centres.
"""

from __future__ import annotations

import numpy as np

from .channels import channel_names
from .design_checks import FrozenArray
from .design_weights import channels_for, turned_copies

BASE = (None, None)


def resize_centered(kernel: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """The kernel at a new size, keeping what fits around the anchor (the centre): growing
    pads zeros on every side, shrinking trims the outer rows and columns."""
    result = np.zeros((kh, kw))
    oh, ow = kernel.shape
    # Anchors are at (k // 2): line them up, then copy the overlap.
    dr, dc = kh // 2 - oh // 2, kw // 2 - ow // 2
    r0, c0 = max(0, dr), max(0, dc)
    r1, c1 = min(kh, oh + dr), min(kw, ow + dc)
    result[r0:r1, c0:c1] = kernel[r0 - dr : r1 - dr, c0 - dc : c1 - dc]
    return result


def channel_labels(design, source_channels: int = 3) -> list[str]:
    """The names of the design's C input channels, as the channel designer gives them."""
    source = source_channels if source_channels in (1, 3) else 3
    if design.channels:
        return channel_names(1 if design.grayscale else source, design.channels)
    count = channels_for(design, source)
    if count == 1:
        return ["gray"]
    if count == 3:
        return ["R", "G", "B"]
    return [f"channel {c}" for c in range(count)]  # an imported bank's C


def turn_label(m: int, shape: tuple[int, int]) -> str:
    """Which turn map m of a channel gets from its kernel (see design_weights.turned_copies)."""
    if shape[0] != shape[1]:
        return "as drawn (a non-square kernel repeats unturned)"
    return ("as drawn", "turned 90° clockwise", "turned 180°", "turned 270° clockwise")[m % 4]


def index_of(design, target) -> int | None:
    """The index in ``depthwise_custom`` of a target, None for the base kernel."""
    channel, m = target
    if channel is None or design.depthwise_kind == "shared":
        return None
    if design.depthwise_kind == "per_channel":
        return channel
    return channel * design.multiplier + (m or 0)


def valid_target(design, target, channels: int):
    """``target`` clipped to what the design has (an undo may have removed its kernel)."""
    channel, m = target
    if channel is None or design.depthwise_kind == "shared":
        return BASE
    stored = len(design.depthwise_custom)
    if design.depthwise_kind == "per_channel":
        return (min(channel, stored - 1), None)
    per = design.multiplier
    channel = min(channel, stored // per - 1, channels - 1)
    return (channel, min(m or 0, per - 1))


def target_kernel(design, target) -> np.ndarray:
    index = index_of(design, target)
    if index is None:
        return design.kernel_array()
    return np.array(design.depthwise_custom.array[index])


def set_target_kernel(design, target, kernel: np.ndarray) -> dict:
    """The changes that make ``target``'s kernel ``kernel`` (the others resized to match)."""
    index = index_of(design, target)
    kernel = np.asarray(kernel, dtype=np.float64)
    if index is None:
        return {"kernel": tuple(tuple(map(float, row)) for row in kernel)}
    stack = design.depthwise_custom.array
    if stack.shape[1:] != kernel.shape:
        stack = np.stack([resize_centered(k, *kernel.shape) for k in stack])
    else:
        stack = stack.copy()
    stack[index] = kernel
    return {"depthwise_custom": FrozenArray(stack)}


def switch_kind(design, kind: str, channels: int) -> dict:
    """The changes that make the depthwise kernels ``kind``, keeping what the engine runs
    where the new kind can say it: shared -> per-channel copies the base kernel to every
    channel, anything -> per-map spells out today's stack, per-map -> per-channel keeps
    each channel's first map. Going back to shared drops the custom kernels (undo has them).
    """
    if kind == design.depthwise_kind:
        return {}
    if kind == "shared":
        return {"depthwise_kind": "shared", "depthwise_custom": None}
    if kind == "per_map":
        stack = design.depthwise_kernels(channels)
    elif design.depthwise_kind == "shared":
        stack = np.stack([design.kernel_array()] * channels)
    else:
        stack = design.depthwise_custom.array[:: design.multiplier]
    return {"depthwise_kind": kind, "depthwise_custom": FrozenArray(stack)}


def follow_sizes(design, changes: dict) -> dict:
    """``changes`` plus the custom kernels resized to a new C or M (for ``with_changes``).

    New channels get the base kernel; a channel's new maps are turned copies of its first
    map (as with turned copies), and maps beyond a smaller M are dropped. C that comes from
    the source is not known here; it is taken to stay what the kernels say, or to be 3
    when gray input is turned off.
    """
    kind = changes.get("depthwise_kind", design.depthwise_kind)
    if (
        kind == "shared"
        or design.depthwise_custom is None
        or "depthwise_custom" in changes
        or "depthwise_kind" in changes
        or not {"multiplier", "channels", "grayscale"} & set(changes)
    ):
        return changes
    old_m = design.multiplier
    stack = design.depthwise_custom.array
    old_c = len(stack) if kind == "per_channel" else len(stack) // old_m
    new_m = changes.get("multiplier", old_m)
    synthesized = changes.get("channels", design.channels)
    gray = changes.get("grayscale", design.grayscale)
    if design.normal_kind == "file":
        new_c = design.normal_bank.shape[1]
    elif synthesized:
        new_c = synthesized
    elif gray:
        new_c = 1
    else:
        new_c = old_c if not (design.channels or design.grayscale) else 3
    if new_c == old_c and (kind == "per_channel" or new_m == old_m):
        return changes
    shape = stack.shape[1:]
    base = resize_centered(design.kernel_array(), *shape)
    if kind == "per_channel":
        kernels = [stack[c] if c < old_c else base for c in range(new_c)]
    else:
        kernels = []
        for c in range(new_c):
            first = stack[c * old_m] if c < old_c else base
            turns = turned_copies(first, new_m)
            kept = [stack[c * old_m + m] for m in range(min(old_m, new_m))] if c < old_c else []
            kernels += kept + turns[len(kept) :]
    return {**changes, "depthwise_custom": FrozenArray(np.stack(kernels))}
