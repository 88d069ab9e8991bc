"""The benchmark's three outputs: a table for people, JSON and CSV for tools.

Files are written atomically (a temporary file in the same folder, then ``os.replace``), so a
reader never sees half a result and an interrupted run leaves the previous file intact.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from ..io.files import write_text_atomic as write_atomic  # noqa: F401 - bench.cli uses it
from .peers import PEERS

#: Every peer name, in table order, for the CSV's fixed columns.
PEER_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(peer.name for peers in PEERS.values() for peer in peers)
)

CSV_FIELDS: tuple[str, ...] = (
    "mode",
    "algorithm",
    "width",
    "height",
    "channels",
    "k",
    "outputs",
    "engine_ms",
    "best_peer",
    "best_peer_ms",
    "ratio",
    "bound_ms",
    "limited_by",
    "engine_over_bound",
    "gflops",
    "flops",
    "theoretical_speedup",
    "measured_speedup",
    "max_abs_err",
    "verified",
    "repeats",
) + tuple(f"{name}_{what}" for name in PEER_NAMES for what in ("ms", "status"))


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such values become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def to_json(machine: dict[str, Any], settings: dict[str, Any], rows: list[dict]) -> str:
    document = {"machine": machine, "settings": settings, "rows": rows}
    return json.dumps(_finite(document), indent=2) + "\n"


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = {key: row.get(key) for key in CSV_FIELDS}
        flat["repeats"] = len(row["engine_times_ms"])
        for name in PEER_NAMES:
            peer = row["peers"].get(name)
            flat[f"{name}_ms"] = peer["median_ms"] if peer else None
            flat[f"{name}_status"] = peer["status"] if peer else "n/a"
        writer.writerow(flat)
    return buffer.getvalue()


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _peer_cell(name: str, peer: dict[str, Any]) -> str:
    if peer["median_ms"] is not None:
        wrong = "" if peer["verified"] else " WRONG"
        digits = 2 if peer["median_ms"] < 10 else 1
        return f"{name} {peer['median_ms']:.{digits}f}{wrong}"
    return f"{name}: {peer['status']}"


def table(rows: list[dict[str, Any]]) -> str:
    """A fixed-width table, one line per row; medians in milliseconds."""
    header = (
        f"{'mode':<14} {'size':<12} {'k':>3} {'P':>3} {'engine':>9} {'algorithm':<18} "
        f"{'best peer':<11} {'peer':>9} {'ratio':>6} {'/bound':>7} {'GFLOP/s':>8} {'theo x':>7} "
        f"{'meas x':>7} {'max|err|':>9}  peers (median ms)"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        size = f"{row['width']}x{row['height']}x{row['channels']}"
        ratio = "WRONG" if row["verified"] is False else _number(row["ratio"], 2)
        error = "-" if row["max_abs_err"] is None else f"{row['max_abs_err']:.1e}"
        peers = " | ".join(_peer_cell(name, peer) for name, peer in row["peers"].items())
        over = row.get("engine_over_bound")
        bound = "-" if over is None else f"{over:.1f}{row['limited_by'][0]}"
        lines.append(
            f"{row['mode']:<14} {size:<12} {row['k']:>3} {row['outputs']:>3} "
            f"{_number(row['engine_ms'], 2):>9} {row['algorithm']:<18} "
            f"{row['best_peer'] or '-':<11} {_number(row['best_peer_ms'], 2):>9} "
            f"{ratio:>6} {bound:>7} {_number(row['gflops']):>8} "
            f"{_number(row['theoretical_speedup'], 2):>7} "
            f"{_number(row['measured_speedup'], 2):>7} {error:>9}  {peers}"
        )
    return "\n".join(lines)


def machine_lines(machine: dict[str, Any]) -> str:
    threads = machine["threads"]
    return "\n".join(
        [
            f"cpu: {machine['cpu']} ({machine['cores_available']} of {machine['cores']} cores)",
            (
                f"python {machine['python']}, numpy {machine['numpy']} ({machine['blas']}), "
                f"opencv {machine['opencv']}, scipy {machine['scipy']}, "
                f"torch {machine['torch'] or 'not installed'}"
            ),
            "threads: " + ", ".join(f"{key} {value}" for key, value in threads.items()),
            (
                f"peer settings: OMP_WAIT_POLICY {machine.get('omp_wait_policy')}, "
                f"OPENBLAS_THREAD_TIMEOUT {machine.get('openblas_thread_timeout')}"
            ),
        ]
    )
