"""sepconv-model: the table, JSON and CSV say what the analysis API says; failures exit cleanly."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from sepconv_gui import models_cli
from sepconv_gui.engine.network import analyze_network
from sepconv_gui.io.models import load_conv_layers

pytest.importorskip("onnx")
from tests.io.test_models import tiny_model  # noqa: E402

LAYER_KEYS = {
    "name", "kind", "in_channels", "out_channels", "kernel", "groups", "stride", "dilation",
    "multiplications", "parameters", "rank1_energy", "fit_error", "fit_multiplications",
}  # fmt: skip


@pytest.fixture
def tiny(tmp_path):
    return tiny_model(tmp_path / "tiny.onnx")


def test_json_and_csv_match_the_api(tiny, tmp_path, capsys):
    out_json, out_csv = tmp_path / "layers.json", tmp_path / "layers.csv"
    argv = [str(tiny), "--input-size", "16x20", "--multipliers", "2,1"]
    assert models_cli.main([*argv, "--json", str(out_json), "--csv", str(out_csv)]) == 0
    document = json.loads(out_json.read_text())
    assert set(document) == {"model", "input_size", "layers"}
    assert document["model"] == "tiny.onnx" and document["input_size"] == [16, 20]
    expected = analyze_network(load_conv_layers(tiny), (16, 20), [1, 2]).layers
    assert len(document["layers"]) == len(expected)
    for got, want in zip(document["layers"], expected):
        assert set(got) == LAYER_KEYS
        assert (got["name"], got["kind"], got["groups"]) == (want.name, want.kind, want.groups)
        assert got["multiplications"] == want.multiplications
        assert got["parameters"] == want.parameters
        assert got["rank1_energy"] == want.rank1_energy
        assert got["fit_error"] == {str(m): e for m, e in want.fit_error.items()}
        assert got["fit_multiplications"] == {
            str(m): n for m, n in want.fit_multiplications.items()
        }
        if want.multiplications is not None:
            assert got["kernel"] == list(want.kernel) and got["stride"] == list(want.stride)
            assert (got["in_channels"], got["out_channels"]) == (
                want.in_channels, want.out_channels
            )  # fmt: skip
    normal = document["layers"][0]
    assert set(normal["fit_error"]) == {"1", "2"}

    rows = list(csv.DictReader(out_csv.open()))
    assert [r["name"] for r in rows] == [x.name for x in expected]
    for row, want in zip(rows, document["layers"]):
        kernel, stride, dilation = want["kernel"] or ["", ""], want["stride"], want["dilation"]
        flat = {
            **{k: want[k] for k in LAYER_KEYS - {"kernel", "stride", "dilation"} if "fit" not in k},
            "kh": kernel[0], "kw": kernel[1], "stride_h": stride[0], "stride_w": stride[1],
            "dilation_h": dilation[0], "dilation_w": dilation[1],
            **{f"fit_error_{m}": want["fit_error"].get(str(m)) for m in (1, 2)},
            **{f"fit_multiplications_{m}": want["fit_multiplications"].get(str(m)) for m in (1, 2)},
        }  # fmt: skip
        assert row == {k: "" if v is None else str(v) for k, v in flat.items()}

    printed = capsys.readouterr().out
    assert all(x.name in printed for x in expected)
    assert f"{sum(x.multiplications or 0 for x in expected):,} multiplications" in printed
    assert "computed when the model runs" in printed  # the unreadable layer says why


def test_sample_model_by_default_at_its_own_input_size(tmp_path, capsys):
    out = tmp_path / "sample.json"
    assert models_cli.main(["--json", str(out), "--multipliers", "all"]) == 0
    document = json.loads(out.read_text())
    assert document["input_size"] == [48, 192]
    assert len(document["layers"]) == 53
    assert set(document["layers"][0]["fit_error"]) == {str(m) for m in range(1, 10)}
    assert "11 depthwise + pointwise pairs" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["{missing}"], ["no such file"]),
        (["{tiny}", "--input-size", "big"], ["--input-size"]),
        (["{bank}", "--input-size", "3x9"], ["too small", "5 x 5"]),
        (["{tiny}", "--multipliers", "0,1"], ["--multipliers"]),
        (["{junk}"], ["junk.onnx"]),
    ],
)
def test_bad_arguments_and_models_exit_2_with_one_line(tiny, tmp_path, capsys, argv, words):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\xff" * 100)
    bank = tmp_path / "bank.npy"
    np.save(bank, np.ones((2, 1, 5, 5), np.float32))
    names = {"missing": tmp_path / "missing.onnx", "tiny": tiny, "junk": junk, "bank": bank}
    assert models_cli.main([a.format(**names) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sepconv-model: ") and "\n" not in err
    for word in words:
        assert word in err


def test_unwritable_output_exits_5(tiny, tmp_path, capsys):
    target = tmp_path / "no" / "such" / "folder" / "out.json"
    assert models_cli.main([str(tiny), "--json", str(target)]) == 5
    assert "cannot write" in capsys.readouterr().err
