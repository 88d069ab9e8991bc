"""sepconv-bench runs end to end on a tiny grid and reports every point it was asked for.

Speed is never asserted: timings on a shared machine are not a test result. What is checked is
that every grid point is present in the table, the JSON and the CSV, with a finite positive
median, a verified engine output and the machine description.
"""

import argparse
import contextlib
import csv
import io
import json
import math

import pytest

from sepconv_gui.bench import main
from sepconv_gui.bench.cli import parse_size
from sepconv_gui.bench.peers import optional_module
from sepconv_gui.bench.report import write_atomic

TINY = [
    "--sizes",
    "64x48x3",
    "--kernels",
    "3",
    "--outputs",
    "4",
    "--repeats",
    "1",
    "--warmup",
    "0",
    "--threads",
    "1",
    "-q",
]
MODES = ["normal/auto", "normal/direct", "normal/gemm", "normal/fft", "spatial", "depthwise"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    json_path, csv_path = folder / "bench.json", folder / "bench.csv"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(TINY + ["--json", str(json_path), "--csv", str(csv_path)])
    return code, printed.getvalue(), json.loads(json_path.read_text()), csv_path


def test_exit_code_and_every_grid_point_in_the_table(tiny_run):
    code, table, _, _ = tiny_run
    assert code == 0
    rows = [line for line in table.splitlines() if "64x48x3" in line]
    assert sorted(line.split()[0] for line in rows) == sorted(MODES)
    assert "cpu:" in table and "threads:" in table


def test_json_holds_machine_settings_and_finite_positive_medians(tiny_run):
    _, _, document, _ = tiny_run
    machine = document["machine"]
    for key in ("cpu", "cores", "python", "numpy", "opencv", "scipy", "torch", "threads"):
        assert key in machine
    assert machine["threads"]["opencv"] == 1
    assert document["settings"]["kernels"] == [3]
    rows = document["rows"]
    assert sorted(row["mode"] for row in rows) == sorted(MODES)
    for row in rows:
        assert (row["width"], row["height"], row["channels"], row["k"]) == (64, 48, 3, 3)
        assert math.isfinite(row["engine_ms"]) and row["engine_ms"] > 0
        assert row["verified"] is True and row["max_abs_err"] < 1e-3
        assert row["gflops"] > 0
        assert row["best_peer"] is not None and row["ratio"] > 0
        reference = "opencv-sep" if row["mode"] == "spatial" else "opencv"
        assert row["peers"][reference]["median_ms"] > 0
    separable = [row for row in rows if row["mode"] in ("spatial", "depthwise")]
    for row in separable:
        assert row["theoretical_speedup"] > 0 and row["measured_speedup"] > 0


def test_csv_has_one_line_per_row(tiny_run):
    _, _, document, csv_path = tiny_run
    with open(csv_path, newline="") as stream:
        lines = list(csv.DictReader(stream))
    assert [line["mode"] for line in lines] == [row["mode"] for row in document["rows"]]
    assert all(float(line["engine_ms"]) > 0 for line in lines)


def test_missing_peer_is_reported_not_fatal(tiny_run):
    _, table, document, _ = tiny_run
    statuses = {row["peers"]["torch"]["status"] for row in document["rows"]}
    if optional_module("torch") is None:
        assert statuses == {"peer not installed"} and "peer not installed" in table
    else:
        assert statuses == {"ok"}


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    write_atomic(str(target), "new")
    assert target.read_text() == "new"
    assert [path.name for path in tmp_path.iterdir()] == ["out.json"]


def test_sizes_parse_and_reject_nonsense():
    assert parse_size("1280x720x3") == (1280, 720, 3)
    assert parse_size("64x48") == (64, 48, 3)
    with pytest.raises(argparse.ArgumentTypeError, match="big"):
        parse_size("big")


def test_script_entry_point_is_importable():
    from sepconv_gui import bench

    assert bench.main is main
