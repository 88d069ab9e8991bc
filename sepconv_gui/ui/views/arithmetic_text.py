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

PAIRS_SHOWN = 2
"""Pairs of 1-D passes shown for a rank-r spatial kernel: the first PAIRS_SHOWN - 1 and the
last."""

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


def shown_indices(count: int, shown: int) -> list[int | None]:
    """Indices to show of ``count`` items: all, or the first ``shown - 1``, None (for "…")
    and the last. Only these are ever formatted: a 31×31 patch over 4096 maps is millions
    of products, and a hover must stay instant."""
    if count <= shown:
        return list(range(count))
    return list(range(shown - 1)) + [None, count - 1]


def shorten(items: list[str], shown: int, joiner: str) -> str:
    """``items`` joined, or the first ``shown - 1``, "…" and the last when there are more."""
    picked = shown_indices(len(items), shown)
    return joiner.join("…" if i is None else items[i] for i in picked)


def dot_text(dot: Dot, shown: int = TERMS_SHOWN) -> str:
    """``"0.42·1 + 0.4·0 + … + 0.37·(−1) = 0.118"``; a plain sum when every weight is 1."""
    values, weights = dot.values.ravel(), dot.weights.ravel()
    plain = bool(np.all(weights == 1.0))
    terms = []
    for i in shown_indices(values.size, shown):
        if i is None:
            terms.append("…")
        elif plain:
            terms.append(factor(values[i]))
        else:
            terms.append(f"{factor(values[i])}·{factor(weights[i])}")
    return f"{' + '.join(terms)} = {number(dot.total)}"


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
    steps: list = arithmetic.steps
    if arithmetic.mode == "spatial" and len(steps) > 2 * PAIRS_SHOWN:
        # A rank-31 kernel is 31 pairs of passes: show the first and the last pair.
        hidden = len(steps) // 2 - PAIRS_SHOWN
        steps = steps[: 2 * PAIRS_SHOWN - 2] + [hidden] + steps[-2:]
    for step in steps:
        if isinstance(step, int):
            lines.append(f"  … {step} more pairs of passes, each added to the output …")
            continue
        lines.append(f"  {step.title}:")
        dots = step.dots
        # Never "… 1 more": that line could be the sum itself.
        picked = shown_indices(len(dots), SUMS_SHOWN if len(dots) > SUMS_SHOWN + 1 else len(dots))
        for i in picked:
            if i is None:
                lines.append(f"    … {len(dots) - SUMS_SHOWN} more …")
            else:
                lines.append(f"    {dots[i].label}: {dot_text(dots[i])}")
    lines += [f"  {note}" for note in arithmetic.notes]
    return lines


def pixel_lines(arithmetic: PixelArithmetic) -> list[str]:
    lines = [f"Pixel x = {arithmetic.x}, y = {arithmetic.y}"]
    for mode in arithmetic.modes.values():
        lines += mode_lines(mode)
    return lines


SHORT_NAMES = {"normal": "Normal", "spatial": "Spatial", "depthwise": "Depthwise"}


def summary_rows(arithmetic: PixelArithmetic) -> list[tuple[str, str, str, str]]:
    """One row per mode: name, the output, multiplications for it and per pixel — the
    comparison the details below explain, visible without scrolling."""
    rows = []
    for math in arithmetic.modes.values():
        out = "c" if math.mode == "spatial" else "p"
        rows.append(
            (
                SHORT_NAMES.get(math.mode, math.mode),
                f"{out}{math.channel + 1} = {number(math.value)}",
                f"{math.multiplications:,}",
                f"{math.per_pixel:,}",
            )
        )
    return rows


def pixel_html(arithmetic: PixelArithmetic) -> str:
    """A summary table (:func:`summary_rows`), then the text of :func:`pixel_lines` for a
    rich-text label: headings bold, one paragraph per mode, the sums indented."""

    def cell(index: int, text: str) -> str:
        align = "left" if index < 2 else "right"
        # Non-breaking: "p1 = −0.0157" split over two lines reads as two values.
        return f'<td align="{align}">{html.escape(text).replace(" ", "&nbsp;")}</td>'

    cells = "".join(
        "<tr>" + "".join(cell(i, text) for i, text in enumerate(row)) + "</tr>"
        for row in summary_rows(arithmetic)
    )
    parts = [
        '<table cellspacing="0" cellpadding="3"><tr><th align="left">Mode</th>'
        '<th align="left">Value</th><th align="right">Mult. here</th>'
        '<th align="right">per pixel</th></tr>'
        f"{cells}</table>"
    ]
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
