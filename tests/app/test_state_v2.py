"""Format version 2: per-channel and per-map kernels, pointwise presets, independent normal
banks, synthesized channels, fitting — engine inputs checked against hand-built arrays."""

import json

import numpy as np
import pytest

from sepconv_gui.app import channels as channels_module
from sepconv_gui.app.channels import channel_names, expand_channels
from sepconv_gui.app.design_fit import fit_depthwise, fit_tradeoff
from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design, DesignError
from sepconv_gui.engine import ResourceError, factorize_depthwise_separable, reference

SX = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
SY = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
BOX = np.full((3, 3), 1 / 9)

# Written by the version-1 app (indent=2, every field): must keep loading.
V1_FILE = """{
  "format": "sepconv-gui design",
  "version": 1,
  "kernel": [[0.25, 0.5], [0.5, 1.0]],
  "preset": "custom",
  "preset_params": {},
  "multiplier": 2,
  "out_channels": 2,
  "pointwise": "custom",
  "pointwise_seed": 0,
  "pointwise_custom": [[1, 0, 0, 0, 0, 0], [0, 0, 0.5, 0, 0, 0.5]],
  "spatial_rank": 1,
  "border": "wrap",
  "flip": true,
  "algorithm": "fft",
  "modes": ["normal", "depthwise"],
  "grayscale": false
}"""


def image(seed, shape=(11, 12, 3)):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def test_version_1_file_still_loads_with_version_1_behaviour():
    design = Design.from_json(V1_FILE)
    assert design.kernel == ((0.25, 0.5), (0.5, 1.0))
    assert (design.multiplier, design.out_channels, design.border) == (2, 2, "wrap")
    assert design.pointwise_custom.array.tolist() == [[1, 0, 0, 0, 0, 0], [0, 0, 0.5, 0, 0, 0.5]]
    assert (design.channels, design.depthwise_kind, design.normal_kind) == (
        0,
        "shared",
        "equivalent",
    )
    assert json.loads(design.to_json())["version"] == 2
    assert Design.from_json(design.to_json()) == design


def test_version_1_file_may_not_carry_version_2_keys():
    text = V1_FILE.replace('"grayscale": false', '"grayscale": false, "channels": 8')
    with pytest.raises(DesignError, match="unknown design keys: 'channels'"):
        Design.from_json(text)


def test_per_channel_kernels_turn_per_channel():
    design = Design(
        multiplier=2, depthwise_kind="per_channel", depthwise_custom=np.stack([SX, SY, BOX])
    )
    expected = np.stack([SX, SY, SY, -SX, BOX, BOX])
    np.testing.assert_array_equal(design.depthwise_kernels(3), expected)
    data = image(21)
    out = run_design(data, design.with_changes(modes=("depthwise",)))
    output = out.results["depthwise"].output
    for c, kernel in enumerate((SX, SY, BOX)):  # identity pointwise: output c = channel c
        want = reference.correlate(data[:, :, c], kernel, "reflect101", False)
        np.testing.assert_allclose(output[:, :, c], want, atol=1e-5)


def test_per_map_kernels_are_used_as_given_and_normal_still_matches():
    maps = np.arange(6 * 9, dtype=float).reshape(6, 3, 3) - 20
    design = Design(
        multiplier=2,
        out_channels=2,
        depthwise_kind="per_map",
        depthwise_custom=maps,
        pointwise="custom",
        pointwise_custom=[[1, 0, 0, 2, 0, 0], [0, 0, 0, 0, 0, -1]],
    )
    np.testing.assert_array_equal(design.depthwise_kernels(3), maps)
    zero = np.zeros((3, 3))
    bank = np.array([[maps[0], 2 * maps[3], zero], [zero, zero, -maps[5]]])
    np.testing.assert_array_equal(design.normal_weights(3), bank)
    data = image(22)
    result = run_design(data, design.with_changes(modes=("normal", "depthwise")))
    want = reference.normal(data, bank)
    for mode in ("normal", "depthwise"):
        np.testing.assert_allclose(result.results[mode].output, want, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize(
    "changes, channels, message",
    [
        ({"depthwise_kind": "per_channel", "depthwise_custom": [SX, SY]}, 3, "2 per-channel"),
        ({"depthwise_kind": "per_map", "depthwise_custom": [SX] * 3, "multiplier": 2}, 3, "C*M"),
        ({"pointwise": "luma"}, 1, "luma' needs C = 3"),
        ({"normal_kind": "file", "normal_bank": np.zeros((3, 2, 3, 3))}, 3, "P = 3 and C = 3"),
    ],
)
def test_weights_that_do_not_fit_c_are_explained(changes, channels, message):
    design = Design(**changes)
    with pytest.raises(DesignError, match=message):
        design.check_channels(channels)
    with pytest.raises(DesignError, match=message):
        run_design(image(23, (8, 8, channels)), design)


def test_kinds_that_need_data_refuse_without_it():
    with pytest.raises(DesignError, match="needs the kernels in depthwise_custom"):
        Design(depthwise_kind="per_map")
    with pytest.raises(DesignError, match="needs an imported bank"):
        Design(normal_kind="file")
    with pytest.raises(DesignError, match="2 per-channel"):
        Design(channels=4, depthwise_kind="per_channel", depthwise_custom=[SX, SY])


def test_swap_and_luma_pointwise_presets():
    swap = Design(multiplier=2, pointwise="swap").pointwise_weights(3)
    want = np.zeros((3, 6))
    want[0, 4] = want[1, 2] = want[2, 0] = 1
    np.testing.assert_array_equal(swap, want)
    luma = Design(out_channels=2, pointwise="luma", multiplier=2).pointwise_weights(3)
    np.testing.assert_array_equal(luma, [[0.299, 0, 0.587, 0, 0.114, 0]] * 2)


def test_random_normal_bank_is_independent_and_seeded():
    design = Design(normal_kind="random", normal_seed=9, out_channels=4)
    rng = np.random.default_rng(9)
    want = rng.standard_normal((4, 3, 3, 3)) / np.sqrt(3 * 9)
    np.testing.assert_array_equal(design.normal_weights(3), want)
    data = image(24)
    result = run_design(data, design.with_changes(modes=("normal",)))
    np.testing.assert_allclose(
        result.results["normal"].output, reference.normal(data, want), atol=1e-4
    )


def test_imported_bank_saves_beside_the_json_and_loads_back(tmp_path):
    bank = np.random.default_rng(5).standard_normal((2, 3, 5, 5))
    design = Design(out_channels=2, normal_kind="file", normal_bank=bank)
    with pytest.raises(DesignError, match="saved beside the design"):
        design.to_json()
    written = design.save(tmp_path / "layer.json")
    assert written == [str(tmp_path / "layer.json"), str(tmp_path / "layer.normal.npy")]
    data = json.loads((tmp_path / "layer.json").read_text())
    assert data["normal_bank_file"] == "layer.normal.npy" and "normal_bank" not in data
    np.testing.assert_array_equal(np.load(tmp_path / "layer.normal.npy"), bank)
    loaded = Design.from_file(tmp_path / "layer.json")
    assert loaded == design
    np.testing.assert_array_equal(loaded.normal_weights(3), bank)
    # Only a bare name beside the file, or an absolute path; the text alone cannot find it.
    text = (tmp_path / "layer.json").read_text()
    with pytest.raises(DesignError, match="beside the design file"):
        Design.from_json(text)
    absolute = text.replace('"layer.normal.npy"', json.dumps(str(tmp_path / "layer.normal.npy")))
    assert Design.from_json(absolute) == design


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("../up.normal.npy", None, "a file name beside the design"),
        ("missing.npy", None, "cannot be read"),
        ("objects.npy", np.array([[[[None]]]], dtype=object), "must hold a 4-D"),
        ("flat.npy", np.zeros((3, 3)), "must hold a 4-D"),
        ("junk.npy", b"not an npy file", "not a valid .npy"),
        ("bad.npy", np.full((1, 1, 1, 1), np.nan), r"normal_bank\[0\]\[0\]\[0\]\[0\]"),
        ("layer.txt", None, "must name an .npy"),
    ],
)
def test_bad_bank_files_are_refused(tmp_path, name, content, message):
    if isinstance(content, np.ndarray):
        np.save(tmp_path / name, content, allow_pickle=True)
    elif content is not None:
        (tmp_path / name).write_bytes(content)
    text = json.dumps(
        {
            "format": "sepconv-gui design",
            "version": 2,
            "out_channels": 1,
            "normal_kind": "file",
            "normal_bank_file": name,
        }
    )
    (tmp_path / "d.json").write_text(text)
    with pytest.raises(DesignError, match=message):
        Design.from_file(tmp_path / "d.json")


def test_channel_expansion_is_deterministic_named_and_prefix_stable():
    ramp = np.tile(np.arange(16, dtype=np.float32), (10, 1))
    colour = np.stack([ramp, 2 * ramp, 10 - ramp], axis=2)
    names = channel_names(3, 25)
    assert names[:5] == ["R", "G", "B", "luma", "d/dx luma"]
    assert names[11] == "R shifted (+0,+1)" and names[22] == "R shifted (+1,+0)"
    out = expand_channels(colour, 25)
    assert out.shape == (10, 16, 25) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, :, :3], colour)
    luma = 0.299 * ramp + 0.587 * 2 * ramp + 0.114 * (10 - ramp)
    np.testing.assert_allclose(out[:, :, 3], luma, rtol=1e-6)
    # d/dx of a ramp of slope 1.772 (luma) is that slope away from the borders.
    np.testing.assert_allclose(out[:, 1:-1, 4], 0.299 + 1.174 - 0.114, rtol=1e-5)
    np.testing.assert_allclose(out[:, 1:-1, 5], 0.0, atol=1e-6)  # d/dy
    np.testing.assert_array_equal(out[:, 1:, 11], colour[:, :-1, 0])  # R shifted (+0,+1)
    np.testing.assert_array_equal(out[:, 0, 11], colour[:, 0, 0])  # edge repeats
    np.testing.assert_array_equal(expand_channels(colour, 256)[:, :, :25], out)
    noise = image(27, (6, 7, 3))
    shifted = expand_channels(noise, 34)  # 22: R shifted (+1,+0); 33: R shifted (+0,-1)
    np.testing.assert_array_equal(shifted[1:, :, 22], noise[:-1, :, 0])
    np.testing.assert_array_equal(shifted[:, :-1, 33], noise[:, 1:, 0])
    gray = expand_channels(ramp, 9)
    assert channel_names(1, 9)[0] == "gray" and channel_names(1, 9)[8] == "gray shifted (+0,+1)"
    np.testing.assert_array_equal(gray[:, :, 0], ramp)


def test_channel_expansion_refuses_what_would_not_fit(monkeypatch):
    monkeypatch.setattr(channels_module, "EXPANSION_BUDGET_BYTES", 1000)
    with pytest.raises(ResourceError, match="lower C or the image size"):
        expand_channels(np.zeros((10, 10, 3), np.float32), 3)
    with pytest.raises(ValueError, match="from 1 to 256"):
        channel_names(3, 257)


def test_a_design_with_synthesized_channels_runs():
    design = Design(channels=20, out_channels=6, pointwise="random", multiplier=2)
    result = run_design(image(25, (9, 10, 3)), design)
    assert result.image.shape == (9, 10, 20)
    assert result.results["depthwise"].stages["depthwise"].shape == (9, 10, 40)
    np.testing.assert_allclose(
        result.results["depthwise"].output, result.results["normal"].output, atol=1e-4
    )


def test_fit_recovers_a_bank_that_is_depthwise_separable():
    # Hand-built bank with M = 2 structure: bank[p, c] = sum_m point[p, 2c+m] * depth[2c+m].
    rng = np.random.default_rng(31)
    depth, point = rng.standard_normal((6, 3, 3)), rng.standard_normal((4, 6))
    bank = np.zeros((4, 3, 3, 3))
    for p in range(4):
        for c in range(3):
            for m in range(2):
                bank[p, c] += point[p, 2 * c + m] * depth[2 * c + m]
    design = Design(out_channels=4, normal_kind="file", normal_bank=bank)
    fitted, error = fit_depthwise(design, 2, 3)
    assert error < 1e-10
    assert fitted.depthwise_kind == "per_map" and fitted.normal_bank == design.normal_bank
    data = image(26)
    result = run_design(data, fitted.with_changes(modes=("normal", "depthwise")))
    np.testing.assert_allclose(
        result.results["depthwise"].output, reference.normal(data, bank), atol=1e-4
    )
    _, error_one = fit_depthwise(design, 1)  # C = 3 from the imported bank
    assert error_one > 0.05


def test_channels_for_a_design():
    from sepconv_gui.app.design_weights import channels_for

    assert channels_for(Design()) == 3 and channels_for(Design(), 1) == 1
    assert channels_for(Design(grayscale=True)) == 1
    assert channels_for(Design(channels=40)) == 40
    bank = np.zeros((3, 7, 3, 3))
    assert channels_for(Design(normal_kind="file", normal_bank=bank)) == 7


def test_tradeoff_agrees_with_the_engine_and_counts_by_hand():
    design = Design(out_channels=5, normal_kind="random", normal_seed=3)
    points = fit_tradeoff(design, 3)
    assert [p.multiplier for p in points] == list(range(1, 6))  # min(k*k = 9, P = 5)
    bank = design.normal_weights(3)
    for point in points:
        m = point.multiplier
        assert point.relative_error == pytest.approx(factorize_depthwise_separable(bank, m)[2])
        assert point.multiplications == 3 * m * 9 + 5 * 3 * m
        assert point.normal_multiplications == 5 * 3 * 9
    errors = [p.relative_error for p in points]
    assert errors == sorted(errors, reverse=True) and errors[-1] < 1e-10
    with pytest.raises(DesignError, match="multiplier"):
        fit_depthwise(design, 17, 3)


def test_network_sized_arrays_save_beside_and_load_back(tmp_path):
    from sepconv_gui.app.design_file import INLINE_VALUES

    rng = np.random.default_rng(41)
    maps = 40 * 16
    point = rng.standard_normal((128, maps))
    assert point.size > INLINE_VALUES
    design = Design(
        channels=40,
        multiplier=16,
        out_channels=128,
        pointwise="custom",
        pointwise_custom=point,
        depthwise_kind="per_channel",
        depthwise_custom=rng.standard_normal((40, 3, 3)),  # small: stays inline
    )
    with pytest.raises(DesignError, match="pointwise_custom is saved beside"):
        design.to_json()
    written = design.save(tmp_path / "net.json")
    assert written == [str(tmp_path / "net.json"), str(tmp_path / "net.pointwise.npy")]
    data = json.loads((tmp_path / "net.json").read_text())
    assert data["pointwise_custom_file"] == "net.pointwise.npy"
    assert "pointwise_custom" not in data and len(data["depthwise_custom"]) == 40
    assert Design.from_file(tmp_path / "net.json") == design


def test_an_array_given_inline_and_as_a_file_is_refused(tmp_path):
    np.save(tmp_path / "p.npy", np.eye(3))
    text = json.dumps(
        {
            "format": "sepconv-gui design",
            "version": 2,
            "pointwise": "custom",
            "pointwise_custom": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
            "pointwise_custom_file": "p.npy",
        }
    )
    with pytest.raises(DesignError, match="both inline and as pointwise_custom_file"):
        Design.from_json(text, folder=tmp_path)
    good = text.replace('"pointwise_custom": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], ', "")
    assert (
        Design.from_json(good, folder=tmp_path).pointwise_custom.array.tolist()
        == np.eye(3).tolist()
    )
