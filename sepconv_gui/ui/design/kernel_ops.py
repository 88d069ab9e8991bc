"""Edits of one kernel grid, as plain numpy (no Qt): what the editor's buttons and paste do.

Each function returns a new float64 array and leaves its input alone, so an edit can be kept
for undo and compared with what was there before.
"""

from __future__ import annotations

import re

import numpy as np

from ...app.design_kernels import resize_centered  # noqa: F401  (re-exported for the editor)

MAX_SIDE = 31

NOISE = 1e-12
"""Values smaller than NOISE x the kernel's largest magnitude are rounding residue (an SVD or a
rotation leaves 5e-17 where a 0 was meant); they are shown and normalized as 0."""


def format_value(value: float, scale: float = 0.0) -> str:
    """A kernel value as a person would write it: ``0`` for rounding noise, no ``-0``,
    four significant digits, and plain decimals wherever they stay short."""
    value = float(value)
    if value == 0 or abs(value) <= NOISE * abs(scale):
        return "0"
    if 1e4 <= abs(value) < 1e12:
        return f"{value:.0f}"  # 4**k-sized derivative taps: whole numbers, no exponent
    text = f"{value:.4g}"
    return text


def short_value(value: float, scale: float, chars: int) -> str | None:
    """The value in at most ``chars`` characters, dropping digits (never the magnitude), or
    None when even one digit does not fit; the exact value is a hover away."""
    text = format_value(value, scale)
    if len(text) <= chars:
        return text

    def compact(text: str) -> str:
        text = text.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")
        return text.replace("0.", ".", 1) if abs(value) < 1 else text

    candidates = [f"{float(value):.{d}g}" for d in (3, 2, 1)] + [f"{float(value):.0e}"]
    for text in map(compact, candidates):
        if len(text) <= chars:
            return text
    return None


def clean(kernel: np.ndarray) -> np.ndarray:
    """Zero the rounding residue (relative to the largest magnitude); -0 becomes 0."""
    kernel = np.array(kernel, dtype=np.float64)
    peak = float(np.abs(kernel).max()) if kernel.size else 0.0
    kernel[np.abs(kernel) <= NOISE * peak] = 0.0
    return kernel + 0.0


def parse_block(text: str) -> np.ndarray:
    """A pasted block as a 2-D array: rows on lines, cells split by tabs (spreadsheets),
    commas, semicolons or spaces; brackets (numpy/Python reprs) are ignored.

    Raises ValueError naming the first cell that is not a finite number, ragged rows, or a
    block larger than MAX_SIDE on a side.
    """
    rows = []
    for number, line in enumerate(text.strip().splitlines(), 1):
        line = re.sub(r"[\[\]()]", " ", line).strip().rstrip(",")
        if not line:
            continue
        cells = [c for c in re.split(r"[\t,;\s]+", line) if c]
        try:
            values = [float(c) for c in cells]
        except ValueError:
            bad = next(c for c in cells if not _is_number(c))
            raise ValueError(f"line {number}: {bad!r} is not a number") from None
        if not np.isfinite(values).all():
            raise ValueError(f"line {number}: only finite numbers can go in a kernel")
        rows.append(values)
    if not rows:
        raise ValueError("there are no numbers to paste")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(
            f"the rows have different lengths ({', '.join(str(len(r)) for r in rows)}); "
            "a kernel block must be rectangular"
        )
    block = np.array(rows, dtype=np.float64)
    if max(block.shape) > MAX_SIDE:
        raise ValueError(f"the block is {block.shape[0]}×{block.shape[1]}; sides go up to 31")
    return block


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def format_block(block: np.ndarray) -> str:
    """Tab-separated rows: pastes back into a spreadsheet or into :func:`parse_block`."""
    scale = float(np.abs(block).max()) if block.size else 0.0
    return "\n".join("\t".join(format_value(v, scale) for v in row) for row in block) + "\n"


def place_block(kernel: np.ndarray, block: np.ndarray, row: int, column: int) -> np.ndarray:
    """``block`` written with its top-left at (row, column); the kernel grows (up to
    MAX_SIDE) to hold it, keeping every old value where it was."""
    kh = min(MAX_SIDE, max(kernel.shape[0], row + block.shape[0]))
    kw = min(MAX_SIDE, max(kernel.shape[1], column + block.shape[1]))
    result = np.zeros((kh, kw))
    result[: kernel.shape[0], : kernel.shape[1]] = kernel
    h, w = min(block.shape[0], kh - row), min(block.shape[1], kw - column)
    result[row : row + h, column : column + w] = block[:h, :w]
    return result


def normalize(kernel: np.ndarray) -> np.ndarray:
    """Scale to sum 1; a zero-sum kernel (a derivative), which no scale makes sum to 1, is
    scaled to L1 norm 1 instead (its absolute values sum to 1).

    Raises ValueError for an all-zero kernel.
    """
    kernel = clean(kernel)
    l1 = float(np.abs(kernel).sum())
    if l1 == 0:
        raise ValueError("an all-zero kernel cannot be normalized")
    total = float(kernel.sum())
    # "Zero-sum" up to the rounding of the values themselves.
    divisor = l1 if abs(total) <= 1e-9 * l1 else total
    return clean(kernel / divisor)


def scale(kernel: np.ndarray, factor: float) -> np.ndarray:
    if not np.isfinite(factor):
        raise ValueError(f"scale by {factor!r}: give a finite number")
    result = kernel * float(factor)
    if not np.isfinite(result).all():
        raise ValueError(f"scaling by {factor:g} overflows the kernel")
    return result + 0.0


# Operations without arguments, by the name their button shows.
OPERATIONS = {
    "flip_horizontal": lambda k: k[:, ::-1].copy(),
    "flip_vertical": lambda k: k[::-1, :].copy(),
    "transpose": lambda k: k.T.copy(),
    # Counter-clockwise as seen on screen, as np.rot90 and the presets' angles turn.
    "rotate": lambda k: np.rot90(k).copy(),
    "normalize": normalize,
    "clear": np.zeros_like,
}


def diverging_rgb_array(values: np.ndarray, peak: float) -> np.ndarray:
    """:func:`diverging_rgb` for many values at once: ``(n, 3)`` integers."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if peak <= 0:
        return np.full((values.size, 3), 247, dtype=int)
    t = np.clip(values / peak, -1.0, 1.0)[:, None]
    end = np.where(t > 0, [[178, 24, 43]], [[33, 102, 172]])
    mid = np.array([[247, 247, 247]])
    return np.rint(mid + (end - mid) * np.abs(t)).astype(int)


def diverging_rgb(value: float, peak: float) -> tuple[int, int, int]:
    """Blue for negative, white at exactly zero, red for positive, with ``peak`` (the
    largest magnitude) at full strength: the same value always has the same colour in one
    kernel, and the sign reads at a glance."""
    if peak <= 0 or value == 0:
        return (247, 247, 247)
    t = max(-1.0, min(1.0, value / peak))
    end = (178, 24, 43) if t > 0 else (33, 102, 172)
    mid, a = (247, 247, 247), abs(t)
    return tuple(round(m + (e - m) * a) for m, e in zip(mid, end, strict=True))
