"""Machine peaks: the arithmetic behind each figure and the per-machine cache (not speed)."""

import json

import pytest

from sepconv_gui.bench import peaks


def test_flop_and_byte_counts_by_hand():
    # (2 x 3) @ (3 x 4): 24 terms, each a multiply and an add.
    assert peaks.gemm_flops(2, 3, 4) == 48
    # 10 float32: 40 bytes read + 40 written; an add reads two arrays.
    assert peaks.copy_bytes(10) == 80
    assert peaks.add_bytes(10) == 120
    assert peaks.rate(3e9, 1.5) == pytest.approx(2.0)
    assert peaks.rate(1e9, 0.0) == 0.0


def test_measured_figures_follow_from_the_times(monkeypatch):
    """With every run taking a known time, each figure is its count over that time."""
    monkeypatch.setattr(peaks, "SQUARE_N", 64)
    monkeypatch.setattr(peaks, "TALL_SHAPE", (100, 9, 3))
    monkeypatch.setattr(peaks, "STREAM_ELEMENTS", 1000)
    times = iter([0.002, 0.004, 0.001, 0.003])
    monkeypatch.setattr(peaks, "median_seconds", lambda run: (run(), next(times))[1])
    result = peaks._measure(threads=2)
    assert result.gemm_square_gflops == pytest.approx(2 * 64**3 / 0.002 / 1e9)
    assert result.gemm_tall_gflops == pytest.approx(2 * 100 * 9 * 3 / 0.004 / 1e9)
    assert result.copy_gbs == pytest.approx(8000 / 0.001 / 1e9)
    assert result.add_gbs == pytest.approx(12000 / 0.003 / 1e9)
    assert result.threads == 2


def test_roofline_of_the_peaks():
    p = peaks.Peaks(
        gemm_square_gflops=100.0, gemm_tall_gflops=40.0, copy_gbs=10.0, add_gbs=20.0, threads=1
    )
    assert p.gflops == 100.0 and p.gbs == 20.0
    assert p.ridge == pytest.approx(5.0)
    assert p.roof(1.0) == pytest.approx(20.0)  # memory slope below the ridge
    assert p.roof(50.0) == pytest.approx(100.0)  # flat compute roof above it


@pytest.fixture
def counted(monkeypatch):
    """_measure replaced by a fake that counts its calls and returns distinct numbers."""
    calls = []

    def fake(threads):
        calls.append(threads)
        return peaks.Peaks(
            gemm_square_gflops=10.0 * len(calls),
            gemm_tall_gflops=5.0,
            copy_gbs=3.0,
            add_gbs=4.0,
            threads=threads,
            machine=peaks.machine_key(threads),
        )

    monkeypatch.setattr(peaks, "_measure", fake)
    return calls


def test_measured_once_then_read_from_the_cache(tmp_path, counted):
    first = peaks.measure_peaks(threads=2, folder=tmp_path)
    second = peaks.measure_peaks(threads=2, folder=tmp_path)
    assert counted == [2]
    assert not first.from_cache and second.from_cache
    assert second.gemm_square_gflops == first.gemm_square_gflops == 10.0
    assert peaks.cached_peaks(threads=2, folder=tmp_path).copy_gbs == 3.0


def test_force_measures_again_and_replaces_the_cache(tmp_path, counted):
    peaks.measure_peaks(threads=1, folder=tmp_path)
    forced = peaks.measure_peaks(force=True, threads=1, folder=tmp_path)
    assert counted == [1, 1] and forced.gemm_square_gflops == 20.0
    assert peaks.measure_peaks(threads=1, folder=tmp_path).gemm_square_gflops == 20.0


def test_another_thread_count_is_another_machine(tmp_path, counted):
    peaks.measure_peaks(threads=1, folder=tmp_path)
    peaks.measure_peaks(threads=2, folder=tmp_path)
    assert counted == [1, 2]
    assert peaks.cached_peaks(threads=3, folder=tmp_path) is None


@pytest.mark.parametrize(
    "garbage",
    ["", "{not json", "[1, 2]", '{"machine": null}', "NUMBERS"],
)
def test_a_corrupt_cache_is_measured_again_and_repaired(tmp_path, counted, garbage):
    key = peaks.machine_key(2)
    path = peaks.cache_path(key, tmp_path)
    if garbage == "NUMBERS":  # right key, impossible values
        garbage = json.dumps(
            {
                "machine": key,
                "threads": 2,
                "gemm_square_gflops": -1,
                "gemm_tall_gflops": 1,
                "copy_gbs": 1,
                "add_gbs": 1,
            }
        )
    path.write_text(garbage)
    assert peaks.cached_peaks(threads=2, folder=tmp_path) is None
    fresh = peaks.measure_peaks(threads=2, folder=tmp_path)
    assert counted == [2] and not fresh.from_cache
    assert json.loads(path.read_text())["gemm_square_gflops"] == 10.0


def test_the_cache_write_leaves_no_temporary_files(tmp_path, counted):
    peaks.measure_peaks(threads=2, folder=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [peaks.cache_path(peaks.machine_key(2)).name]


def test_an_unwritable_cache_folder_still_gives_peaks(tmp_path, counted):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    result = peaks.measure_peaks(threads=2, folder=blocker / "cache")
    assert result.gemm_square_gflops == 10.0


def test_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(peaks.ENV_CACHE_DIR, str(tmp_path))
    assert peaks.cache_dir() == tmp_path


def test_a_file_describing_another_machine_is_not_trusted(tmp_path, counted):
    """Same file name, but written under another numpy: the key inside must match too."""
    peaks.measure_peaks(threads=2, folder=tmp_path)
    path = peaks.cache_path(peaks.machine_key(2), tmp_path)
    data = json.loads(path.read_text())
    data["machine"]["numpy"] = "0.0-elsewhere"
    path.write_text(json.dumps(data))
    assert peaks.cached_peaks(threads=2, folder=tmp_path) is None
    peaks.measure_peaks(threads=2, folder=tmp_path)
    assert counted == [2, 2]
