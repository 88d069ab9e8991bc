"""State dicts store no groups: how they are inferred, overridden, and never silently read as
groups = 1 for a depthwise bank (docs/models.md, "Groups in PyTorch state dicts")."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from sepconv_gui.io.models import ModelLoadError, load_model, state_dict_layers
from sepconv_gui.models_cli import main

RNG = np.random.default_rng(41)


def bank(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# A MobileNet-like block: stem (8 outputs), depthwise 8 (M = 1), pointwise to 16, depthwise
# with M = 2 (32 outputs from 16 channels), then a bank of one-channel filters whose count (20)
# is not a multiple of the 32 channels before it.
BANKS = [
    ("stem", bank(8, 3, 3, 3), None),
    ("dw1", bank(8, 1, 3, 3), None),
    ("pw1", bank(16, 8, 1, 1), bank(16)),
    ("dw2", bank(32, 1, 5, 5), None),
    ("odd", bank(20, 1, 3, 3), None),
]


def test_depthwise_banks_are_inferred_from_the_layer_before():
    layers = {x.name: x for x in state_dict_layers(BANKS, "net.pt")}
    assert (layers["stem"].groups, layers["stem"].kind) == (1, "normal")
    assert (layers["dw1"].groups, layers["dw1"].kind, layers["dw1"].in_channels) == (
        8,
        "depthwise",
        8,
    )
    assert "inferred" in layers["dw1"].note
    assert (layers["pw1"].groups, layers["pw1"].kind) == (1, "pointwise")
    assert (layers["dw2"].groups, layers["dw2"].kind, layers["dw2"].in_channels) == (
        16,
        "depthwise",
        16,
    )
    np.testing.assert_array_equal(layers["dw2"].weights, BANKS[3][1])


def test_an_undecidable_bank_is_listed_with_its_reason_not_read_as_groups_1():
    odd = state_dict_layers(BANKS, "net.pt")[-1]
    assert not odd.available and odd.kind == "unavailable"
    assert "groups unknown" in odd.note


def test_a_first_layer_of_one_channel_filters_reads_one_channel():
    (first,) = state_dict_layers([("gray", bank(4, 1, 3, 3), None)], "g.pt")
    assert (first.groups, first.kind, first.in_channels) == (1, "normal", 1)


def test_given_groups_override_the_inference():
    layers = state_dict_layers(BANKS, "net.pt", {"odd": 4, "dw1": 1})
    by_name = {x.name: x for x in layers}
    assert (by_name["odd"].groups, by_name["odd"].kind) == (4, "depthwise")
    assert (by_name["dw1"].groups, by_name["dw1"].kind) == (1, "normal")
    with pytest.raises(ModelLoadError, match="does not divide"):
        state_dict_layers(BANKS, "net.pt", {"odd": 3})
    with pytest.raises(ModelLoadError, match="no layer named 'nope'"):
        state_dict_layers(BANKS, "net.pt", {"nope": 2})


class _Tensor:
    def __init__(self, array):
        self.array, self.shape = array, array.shape

    def detach(self):
        return self

    def to(self, _dtype):
        return self

    def numpy(self):
        return self.array


@pytest.fixture
def fake_torch(monkeypatch):
    """torch.load returning BANKS as tensors: the loader's wiring without installing torch."""
    state = {}
    for name, weights, bias in BANKS:
        state[name + ".weight"] = _Tensor(weights)
        if bias is not None:
            state[name + ".bias"] = _Tensor(bias)
    module = types.SimpleNamespace(float32="float32", load=lambda *a, **k: dict(state))
    monkeypatch.setitem(sys.modules, "torch", module)


def test_the_state_dict_loader_and_the_cli_use_the_inference_and_the_option(
    fake_torch, tmp_path, capsys
):
    path = tmp_path / "net.pt"
    path.write_bytes(b"not really a checkpoint")
    layers = {x.name: x for x in load_model(path).layers}
    assert layers["dw1"].kind == "depthwise" and not layers["odd"].available
    assert load_model(path, groups={"odd": 4}).layers[-1].groups == 4
    assert main([str(path), "--groups", "odd=4", "--input-size", "16x16"]) == 0
    assert main([str(path), "--groups", "odd=x"]) == 2
    assert "LAYER=G" in capsys.readouterr().err


def test_groups_for_a_file_that_stores_them_are_refused(tmp_path):
    path = tmp_path / "bank.npy"
    np.save(path, bank(2, 3, 3, 3))
    with pytest.raises(ModelLoadError, match="only for PyTorch"):
        load_model(path, groups={"bank": 1})
