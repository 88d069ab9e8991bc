"""``sepconv-model``: a trained model's convolution layers, what they cost and how well each
would factorize, as a table, JSON and CSV, without the GUI.

Exit codes follow ``sepconv-gui``'s: 0 done, 2 bad arguments or a model that cannot be used,
5 an output file could not be written. A failure prints one line ``sepconv-model: <reason>``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Sequence

from sepconv_gui.engine.network import NetworkAnalysis, analyze_network
from sepconv_gui.io.files import write_text_atomic
from sepconv_gui.io.models import ModelLoadError, load_model, sample_model

PROG = "sepconv-model"
DEFAULT_MULTIPLIERS = (1, 2, 4)


class UsageError(Exception):
    """Bad arguments or an unusable model: exit code 2."""


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match or min(int(g) for g in match.groups()) < 1:
        raise UsageError(f"--input-size must look like 224x224 (height x width); got {text!r}")
    return int(match.group(1)), int(match.group(2))


def parse_multipliers(text: str) -> list[int] | None:
    if text.strip().lower() == "all":
        return None
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise UsageError(
            f"--multipliers must be whole numbers >= 1 like 1,2,4 or 'all'; got {text!r}"
        )
    return sorted(set(values))


def to_json(model_name: str, analysis: NetworkAnalysis) -> dict:
    """The issue's schema: ``{"model", "input_size", "layers": [...]}``, M keys as strings."""
    layers = []
    for x in analysis.layers:
        available = x.multiplications is not None
        layers.append(
            {
                "name": x.name,
                "kind": x.kind,
                "in_channels": x.in_channels if available else None,
                "out_channels": x.out_channels if available else None,
                "kernel": list(x.kernel) if available else None,
                "groups": x.groups,
                "stride": list(x.stride),
                "dilation": list(x.dilation),
                "multiplications": x.multiplications,
                "parameters": x.parameters,
                "rank1_energy": x.rank1_energy,
                "fit_error": {str(m): e for m, e in x.fit_error.items()},
                "fit_multiplications": {str(m): n for m, n in x.fit_multiplications.items()},
            }
        )
    return {"model": model_name, "input_size": list(analysis.input_size), "layers": layers}


CSV_COLUMNS = (
    "name", "kind", "in_channels", "out_channels", "kh", "kw", "groups", "stride_h", "stride_w",
    "dilation_h", "dilation_w", "multiplications", "parameters", "rank1_energy",
)  # fmt: skip


def to_csv(document: dict, multipliers: Sequence[int]) -> str:
    """One row per layer; fit columns ``fit_error_M`` / ``fit_multiplications_M`` per M."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    fits = [f"fit_error_{m}" for m in multipliers] + [
        f"fit_multiplications_{m}" for m in multipliers
    ]
    writer.writerow([*CSV_COLUMNS, *fits])
    for layer in document["layers"]:
        kernel = layer["kernel"] or [None, None]
        row = [
            layer["name"], layer["kind"], layer["in_channels"], layer["out_channels"], *kernel,
            layer["groups"], *layer["stride"], *layer["dilation"], layer["multiplications"],
            layer["parameters"], layer["rank1_energy"],
        ]  # fmt: skip
        row += [layer["fit_error"].get(str(m)) for m in multipliers]
        row += [layer["fit_multiplications"].get(str(m)) for m in multipliers]
        writer.writerow(["" if v is None else v for v in row])
    return stream.getvalue()


def _count(n: int | None) -> str:
    if n is None:
        return "-"
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= limit:
            return f"{n / limit:.2f}{suffix}"
    return str(n)


def table(analysis: NetworkAnalysis, multipliers: Sequence[int]) -> str:
    """The whole-model table and its summary, as printed."""
    head = ["layer", "kind", "C -> P", "k", "stride", "groups", "out", "mults", "params", "rank1"]
    head += [f"err M={m}" for m in multipliers]
    rows = [head]
    for x in analysis.layers:
        if x.multiplications is None:
            rows.append([x.name, x.kind] + ["-"] * (len(head) - 3) + [x.note])
            continue
        row = [
            x.name, x.kind, f"{x.in_channels} -> {x.out_channels}", "x".join(map(str, x.kernel)),
            "x".join(map(str, x.stride)), str(x.groups), "x".join(map(str, x.output_size)),
            _count(x.multiplications), _count(x.parameters),
            "-" if x.rank1_energy is None else f"{x.rank1_energy:.3f}",
        ]  # fmt: skip
        row += [f"{x.fit_error[m]:.3f}" if m in x.fit_error else "-" for m in multipliers]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    total = analysis.multiplications
    lines.append("")
    lines.append(
        f"{len(analysis.layers)} layers at {analysis.input_size[0]}x{analysis.input_size[1]}: "
        f"{total:,} multiplications, {analysis.parameters:,} weights"
    )
    for m in multipliers:
        fitted = analysis.multiplications_with_fit(m)
        if fitted != total:
            lines.append(
                f"  every normal layer as its depthwise-separable fit at M={m}: "
                f"{fitted:,} ({fitted / total:.3f} of now)"
            )
    if analysis.pairs:
        pair = sum(p.multiplications for p in analysis.pairs)
        normal = sum(p.normal_multiplications for p in analysis.pairs)
        lines.append(
            f"  {len(analysis.pairs)} depthwise + pointwise pairs: {pair:,} multiplications; as "
            f"normal layers {normal:,} (they cost {pair / normal:.3f} of that)"
        )
    unavailable = [x for x in analysis.layers if x.multiplications is None]
    if unavailable:
        lines.append(f"  {len(unavailable)} layers without readable weights are not counted")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Convolution layers of a trained model: cost, filter separability and "
        "best depthwise-separable fits.",
    )
    parser.add_argument(
        "model", nargs="?", help="ONNX, .npy, .npz or PyTorch state dict (default: the sample)"
    )
    parser.add_argument("--input-size", metavar="HxW", help="model input size")
    parser.add_argument(
        "--multipliers", metavar="M,M,...", default="1,2,4", help="fit multipliers, or 'all'"
    )
    parser.add_argument("--json", metavar="OUT", help="write the table as JSON")
    parser.add_argument("--csv", metavar="OUT", help="write the table as CSV")
    parser.add_argument(
        "--groups",
        metavar="LAYER=G",
        action="append",
        default=[],
        help="a state dict layer's groups (state dicts do not store them); repeatable",
    )
    return parser.parse_args(argv)


def parse_groups(items: Sequence[str]) -> dict[str, int]:
    groups = {}
    for item in items:
        name, _, value = item.rpartition("=")
        if not name or not value.isdigit() or int(value) < 1:
            raise UsageError(f"--groups {item!r}: expected LAYER=G with G a whole number >= 1")
        groups[name] = int(value)
    return groups


def run(args: argparse.Namespace) -> int:
    multipliers = parse_multipliers(args.multipliers)
    try:
        model = load_model(
            args.model if args.model else sample_model(), groups=parse_groups(args.groups)
        )
    except (ModelLoadError, FileNotFoundError) as error:
        raise UsageError(str(error)) from None
    size = parse_size(args.input_size) if args.input_size else model.suggested_input_size()
    try:
        analysis = analyze_network(model.layers, size, multipliers)
    except ValueError as error:
        raise UsageError(str(error)) from None
    shown = multipliers or sorted({m for x in analysis.layers for m in x.fit_error})
    print(f"{model.name} ({model.format}), input {size[0]}x{size[1]}")
    print(table(analysis, shown))
    document = to_json(model.name, analysis)
    outputs = [(args.json, lambda: json.dumps(document, indent=1) + "\n")]
    outputs.append((args.csv, lambda: to_csv(document, shown)))
    for path, render in outputs:
        if path:
            try:
                write_text_atomic(path, render())
            except OSError as error:
                print(f"{PROG}: cannot write {path}: {error.strerror or error}", file=sys.stderr)
                return 5
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
