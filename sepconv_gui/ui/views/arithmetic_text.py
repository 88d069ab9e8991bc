"""One pixel's arithmetic as short lines of text: a few terms, "…", the sum.

Plain Python, no Qt, so what the hover panel says can be checked exactly in tests. The
numbers come from :mod:`sepconv_gui.app.pixel_math`; this only shortens them for reading:
a 31×31 patch or 256 channels show their first and last terms and how many were left out.
"""

from __future__ import annotations

import html

import numpy as np

from ...app.pixel_math import Dot, ModeArithmetic, PixelArithmetic

TERMS_SHOWN = 4
"""Products shown per weighted sum: the first TERMS_SHOWN - 1, "…", the last."""

SUMS_SHOWN = 3
"""Weighted sums listed per step: the first SUMS_SHOWN - 1, "… n more …", the last."""

MODE_NAMES = {
    "normal": "Normal",
    "spatial": "Spatial-separable",
    "depthwise": "Depthwise-separable",
}


def number(value: float) -> str:
    """Three significant digits and a real minus sign: ``-0.5`` -> ``−0.5``."""
    text = f"{float(value):.3g}"
    if text in ("-0", "-0.0"):
        text = "0"
    return text.replace("-", "−")


def factor(value: float) -> str:
    """A number as the right operand of ``·``: negatives in brackets."""
    text = number(value)
    return f"({text})" if text.startswith("−") else text


def shorten(items: list[str], shown: int, joiner: str) -> str:
    """``items`` joined, or the first ``shown - 1``, "…" and the last when there are more."""
    if len(items) <= shown:
        return joiner.join(items)
    return joiner.join(items[: shown - 1] + ["…", items[-1]])


def dot_text(dot: Dot, shown: int = TERMS_SHOWN) -> str:
    """``"0.42·1 + 0.4·0 + … + 0.37·(−1) = 0.118"``; a plain sum when every weight is 1."""
    values, weights = dot.values.ravel(), dot.weights.ravel()
    if np.all(weights == 1.0):
        terms = [factor(v) for v in values]
    else:
        terms = [f"{factor(v)}·{factor(w)}" for v, w in zip(values, weights)]
    return f"{shorten(terms, shown, ' + ')} = {number(dot.total)}"


def mode_lines(arithmetic: ModeArithmetic) -> list[str]:
    """Plain-text lines for one mode: a heading, then each step and its sums."""
    name = MODE_NAMES.get(arithmetic.mode, arithmetic.mode)
    out = "c" if arithmetic.mode == "spatial" else "p"
    label = f"{out}{arithmetic.channel + 1}"
    lines = [
        f"{name}: {label} = {number(arithmetic.value)}",
        f"  {arithmetic.multiplications:,} mult for {label}; {arithmetic.per_pixel:,} per pixel "
        f"for all outputs ({arithmetic.formula})",
    ]
    for step in arithmetic.steps:
        lines.append(f"  {step.title}:")
        entries = [f"    {dot.label}: {dot_text(dot)}" for dot in step.dots]
        if len(entries) > SUMS_SHOWN + 1:  # never "… 1 more": that line could be the sum
            hidden = len(entries) - SUMS_SHOWN
            entries = entries[: SUMS_SHOWN - 1] + [f"    … {hidden} more …", entries[-1]]
        lines += entries
    lines += [f"  {note}" for note in arithmetic.notes]
    return lines


def pixel_lines(arithmetic: PixelArithmetic) -> list[str]:
    lines = [f"Pixel x = {arithmetic.x}, y = {arithmetic.y}"]
    for mode in arithmetic.modes.values():
        lines += mode_lines(mode)
    return lines


def pixel_html(arithmetic: PixelArithmetic) -> str:
    """The same text as :func:`pixel_lines` for a rich-text label: headings bold, one
    paragraph per mode, the sums indented."""
    parts = []
    for mode in arithmetic.modes.values():
        heading, *rest = mode_lines(mode)
        name, _, detail = heading.partition(": ")
        rest[0] = rest[0].strip()  # the counts: not indented, they belong to the heading
        body = "<br>".join(
            ("&nbsp;" * (len(line) - len(line.lstrip()))) + html.escape(line.strip())
            for line in rest
        )
        parts.append(f"<p><b>{html.escape(name)}</b>: {html.escape(detail)}<br>{body}</p>")
    return "".join(parts)
