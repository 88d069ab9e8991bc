"""Benchmark sweeps without a window: specs, measuring, cancelling, files and the worker."""

import ast
import csv
import io
import json
import math
import pathlib
from fractions import Fraction

import numpy as np
import pytest

from sepconv_gui.app import sweep
from sepconv_gui.app.sweep import (
    SweepSpec,
    as_range,
    eta_seconds,
    measure_point,
    mobilenet_ratio,
    plot_series,
    point_work,
    run_sweep,
    value_range,
)
from sepconv_gui.app.sweep_report import (
    CSV_FIELDS,
    describe_machine,
    to_csv,
    to_json,
    write_csv,
    write_json,
)
from sepconv_gui.app.sweep_worker import SweepWorker
from sepconv_gui.engine import MODES, conv_cost

TINY = {"width": 64, "height": 48, "outputs": 4, "channels": 3, "repeats": 1}
MACHINE = {"cpu": "test"}


@pytest.fixture(scope="module")
def result():
    """One real two-point sweep over every mode, shared: measuring is the slow part."""
    return run_sweep(SweepSpec(values=(3, 5), **TINY), machine=describe_machine())


def test_ranges_round_trip_and_refuse_what_never_ends():
    assert value_range(3, 15, 2) == [3, 5, 7, 9, 11, 13, 15]
    assert value_range(1, 128, 2, geometric=True) == [1, 2, 4, 8, 16, 32, 64, 128]
    assert as_range([3, 5, 7]) == (3, 7, 2, False)
    assert as_range([4, 8, 16]) == (4, 16, 2, True)
    assert as_range([7]) == (7, 7, 1, False)
    with pytest.raises(ValueError, match="empty"):
        value_range(9, 3, 2)
    with pytest.raises(ValueError, match="never advances"):
        value_range(1, 9, 1, geometric=True)
    with pytest.raises(ValueError, match="more than"):
        value_range(1, 10_000, 1)
    with pytest.raises(ValueError, match="neither"):
        as_range([3, 4, 9])


def test_the_default_sweep_is_small():
    spec = SweepSpec()
    assert spec.variable == "k" and spec.values == (3, 5, 7, 9, 11, 13, 15)
    assert (spec.width, spec.height, spec.channels, spec.outputs, spec.repeats) == (
        320,
        240,
        3,
        16,
        3,
    )
    assert spec.modes == MODES


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"values": (3, 15), "width": 12, "height": 10}, "15×15 kernel does not fit a 12×10 image"),
        ({"values": ()}, "needs 1 to"),
        ({"values": (5, 3)}, "must increase"),
        ({"values": (3.5,)}, "whole number"),
        ({"values": None}, "whole numbers"),
        ({"values": (33,)}, "kernel size k must be from 1 to 31"),
        ({"variable": "stride"}, "cannot sweep 'stride'"),
        ({"modes": ()}, "pick one or more modes"),
        ({"modes": ("normal", "grouped")}, "grouped"),
        ({"algorithm": "winograd"}, "winograd"),
        ({"repeats": 0}, "repeats must be from 1"),
        ({"variable": "size", "values": (8192,), "outputs": 256}, "too large"),
        ({"variable": "size", "values": (2, 4), "k": 3}, "does not fit"),
    ],
)
def test_bad_specs_say_what_is_wrong(changes, message):
    with pytest.raises(ValueError, match=message):
        SweepSpec(**{**TINY, **changes})


def test_points_vary_only_the_swept_size():
    by_size = SweepSpec(variable="size", values=(32, 128), width=320, height=240)
    assert [(c.width, c.height) for c in by_size.points()] == [(32, 24), (128, 96)]
    by_outputs = SweepSpec(variable="P", values=(1, 8), **TINY)
    assert [c.outputs for c in by_outputs.points()] == [1, 8]
    assert {(c.k, c.channels, c.width) for c in by_outputs.points()} == {(3, 3, 64)}
    by_inputs = SweepSpec(variable="C", values=(2, 4), **TINY)
    assert [c.channels for c in by_inputs.points()] == [2, 4]


def test_a_short_sweep_measures_every_point_and_mode(result):
    assert result.status == "complete"
    assert [p.value for p in result.points] == [3, 5]
    for point in result.points:
        assert set(point.modes) == set(MODES)
        for timing in point.modes.values():
            assert len(timing.times) == 1 and timing.seconds == timing.times[0] > 0
            assert timing.stages and all(s >= 0 for s in timing.stages.values())


def test_counts_match_the_engine_cost_model(result):
    for point in result.points:
        c = point.config
        for mode, timing in point.modes.items():
            cost = conv_cost(mode, c.height, c.width, c.channels, c.outputs, c.k, c.k)
            assert timing.multiplications == cost.multiplications
        assert point.normal_multiplications == point.modes["normal"].multiplications
        # Depthwise-separable over normal is MobileNet's 1/P + 1/k², exactly.
        assert point.theoretical_ratio("depthwise") == mobilenet_ratio(c.outputs, c.k)
        # Spatial-separable against the same per-channel k×k filter: 2k vs k² per channel.
        assert point.theoretical_ratio("spatial") == Fraction(2, c.k)
        measured = point.modes["depthwise"].seconds / point.modes["normal"].seconds
        assert point.measured_ratio("depthwise") == pytest.approx(measured)


def test_spatial_is_timed_against_the_same_per_channel_filter(result):
    for point in result.points:
        c, reference = point.config, point.reference
        assert reference is not None and reference.mode == sweep.REFERENCE
        assert reference.multiplications == c.height * c.width * c.channels * c.k * c.k
        assert len(reference.times) == 1 and reference.seconds > 0
        expected = point.modes["spatial"].seconds / reference.seconds
        assert point.measured_ratio("spatial") == pytest.approx(expected)
        assert point.reference_for("depthwise") is point.modes["normal"]


def test_the_reference_computes_what_spatial_separable_computes():
    config = sweep.PointConfig(height=20, width=24, channels=3, outputs=2, k=5)
    data = sweep._inputs(config, seed=4)
    expected = sweep._runner("spatial", data, "auto")().output
    np.testing.assert_allclose(sweep._reference_runner(data)(), expected, atol=1e-5)


def test_without_the_reference_spatial_has_no_measured_ratio(result):
    point = result.points[0]
    unreferenced = sweep.SweepPoint(
        point.index, point.value, point.config, point.normal_multiplications, point.modes
    )
    assert unreferenced.measured_ratio("spatial") is None  # never against the P-output bank


def test_plot_series_shows_speedups_as_inverse_ratios(result):
    ratios, speedups = plot_series(result), plot_series(result, speedup=True)
    assert ratios.x == speedups.x == [3, 5] and ratios.reference == "normal"
    for i, point in enumerate(result.points):
        c = point.config
        mobilenet = 1 / c.outputs + 1 / c.k**2
        assert ratios.mobilenet[i] == pytest.approx(mobilenet)
        assert speedups.mobilenet[i] == pytest.approx(1 / mobilenet)
        assert speedups.theory["depthwise"][i] == pytest.approx(speedups.mobilenet[i])
        for mode in ("spatial", "depthwise"):
            assert ratios.theory[mode][i] * speedups.theory[mode][i] == pytest.approx(1)
            assert ratios.measured[mode][i] == pytest.approx(point.measured_ratio(mode))
        assert ratios.ms["normal"][i] == pytest.approx(point.modes["normal"].seconds * 1e3)
    # The overlay puts each mode's count on the time axis at one time per multiplication.
    scaled = ratios.scaled
    point = result.points[0]
    for mode in ("spatial", "depthwise"):
        counts = point.modes[mode].multiplications / point.normal_multiplications
        assert scaled[mode][0] / scaled["normal"][0] == pytest.approx(counts)


def test_without_normal_there_is_theory_but_no_measured_ratio():
    spec = SweepSpec(values=(3,), modes=("depthwise",), **TINY)
    series = plot_series(run_sweep(spec, machine=MACHINE), speedup=True)
    assert series.reference == "depthwise" and math.isnan(series.measured["depthwise"][0])
    assert series.theory["depthwise"][0] == pytest.approx(1 / (1 / 4 + 1 / 9))


def test_cancelling_keeps_the_finished_points():
    spec = SweepSpec(values=(3, 5, 7), **TINY)
    stop = []
    cancelled = run_sweep(
        spec, should_stop=lambda: bool(stop), on_point=stop.append, machine=MACHINE
    )
    assert cancelled.status == "cancelled"
    assert [p.value for p in cancelled.points] == [3]
    assert measure_point(spec, 0, should_stop=lambda: True) is None


def test_eta_scales_the_work_left_by_the_latest_speed():
    spec = SweepSpec(values=(3, 5, 7), **TINY)
    configs = spec.points()
    assert eta_seconds(spec, []) is None
    assert eta_seconds(spec, [1.0, 1.0, 1.0]) == 0
    rate = 0.5 / point_work(spec, configs[0])
    assert eta_seconds(spec, [0.5]) == pytest.approx(
        rate * (point_work(spec, configs[1]) + point_work(spec, configs[2]))
    )
    assert point_work(spec, configs[2]) > point_work(spec, configs[1]) > 0


def test_csv_has_a_row_per_point_and_mode(result):
    rows = list(csv.DictReader(io.StringIO(to_csv(result))))
    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) == len(result.points) * len(MODES)
    for row in rows:
        point = result.points[int(row["point"])]
        timing = point.modes[row["mode"]]
        assert int(row["value"]) == point.value and row["variable"] == "k"
        assert int(row["multiplications"]) == timing.multiplications
        assert float(row["ms"]) == pytest.approx(timing.seconds * 1e3)
        assert float(row["theoretical_ratio"]) == pytest.approx(
            float(point.theoretical_ratio(row["mode"]))
        )
        assert row["algorithm"] == timing.algorithm
        # The spread and the conditions travel with every row.
        assert float(row["p25_ms"]) <= float(row["ms"]) <= float(row["p75_ms"])
        assert json.loads(row["threads"])["opencv"] >= 1
        assert row["load_after"] != "" or row["load_before"] == ""
        assert "k=3 C=3 P=4 image=64x48" in row["settings"] and "repeats=1" in row["settings"]
        if row["mode"] == "spatial":
            assert "per-channel k×k" in row["compared_with"]
            assert float(row["reference_ms"]) == pytest.approx(point.reference.seconds * 1e3)
            assert float(row["measured_ratio"]) == pytest.approx(point.measured_ratio("spatial"))
        elif row["mode"] == "depthwise":
            assert float(row["reference_ms"]) == pytest.approx(point.modes["normal"].seconds * 1e3)


def test_json_report_has_the_machine_and_every_point(result):
    report = json.loads(to_json(result))
    assert report["status"] == "complete" and report["sweep"]["values"] == [3, 5]
    machine = report["machine"]
    for key in ("cpu", "cores", "numpy", "opencv", "scipy", "PySide6", "blas", "threads"):
        assert machine[key] is not None, key
    assert machine["threads"]["opencv"] >= 1 and "blas" in machine["threads"]
    assert [p["value"] for p in report["points"]] == [3, 5]
    for stored, point in zip(report["points"], result.points, strict=True):
        assert set(stored["modes"]) == set(MODES)
        assert stored["normal_multiplications"] == point.normal_multiplications
        depthwise = stored["modes"]["depthwise"]
        assert depthwise["theoretical_speedup"] == pytest.approx(
            1 / float(mobilenet_ratio(point.config.outputs, point.config.k))
        )


def test_files_are_written_whole_and_never_replaced_unasked(result, tmp_path):
    path = tmp_path / "sweep.csv"
    write_csv(path, result)
    assert path.read_text() == to_csv(result)
    path.write_text("keep me")
    with pytest.raises(FileExistsError, match="already exists"):
        write_csv(path, result)
    assert path.read_text() == "keep me"
    write_csv(path, result, overwrite=True)
    write_json(tmp_path / "sweep.json", result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.csv", "sweep.json"]
    assert path.read_text() == to_csv(result)


def test_sweep_modules_stay_free_of_qt():
    folder = pathlib.Path(sweep.__file__).parent
    for name in ("sweep.py", "sweep_spec.py", "sweep_report.py"):
        tree = ast.parse((folder / name).read_text())
        roots = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        roots |= {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and not node.level
        }
        assert not roots & {"PySide6", "shiboken6", "pyqtgraph"}, name


# --- the worker thread ----------------------------------------------------------------------
# Plain callables connected to the worker's signals run in its thread (lists are safe there);
# the test's thread waits with waitUntil.
def run_worker(qtbot, worker):
    ends = []
    worker.finished.connect(ends.append)
    worker.failed.connect(ends.append)
    worker.start()
    qtbot.waitUntil(lambda: bool(ends), timeout=20000)
    assert worker.wait(20000) and not worker.is_running()
    assert len(ends) == 1
    return ends[0]


def test_worker_reports_progress_points_and_the_result(qtbot):
    worker = SweepWorker(SweepSpec(values=(3, 5), **TINY))
    progress, points, started = [], [], []
    worker.started.connect(lambda total, machine: started.append((total, machine)))
    worker.progress.connect(lambda *args: progress.append(args))
    worker.point.connect(points.append)
    result = run_worker(qtbot, worker)
    assert result.status == "complete" and result is worker.result
    assert started[0][0] == 2 and started[0][1]["cores"] >= 1
    assert [p.value for p in points] == [3, 5] and result.points == points
    assert [(done, total) for done, total, _ in progress] == [(0, 2), (1, 2), (2, 2)]
    assert progress[0][2] == -1 and progress[1][2] > 0 and progress[2][2] == 0


def test_worker_cancelled_after_its_first_point_keeps_it(qtbot):
    worker = SweepWorker(SweepSpec(values=(3, 5, 7, 9), **TINY))
    # Runs in the worker's thread: the flag is set before it measures the next point.
    worker.point.connect(lambda point: worker.cancel())
    result = run_worker(qtbot, worker)
    assert result.status == "cancelled" and worker.cancelled
    assert [p.value for p in result.points] == [3]


def test_worker_failure_is_reported_with_the_points_so_far(qtbot, sweep_fails_at_second_point):
    worker = SweepWorker(SweepSpec(values=(3, 5), **TINY))
    assert run_worker(qtbot, worker) == "MemoryError: Unable to allocate 9 GiB"
    assert worker.result.status == "failed" and [p.value for p in worker.result.points] == [3]
