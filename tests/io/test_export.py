"""Exporting arrays: exact round-trips, colour order, channel splitting, never overwriting."""

import json

import cv2
import numpy as np
import pytest

from sepconv_gui.io import export, files
from sepconv_gui.io.export import (
    ExportJob,
    export_paths,
    plan_export,
    quantize,
    result_items,
    safe_stem,
    value_levels,
    write_array,
    write_plan,
)
from sepconv_gui.ui.views.display import map_for_display


def signed_image(height=12, width=16, channels=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-2.0, 3.0, (height, width, channels)).astype(np.float32)


def read_unchanged(path):
    data = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert data is not None, f"OpenCV could not read {path}"
    return data


def folder_listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_npy_round_trip_is_exact_for_any_channel_count(tmp_path):
    array = signed_image(channels=7)
    array[0, 0, 0] = np.float32(1e-30)  # values far below any 16-bit step survive
    written = write_array(tmp_path / "stage", array, "npy")
    assert written == [tmp_path / "stage.npy"]
    back = np.load(written[0])
    assert back.dtype == np.float32 and back.shape == (12, 16, 7)
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("fmt, extension", [("png16", ".png"), ("tiff16", ".tif")])
def test_16_bit_files_hold_values_scaled_from_the_levels(tmp_path, fmt, extension):
    array = signed_image(channels=1)
    levels = (-2.0, 3.0)
    written = write_array(tmp_path / f"out{extension}", array, fmt, levels=levels)
    assert [p.name for p in written] == [f"out{extension}", "out.levels.json"]
    pixels = read_unchanged(written[0])
    assert pixels.dtype == np.uint16 and pixels.shape == (12, 16)
    expected = (array[:, :, 0].astype(np.float64) + 2.0) / 5.0 * 65535
    assert np.max(np.abs(pixels - expected)) <= 1.0
    sidecar = json.loads(written[1].read_text())
    assert sidecar["levels"] == [-2.0, 3.0] and sidecar["files"] == [f"out{extension}"]
    decoded = sidecar["levels"][0] + np.ptp(sidecar["levels"]) * pixels / 65535
    np.testing.assert_allclose(decoded, array[:, :, 0], atol=5.0 / 65535)


def test_16_bit_default_levels_are_the_value_range():
    assert value_levels(np.array([[0.2, 0.9]])) == (0.0, 1.0)
    assert value_levels(np.array([[-3.0, 0.5, np.nan]])) == (-3.0, 0.5)
    assert value_levels(np.full((2, 2), 4.0)) == (4.0, 5.0)


def test_png8_equals_the_display_mapping(tmp_path):
    array = signed_image(channels=1)
    for mapping in ("clip", "normalize", "abs", "signed"):
        shown, levels = map_for_display(array, mapping)
        path = write_array(tmp_path / mapping, shown, "png8", levels=levels)[0]
        pixels = read_unchanged(path)
        assert pixels.dtype == np.uint8 and pixels.shape == (12, 16)
        low, high = levels
        expected = np.clip((shown[:, :, 0] - low) / (high - low), 0, 1) * 255
        assert np.max(np.abs(pixels - expected)) <= 0.5 + 1e-3, mapping
        assert pixels.max() >= 254  # the full 8-bit range is used
        assert mapping in ("abs", "signed") or pixels.min() <= 1


def test_png8_colours_single_channels_through_a_lut(tmp_path):
    lut = np.zeros((256, 3), np.uint8)
    lut[:, 0] = np.arange(256)  # red ramp
    array = np.linspace(0, 1, 12 * 16, dtype=np.float32).reshape(12, 16, 1)
    pixels = read_unchanged(write_array(tmp_path / "lut", array, "png8", lut=lut)[0])
    rgb = cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(rgb[:, :, 0], quantize(array[:, :, 0], (0, 1), 8))
    assert not rgb[:, :, 1:].any()


@pytest.mark.parametrize("fmt", ["png8", "png16", "tiff16"])
def test_rgb_order_survives_opencv(tmp_path, fmt):
    red = np.zeros((6, 8, 3), np.float32)
    red[:, :, 0] = 1.0
    pixels = read_unchanged(write_array(tmp_path / "red", red, fmt, levels=(0.0, 1.0))[0])
    rgb = cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    top = np.iinfo(pixels.dtype).max
    assert (rgb[:, :, 0] == top).all() and not rgb[:, :, 1:].any()


@pytest.mark.parametrize("fmt", ["png8", "png16", "tiff16"])
def test_other_channel_counts_write_one_gray_file_per_channel(tmp_path, fmt):
    array = np.stack([np.full((5, 7), k / 10, np.float32) for k in range(4)], axis=2)
    written = write_array(tmp_path / "maps", array, fmt, levels=(0.0, 1.0))
    images = [p for p in written if not p.name.endswith(".json")]
    extension = ".tif" if fmt == "tiff16" else ".png"
    assert [p.name for p in images] == [f"maps_c{k + 1:02d}{extension}" for k in range(4)]
    top = 255 if fmt == "png8" else 65535
    for k, path in enumerate(images):
        pixels = read_unchanged(path)
        assert pixels.shape == (5, 7)
        assert np.abs(pixels.astype(float) - k / 10 * top).max() <= 1.0
    assert written == export_paths(tmp_path, "maps", 4, fmt)


def test_two_channels_in_npy_stay_one_file(tmp_path):
    assert export_paths(tmp_path, "x", 2, "npy") == [tmp_path / "x.npy"]
    assert len(export_paths(tmp_path, "x", 12, "png8")) == 12
    assert export_paths(tmp_path, "x", 12, "png8")[-1].name == "x_c12.png"
    assert export_paths(tmp_path, "x", 100, "png8")[0].name == "x_c001.png"


def test_existing_target_refuses_everything_and_writes_nothing(tmp_path):
    jobs = [ExportJob("a", signed_image()), ExportJob("b", signed_image(channels=2))]
    (tmp_path / "b_c02.png").write_bytes(b"keep me")
    plan = plan_export(tmp_path, jobs, "png8")
    assert plan.conflicts() == [tmp_path / "b_c02.png"]
    with pytest.raises(FileExistsError, match="b_c02.png"):
        write_plan(plan)
    assert folder_listing(tmp_path) == ["b_c02.png"]  # not even a.png was written
    assert (tmp_path / "b_c02.png").read_bytes() == b"keep me"


def test_overwrite_true_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out.npy"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="out.npy"):
        write_array(target, signed_image(), "npy")
    assert target.read_bytes() == b"old"
    written = write_array(target, signed_image(seed=3), "npy", overwrite=True)
    np.testing.assert_array_equal(np.load(written[0]), signed_image(seed=3))
    write_array(tmp_path / "more", signed_image(channels=5), "tiff16")
    assert not [name for name in folder_listing(tmp_path) if name.endswith(".tmp")]
    assert len(folder_listing(tmp_path)) == 1 + 5 + 1


def test_missing_or_unwritable_folders_give_errors_naming_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(OSError, match="nowhere"):
        write_array(missing / "x", signed_image(), "png8")
    a_file = tmp_path / "plain.txt"
    a_file.write_text("not a folder")
    with pytest.raises(OSError, match="plain.txt"):
        write_array(a_file / "x", signed_image(), "npy")
    assert folder_listing(tmp_path) == ["plain.txt"]


def test_a_folder_without_write_permission_is_refused_up_front(tmp_path, monkeypatch):
    monkeypatch.setattr(export.os, "access", lambda path, mode: False)
    with pytest.raises(PermissionError, match=f"Cannot write to the folder {tmp_path}"):
        write_array(tmp_path / "x", signed_image(), "npy")
    assert folder_listing(tmp_path) == []


def test_a_disk_that_fills_up_midway_leaves_nothing(tmp_path, monkeypatch):
    real_fill, calls = files._fill, []

    def fills_up(stream, data, mode):  # the fifth of nine files finds the disk full
        calls.append(mode)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real_fill(stream, data, mode)

    monkeypatch.setattr(files, "_fill", fills_up)
    with pytest.raises(OSError, match=r"full_c05\.png: No space left on device; nothing"):
        write_array(tmp_path / "full", signed_image(channels=9), "png8")
    assert folder_listing(tmp_path) == []


def test_plan_refuses_two_arrays_with_one_name(tmp_path):
    with pytest.raises(ValueError, match="same.npy"):
        plan_export(tmp_path, [ExportJob("same", signed_image())] * 2, "npy")
    with pytest.raises(ValueError, match="unknown export format"):
        plan_export(tmp_path, [], "jpeg")


def test_everything_plan_names_input_outputs_and_stages():
    class Conv:
        def __init__(self, stages):
            self.stages = stages
            self.output = list(stages.values())[-1]

    image = signed_image()
    results = {
        "normal": Conv({"normal": image}),
        "depthwise": Conv({"depthwise": signed_image(channels=6), "pointwise": image}),
    }
    items = result_items(image, results)
    assert [item.stem for item in items] == [
        "input",
        "normal_output",
        "normal_stage-normal",
        "depthwise_output",
        "depthwise_stage-depthwise",
        "depthwise_stage-pointwise",
    ]
    assert [item.shows_output for item in items] == [False, True, True, True, False, True]
    assert safe_stem("dw / stage: 3") == "dw-stage-3" and safe_stem("///") == "image"
    names = [
        p.name
        for item in items[4:5]
        for p in export_paths(".", item.stem, item.array.shape[2], "png8")
    ]
    assert names[2] == "depthwise_stage-depthwise_c03.png" and len(names) == 6
