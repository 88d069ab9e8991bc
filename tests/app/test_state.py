import json

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design, DesignError
from sepconv_gui.engine import preset_kernel


def test_default_design_makes_all_three_modes_agree():
    image = np.random.default_rng(0).random((40, 50, 3)).astype(np.float32)
    result = run_design(image, Design())
    outputs = {mode: r.output for mode, r in result.results.items()}
    assert set(outputs) == {"normal", "spatial", "depthwise"}
    np.testing.assert_allclose(outputs["spatial"], outputs["normal"], atol=1e-5)
    np.testing.assert_allclose(outputs["depthwise"], outputs["normal"], atol=1e-5)
    assert np.abs(outputs["normal"]).max() > 0.1


@pytest.mark.parametrize(
    "multiplier, out_channels, pointwise", [(2, 5, "random"), (3, 4, "average"), (1, 8, "identity")]
)
def test_normal_runs_the_bank_the_depthwise_design_equals(multiplier, out_channels, pointwise):
    design = Design(
        multiplier=multiplier,
        out_channels=out_channels,
        pointwise=pointwise,
        kernel=tuple(map(tuple, preset_kernel("gabor", 5))),
        preset="gabor",
        modes=("normal", "depthwise"),
    )
    image = np.random.default_rng(1).random((30, 31, 3)).astype(np.float32)
    result = run_design(image, design)
    assert result.results["depthwise"].stages["depthwise"].shape == (30, 31, 3 * multiplier)
    np.testing.assert_allclose(
        result.results["depthwise"].output, result.results["normal"].output, atol=1e-4
    )


def test_forced_rank_one_differs_from_exact_for_a_laplacian():
    kernel = tuple(map(tuple, preset_kernel("laplacian", 3)))
    image = np.random.default_rng(2).random((20, 20, 3)).astype(np.float32)
    exact = run_design(image, Design(kernel=kernel, preset="laplacian", spatial_rank=0))
    forced = run_design(image, Design(kernel=kernel, preset="laplacian", spatial_rank=1))
    np.testing.assert_allclose(
        exact.results["spatial"].output, exact.results["normal"].output, atol=1e-5
    )
    error = np.abs(forced.results["spatial"].output - forced.results["normal"].output).max()
    assert error > 0.05


def test_grayscale_input_has_one_channel():
    image = np.random.default_rng(3).random((10, 12, 3)).astype(np.float32)
    result = run_design(image, Design(grayscale=True, out_channels=2, multiplier=2))
    assert result.image.shape == (10, 12, 1)
    assert result.results["normal"].output.shape == (10, 12, 2)


def test_json_round_trip_keeps_every_field():
    design = Design(
        multiplier=2,
        out_channels=7,
        pointwise="custom",
        pointwise_custom=tuple(tuple(float(i + j) for j in range(6)) for i in range(7)),
        border="wrap",
        flip=True,
        algorithm="fft",
        modes=("spatial",),
        preset_params={"sigma": 2.5},
        spatial_rank=2,
        grayscale=False,
    )
    assert Design.from_json(design.to_json()) == design
    assert json.loads(design.to_json())["version"] == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "invalid JSON"),
        ("[]", "no 'format'"),
        ('{"format": "sepconv-gui design", "version": 99}', "version 99 is not supported"),
        ('{"format": "sepconv-gui design", "version": 1, "multiplier": 0}', "depth multiplier M"),
        (
            '{"format": "sepconv-gui design", "version": 1, "kernel": [[1, "x"]]}',
            r"kernel\[0\]\[1\]",
        ),
        ('{"format": "sepconv-gui design", "version": 1, "border": "mirror"}', "border 'mirror'"),
    ],
)
def test_bad_design_files_are_refused_clearly(text, message):
    with pytest.raises(DesignError, match=message):
        Design.from_json(text)


def test_custom_pointwise_of_the_wrong_shape_is_explained():
    design = Design(pointwise="custom", pointwise_custom=((1.0, 0.0),))
    with pytest.raises(DesignError, match=r"needs \(3, 3\) = \(P, C\*M\)"):
        design.pointwise_weights(3)


def test_source_specs_parse_and_refuse_clearly():
    from sepconv_gui.app.source_specs import SourceSpec, make_source

    pattern = make_source(SourceSpec.parse("pattern:320x200@60"))
    assert pattern.size == (320, 200) and pattern.fps == 60
    assert make_source(SourceSpec.parse("pattern:")).size == (640, 480)
    with pytest.raises(ValueError, match="should look like 640x480"):
        make_source(SourceSpec.parse("pattern:big"))
    with pytest.raises(ValueError, match="frame rate"):
        make_source(SourceSpec.parse("pattern:320x200@fast"))
    with pytest.raises(ValueError, match="not understood"):
        SourceSpec.parse("webcam:0")
    with pytest.raises(ValueError, match="device number"):
        make_source(SourceSpec.parse("camera:front"))
