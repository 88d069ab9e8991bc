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

from sepconv_gui import engine
from sepconv_gui.bench import main, protocol
from sepconv_gui.bench.bound import bound
from sepconv_gui.bench.contention import one_core_busy
from sepconv_gui.bench.peaks import Peaks
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
MODES = [
    "normal/auto",
    "normal/direct",
    "normal/gemm",
    "normal/kn2row",
    "normal/fft",
    "spatial",
    "depthwise",
]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    json_path, csv_path = folder / "bench.json", folder / "bench.csv"
    printed = io.StringIO()
    # The hardware bound from fixed peaks: measuring them would take a second and a cache.
    fake = Peaks(
        gemm_square_gflops=100.0, gemm_tall_gflops=50.0, copy_gbs=10.0, add_gbs=8.0, threads=1
    )
    try:
        with contextlib.redirect_stdout(printed), pytest.MonkeyPatch.context() as patch:
            patch.setattr("sepconv_gui.bench.peaks.measure_peaks", lambda *a, **k: fake)
            code = main(TINY + ["--json", str(json_path), "--csv", str(csv_path)])
    finally:
        engine.set_num_threads(
            None
        )  # the CLI sets the process-wide knob; later tests use the default
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
    for row in rows:  # the shared protocol's record of every row
        low, high = row["engine_p25_ms"], row["engine_p75_ms"]
        assert low * (1 - 1e-9) <= row["engine_ms"] <= high * (1 + 1e-9)
        assert row["threads"]["engine"] == 1 and "blas" in row["threads"]
        assert row["load_before"] is not None and row["condition"] == "quiet"
        assert row["peers"]["opencv" if row["mode"] != "spatial" else "opencv-sep"]["p25_ms"] > 0
    assert document["machine"]["omp_wait_policy"] == "PASSIVE"


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


def test_protocol_interleaves_rotates_and_splits_the_repeats():
    calls = []

    def contender(name):
        def run():
            calls.append(name)
            return name

        return run

    kept = []
    timings = protocol.time_contenders(
        {name: contender(name) for name in "abc"},
        repeats=5,
        warmup=2,
        passes=3,
        planned={"c": 2},
        handover=False,
        keep=lambda name, value: kept.append((name, value)),
    )
    assert calls[:6] == list("aabbcc")  # the warm-up
    timed = calls[6:]
    # Pass 1 starts with a, pass 2 with b, pass 3 with c; a and b split 5 runs as 2, 2, 1.
    assert timed == list("aabbc") + list("bbcaa") + list("ab")
    assert {name: len(t.samples_ns) for name, t in timings.items()} == {"a": 5, "b": 5, "c": 2}
    assert kept == [(name, name) for name in timed]
    for timing in timings.values():
        assert timing.threads["engine"] >= 1 and timing.load_after is not None


def test_protocol_hands_over_and_stops_when_asked():
    calls = []
    timings = protocol.time_contenders(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
        repeats=2,
        warmup=0,
        passes=2,
    )
    assert calls == list("aa") + list("bb") + list("bb") + list("aa")  # one hand-over each
    assert all(len(t.samples_ns) == 2 for t in timings.values())
    asked = []

    def stop():
        asked.append(1)
        return len(asked) > 3

    assert protocol.time_contenders({"a": lambda: None}, repeats=9, should_stop=stop) is None


def test_protocol_statistics_and_busy_warning():
    timing = protocol.Timing(samples_ns=[40, 10, 30, 20, 50])
    assert timing.median_s == pytest.approx(30e-9)
    assert timing.percentile_s(0.25) == pytest.approx(20e-9)
    assert timing.percentile_s(0.75) == pytest.approx(40e-9)
    assert protocol.Timing().summary()["median_ms"] is None
    assert protocol.busy_warning(0.9, cores=2) is None
    assert "load average 1.50 on 2 cores" in protocol.busy_warning(1.5, cores=2)
    # Known CPU use of other processes wins over the load average, which the contenders'
    # own threads raise: a load of 2.1 from two engine threads alone is a quiet machine.
    assert protocol.busy_warning(2.1, cores=2, others=0.1) is None
    assert "kept 0.90 of 2 cores busy" in protocol.busy_warning(0.2, cores=2, others=0.9)


def test_other_cores_leaves_out_this_processs_own_cpu_time():
    # 2 s of wall time: the machine's cores were busy 3.5 CPU-s, 2.5 of them this process's.
    assert protocol.other_cores((10.0, 100.0, 7.0), (12.0, 103.5, 9.5)) == pytest.approx(0.5)
    assert protocol.other_cores((10.0, 100.0, 7.0), (12.0, 101.0, 9.5)) == 0.0  # clock skew
    assert protocol.other_cores(None, (12.0, 1.0, 1.0)) is None


def test_a_timed_block_is_flagged_by_other_processes_not_by_its_own_threads(monkeypatch):
    # Scripted /proc/stat readings: the block ran 1 s, its own threads used 1.9 CPU-s.
    quiet = iter([(0.0, 50.0, 3.0), (1.0, 52.0, 4.9)])
    monkeypatch.setattr(protocol, "cpu_snapshot", lambda: next(quiet))
    monkeypatch.setattr(protocol, "load_average", lambda: 2.0)
    monkeypatch.setattr(protocol, "available_cores", lambda: 2)
    timings = protocol.time_contenders({"a": lambda: None}, repeats=3)
    assert timings["a"].other_cores == pytest.approx(0.1) and timings["a"].busy is None
    busy = iter([(0.0, 50.0, 3.0), (1.0, 53.0, 4.9)])  # another process took 1.1 cores
    monkeypatch.setattr(protocol, "cpu_snapshot", lambda: next(busy))
    timings = protocol.time_contenders({"a": lambda: None}, repeats=3)
    assert "kept 1.10 of" in timings["a"].busy
    assert timings["a"].summary()["other_cores"] == pytest.approx(1.1)


def test_one_core_busy_runs_a_process_only_inside_the_block():
    import os

    with one_core_busy() as busy:
        os.kill(busy["pid"], 0)  # alive
        assert busy["core"] in os.sched_getaffinity(0)
    with pytest.raises(ProcessLookupError):
        os.kill(busy["pid"], 0)


def test_contention_runs_the_grid_in_both_conditions(tmp_path):
    json_path = tmp_path / "bench.json"
    printed = io.StringIO()
    tiny = TINY[:8] + ["--modes", "spatial"] + TINY[8:]
    try:
        with contextlib.redirect_stdout(printed):
            assert main(tiny + ["--contention", "--json", str(json_path)]) == 0
    finally:
        engine.set_num_threads(None)
    text = printed.getvalue()
    assert "## quiet" in text and "## one core busy" in text
    rows = json.loads(json_path.read_text())["rows"]
    assert [row["condition"] for row in rows] == ["quiet", "one core busy"]


def test_every_row_has_its_hardware_bound(tiny_run):
    _, printed, document, _ = tiny_run
    assert "hardware bound: 100 GFLOP/s" in printed and "/bound" in printed
    for row in document["rows"]:
        assert row["bound_ms"] == max(row["compute_bound_ms"], row["memory_bound_ms"])
        assert row["engine_over_bound"] == pytest.approx(row["engine_ms"] / row["bound_ms"])


def test_bound_by_hand():
    # 64x48, C=3 -> P=4, 3x3: 2*4*3*9*3072 - 4*3072 FLOPs would be the cost's; take 1e9
    # FLOPs at 100 GFLOP/s = 10 ms against (3072*(3+4) + 4*3*9)*4 bytes at 10 GB/s.
    row = {"width": 64, "height": 48, "channels": 3, "outputs": 4, "k": 3, "flops": 1e9}
    row["engine_ms"] = 25.0
    result = bound(row, 100.0, 10.0)
    assert result["compute_bound_ms"] == pytest.approx(10.0)
    assert result["memory_bound_ms"] == pytest.approx((3072 * 7 + 108) * 4 / 1e7)
    assert result["limited_by"] == "compute" and result["engine_over_bound"] == pytest.approx(2.5)
    depthwise = dict(row, family="depthwise", flops=1.0)
    assert bound(depthwise, 100.0, 10.0)["memory_bound_ms"] == pytest.approx(
        (3072 * 7 + 27 + 12) * 4 / 1e7
    )


def _bench_environment(env_extra: dict[str, str]) -> list[str]:
    """OPENBLAS_THREAD_TIMEOUT and BLAS_LOADED_BEFORE as starting the bench (a fresh
    ``import sepconv_gui.bench.launch``) leaves them (a fresh process: OpenBLAS reads the
    variable only when numpy loads it)."""
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_THREAD_TIMEOUT"}
    env.update(env_extra)
    code = (
        "import os, sepconv_gui.bench.launch as b, numpy; "
        "print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'), b.BLAS_LOADED_BEFORE)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_the_app_importing_bench_parts_sets_no_peer_environment():
    # The app imports the protocol, the machine description and the peaks; the peers'
    # OPENBLAS_THREAD_TIMEOUT belongs to running the bench only.
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_THREAD_TIMEOUT"}
    code = (
        "import os, sys, sepconv_gui.bench.peaks, sepconv_gui.bench.protocol, "
        "sepconv_gui.bench.machine; "
        "print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'), 'sepconv_gui.bench.cli' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["None", "False"]


def test_bench_puts_the_peers_blas_threads_to_sleep_unless_told_otherwise():
    # Spinning OpenBLAS workers after the OpenCV peer's matmul made the engine, timed next,
    # see no idle core; the bench sets the shortest spin before numpy loads OpenBLAS.
    assert _bench_environment({}) == ["4", "False"]
    assert _bench_environment({"OPENBLAS_THREAD_TIMEOUT": "30"}) == ["30", "False"]
