"""Stride and dilation as design options: validated, saved only when not 1, run by every mode."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design, DesignError
from sepconv_gui.engine import reference as ref


def test_one_number_means_both_and_pairs_are_kept():
    assert Design(stride=2).stride == (2, 2)
    assert Design(stride=[2, 3], dilation=(3, 1)).dilation == (3, 1)
    assert Design().stride == Design().dilation == (1, 1)


@pytest.mark.parametrize("value", [0, 9, -1, 1.5, True, [1, 2, 3], "2", None, [2, "3"]])
def test_bad_values_are_refused_naming_the_field(value):
    for name in ("stride", "dilation"):
        with pytest.raises(DesignError, match=name):
            Design(**{name: value})


def test_saved_only_when_not_one_and_read_back(tmp_path):
    assert "stride" not in json.loads(Design().to_json())
    assert "dilation" not in json.loads(Design().to_json())
    design = Design(stride=(2, 3), dilation=2)
    data = json.loads(design.to_json())
    assert (data["stride"], data["dilation"], data["version"]) == ([2, 3], [2, 2], 2)
    path = tmp_path / "grid.json"
    design.save(path)
    assert Design.from_file(path) == design


@pytest.mark.parametrize("text", ['"stride": 0', '"dilation": 9', '"stride": true'])
def test_a_file_with_a_bad_grid_is_refused(text):
    body = '{"format": "sepconv-gui design", "version": 2, ' + text + "}"
    with pytest.raises(DesignError, match="stride|dilation"):
        Design.from_json(body)


def test_every_mode_runs_at_the_designs_grid():
    image = np.random.default_rng(3).random((11, 14, 3)).astype(np.float32) * 255
    design = Design(stride=2, dilation=(1, 2), out_channels=4, pointwise="random")
    result = run_design(image, design)
    grid = {"stride": (2, 2), "dilation": (1, 2)}
    want = {
        "normal": ref.normal(image, design.normal_weights(3), design.border, **grid),
        "spatial": ref.spatial(image, *design.spatial_factors(), design.border, **grid),
        "depthwise": ref.depthwise(
            image, design.depthwise_kernels(3), design.pointwise_weights(3), design.border, **grid
        )[1],
    }
    for mode, expected in want.items():
        assert expected.shape[:2] == (6, 7)
        np.testing.assert_allclose(result.results[mode].output, expected, atol=1e-2)


def test_the_memory_preflight_asks_for_the_designs_grid(monkeypatch):
    from sepconv_gui import engine
    from sepconv_gui.app.processing import preflight

    asked = []

    def estimate_memory(*args, **options):
        asked.append(options)
        return 1

    monkeypatch.setattr(engine, "estimate_memory", estimate_memory)
    assert preflight(Design(stride=2, dilation=(1, 3)), (30, 40, 3)) is None
    assert asked and all(o["stride"] == (2, 2) and o["dilation"] == (1, 3) for o in asked)
