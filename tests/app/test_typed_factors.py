"""Typed 1-D factors are a design field: the spatial mode runs exactly them (no SVD in
between), they survive a version-2 file, and any other kernel edit drops them."""

import json

import numpy as np
import pytest

from sepconv_gui.app import pipeline
from sepconv_gui.app.state import Design, DesignError

COLUMN, ROW = (1.0, 4.0, 1.0), (0.5, 0.0, -0.5, 2.0)


def typed_design(**extra):
    kernel = tuple(tuple(c * r for r in ROW) for c in COLUMN)
    return Design(kernel=kernel, preset="custom", kernel_factors=(COLUMN, ROW), **extra)


def engine_inputs(monkeypatch, design):
    """What the spatial-separable engine call is given for ``design``."""
    seen = []

    def spy(image, column, row, **options):
        seen.append((np.array(column), np.array(row)))
        return real(image, column, row, **options)

    real = pipeline.spatial_separable_conv
    monkeypatch.setattr(pipeline, "spatial_separable_conv", spy)
    image = np.random.default_rng(91).random((9, 10, 3)).astype(np.float32)
    pipeline.run_design(image, design.with_changes(modes=("spatial",)))
    return seen[-1]


def test_the_spatial_mode_runs_the_typed_factors_exactly(monkeypatch):
    column, row = engine_inputs(monkeypatch, typed_design(spatial_rank=0))
    np.testing.assert_array_equal(column, [[1.0, 4.0, 1.0]])
    np.testing.assert_array_equal(row, [[0.5, 0.0, -0.5, 2.0]])
    # A rank setting cannot make an exact rank-1 pair any better: still as typed.
    column, row = engine_inputs(monkeypatch, typed_design(spatial_rank=2))
    np.testing.assert_array_equal(column, [[1.0, 4.0, 1.0]])


def test_without_typed_factors_the_svd_balances_them(monkeypatch):
    design = typed_design().with_changes(kernel_factors=None)
    column, _ = engine_inputs(monkeypatch, design)
    assert not np.array_equal(column, [[1.0, 4.0, 1.0]])  # the contrast the field exists for


def test_another_kernel_edit_drops_the_factors():
    design = typed_design()
    edited = design.with_changes(kernel=((1.0, 2.0), (3.0, 4.0)))
    assert edited.kernel_factors is None
    assert design.with_changes(spatial_rank=1).kernel_factors == (COLUMN, ROW)


def test_factors_survive_a_version_2_file_and_are_left_out_when_absent(tmp_path):
    design = typed_design()
    path = tmp_path / "typed.json"
    design.save(path)
    data = json.loads(path.read_text())
    assert data["version"] == 2 and data["kernel_factors"] == [list(COLUMN), list(ROW)]
    assert Design.from_file(path) == design
    assert "kernel_factors" not in json.loads(Design().to_json())


def test_factors_that_do_not_make_the_kernel_are_refused():
    text = (
        typed_design()
        .to_json()
        .replace('"kernel_factors": [[1.0, 4.0', '"kernel_factors": [[2.0, 4.0')
    )
    with pytest.raises(DesignError, match="not exactly outer"):
        Design.from_json(text)
    with pytest.raises(DesignError, match="two lists"):
        Design(kernel_factors=((1.0, 2.0, 1.0),))
