"""The hostile-design corpus: every way a design file or value can be wrong is refused with a
DesignError naming what is wrong, and none of them escapes as another exception."""

import json
import os
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sepconv_gui.app.design_file import MAX_DEPTH
from sepconv_gui.app.state import Design, DesignError

HEADER = {"format": "sepconv-gui design", "version": 2}


def design_text(**fields_) -> str:
    return json.dumps({**HEADER, **fields_})


# (case name, file text, the words the message must contain)
CORPUS = [
    ("seed as text", design_text(pointwise_seed="abc"), "pointwise_seed"),
    ("seed as fraction", design_text(pointwise_seed=1.5), "pointwise_seed"),
    ("seed negative", design_text(pointwise_seed=-1), "pointwise_seed"),
    ("seed too big", design_text(pointwise_seed=2**64), "pointwise_seed"),
    ("flip as text", design_text(flip="no"), "flip"),
    ("grayscale as number", design_text(grayscale=1), "grayscale"),
    ("param as text", design_text(preset_params={"sigma": "abc"}), "preset_params['sigma']"),
    ("params as list", design_text(preset_params=[1, 2]), "preset_params"),
    ("param as bool", design_text(preset_params={"sigma": True}), "preset_params['sigma']"),
    ("param name empty", design_text(preset_params={"": 1}), "preset_params keys"),
    ("kernel rows as text", design_text(kernel=["121", "242", "121"]), "kernel row 0"),
    ("kernel as text", design_text(kernel="121"), "kernel must be a list"),
    ("kernel empty", design_text(kernel=[]), "kernel must have at least one row"),
    ("kernel empty row", design_text(kernel=[[]]), "kernel must be a rectangular"),
    ("kernel ragged", design_text(kernel=[[1, 2], [3]]), "kernel must be a rectangular"),
    ("kernel too tall", design_text(kernel=[[1]] * 32), "kernel has 32 rows"),
    ("kernel too wide", design_text(kernel=[[1] * 32]), "kernel row 0 has 32 values"),
    ("kernel number as text", design_text(kernel=[[1, "x"]]), "kernel[0][1]"),
    ("kernel beyond float32", design_text(kernel=[[1e308]]), "kernel[0][0] is beyond"),
    (
        "kernel overflow to inf",
        '{"format": "sepconv-gui design", "version": 1, "kernel": [[1e400]]}',
        "kernel[0][0] must be a finite",
    ),
    (
        "kernel NaN",
        '{"format": "sepconv-gui design", "version": 1, "kernel": [[NaN]]}',
        "kernel[0][0] must be a finite",
    ),
    ("kernel huge integer", design_text(kernel=[[10**300]]), "kernel[0][0] is beyond"),
    ("kernel bool", design_text(kernel=[[True]]), "kernel[0][0] must be a number"),
    ("modes empty", design_text(modes=[]), "modes must name at least one"),
    ("modes twice", design_text(modes=["normal", "normal"]), "modes names a mode twice"),
    ("modes as text", design_text(modes="normal"), "modes must be a list"),
    ("mode unknown", design_text(modes=["fast"]), "modes entry 'fast' is unknown"),
    ("multiplier zero", design_text(multiplier=0), "multiplier (the depth multiplier M)"),
    ("multiplier 17", design_text(multiplier=17), "multiplier (the depth multiplier M)"),
    ("multiplier float", design_text(multiplier=2.0), "multiplier"),
    ("multiplier text", design_text(multiplier="2"), "multiplier"),
    ("multiplier bool", design_text(multiplier=True), "multiplier"),
    ("out channels zero", design_text(out_channels=0), "out_channels"),
    ("out channels 513", design_text(out_channels=513), "out_channels"),
    ("pointwise unknown", design_text(pointwise="mystery"), "pointwise 'mystery'"),
    ("pointwise number", design_text(pointwise=3), "pointwise 3"),
    (
        "custom rows as text",
        design_text(pointwise_custom=["12"]),
        "pointwise_custom[0] must be a list",
    ),
    ("custom beyond float32", design_text(pointwise_custom=[[1e39]]), "pointwise_custom[0][0]"),
    ("custom too tall", design_text(pointwise_custom=[[0]] * 600), "pointwise_custom has 600"),
    ("rank negative", design_text(spatial_rank=-1), "spatial_rank"),
    ("rank 32", design_text(spatial_rank=32), "spatial_rank"),
    ("border unknown", design_text(border="mirror"), "border 'mirror'"),
    ("border as list", design_text(border=["reflect"]), "border ['reflect']"),
    ("algorithm unknown", design_text(algorithm="gpu"), "algorithm 'gpu'"),
    ("preset unknown", design_text(preset="nope"), "preset 'nope'"),
    ("preset number", design_text(preset=5), "preset must be a short name"),
    ("channels 257", design_text(channels=257), "channels (synthesized input channels C"),
    ("channels text", design_text(channels="8"), "channels (synthesized"),
    ("depthwise kind unknown", design_text(depthwise_kind="each"), "depthwise_kind 'each'"),
    ("per map without kernels", design_text(depthwise_kind="per_map"), "needs the kernels"),
    ("depthwise ragged", design_text(depthwise_custom=[[[1, 2]], [[1]]]), "depthwise_custom"),
    ("depthwise 2-D", design_text(depthwise_custom=[[1, 2]]), "depthwise_custom[0][0] must be"),
    ("depthwise text", design_text(depthwise_custom=[["12"]]), "depthwise_custom[0][0] must be"),
    (
        "depthwise 32 wide",
        design_text(depthwise_custom=[[[0] * 32]]),
        "depthwise_custom[0][0] has 32 entries",
    ),
    ("normal kind unknown", design_text(normal_kind="learned"), "normal_kind 'learned'"),
    ("normal seed fraction", design_text(normal_seed=0.5), "normal_seed"),
    ("file without bank", design_text(normal_kind="file"), "needs an imported bank"),
    ("bank inline", design_text(normal_bank=[[[[1]]]]), "unknown design keys: 'normal_bank'"),
    ("bank file number", design_text(normal_bank_file=3), "normal_bank_file must name an .npy"),
    ("junk key", design_text(junk={"a": [1, 2, 3]}), "unknown design keys: 'junk'"),
    ("typo key", design_text(multiplyer=2), "did you mean 'multiplier'"),
    ("version text", json.dumps({**HEADER, "version": "1"}), "version must be"),
    ("version bool", json.dumps({**HEADER, "version": True}), "version must be"),
    ("version zero", json.dumps({**HEADER, "version": 0}), "version must be"),
    ("version newer", json.dumps({**HEADER, "version": 99}), "version 99 is not supported"),
    ("no format", json.dumps({"version": 1}), "no 'format'"),
    ("not an object", "[1, 2]", "no 'format'"),
    ("not JSON", "{", "invalid JSON"),
    ("empty", "", "invalid JSON"),
    ("deep nesting", "[" * 100_000 + "]" * 100_000, "nested"),
    ("deep under a key", design_text(kernel=[[[[[[[[[1]]]]]]]]]), "nested deeper"),
    ("integer of 5000 digits", '{"a": ' + "9" * 5000 + "}", "not a design file"),
]


@pytest.mark.parametrize("text, words", [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_hostile_design_text_is_refused_naming_the_field(text, words):
    with pytest.raises(DesignError) as caught:
        Design.from_json(text)
    assert words in str(caught.value)


def test_nesting_within_the_limit_reaches_the_field_checks():
    text = design_text(kernel=[[1.0]], preset_params={"a": [[[[[[1]]]]]]})
    assert MAX_DEPTH >= 7
    with pytest.raises(DesignError, match=r"preset_params\['a'\] must be a number"):
        Design.from_json(text)


def test_byte_order_mark_is_accepted(tmp_path):
    text = Design(multiplier=2).to_json()
    assert Design.from_json("\ufeff" + text).multiplier == 2
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert Design.from_file(path) == Design(multiplier=2)


def test_file_over_the_cap_is_refused_from_its_size_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as stream:
        stream.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(DesignError, match=r"huge.json is 200.0 MB; .*limited to 16 MB"):
        Design.from_file(path)


def test_endless_stream_is_cut_at_the_cap():
    with pytest.raises(DesignError, match="larger than 16 MB"):
        Design.from_file(os.devnull if not os.path.exists("/dev/zero") else "/dev/zero")


def test_text_over_the_cap_is_refused():
    with pytest.raises(DesignError, match="16 MB"):
        Design.from_json(" " * (16 * 1024 * 1024 + 1))


def test_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(design_text(preset="sobel_x").encode() + b"\xff")
    with pytest.raises(DesignError, match="not UTF-8"):
        Design.from_file(path)


def test_file_round_trip(tmp_path):
    design = Design(multiplier=3, out_channels=5, pointwise="random", pointwise_seed=7)
    path = tmp_path / "d.json"
    path.write_text(design.to_json(), encoding="utf-8")
    assert Design.from_file(path) == design


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"pointwise_seed": "abc"}, "pointwise_seed"),
        ({"flip": "no"}, "flip"),
        ({"kernel": "121"}, "kernel must be a list"),
        ({"kernel": np.full((2, 2), np.inf)}, "kernel[0][0] must be a finite"),
        ({"preset_params": [("sigma", 1.0)]}, "preset_params"),
        ({"modes": ("normal", "normal")}, "modes names a mode twice"),
        ({"modes": ()}, "modes must name at least one"),
        ({"out_channels": 3.0}, "out_channels"),
    ],
)
def test_constructing_a_design_with_wrong_types_raises_design_error(changes, words):
    with pytest.raises(DesignError) as caught:
        Design(**changes)
    assert words in str(caught.value)
    with pytest.raises(DesignError):
        Design().with_changes(**changes)


def test_every_field_is_checked():
    # A field left out of validate() would let any object through; each must be refused.
    for f in fields(Design):
        with pytest.raises(DesignError, match=f.name):
            Design(**{f.name: object()})


def test_construction_stores_canonical_types():
    design = Design(
        kernel=np.eye(3, dtype=np.float32),
        modes=["depthwise", "normal"],
        pointwise_custom=[[1, 0, 0]] * 3,
        preset_params={"size": np.int64(5), "sigma": np.float32(1.5)},
        flip=np.bool_(True),
    )
    assert design.kernel == ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    assert all(type(x) is float for row in design.kernel for x in row)
    assert design.modes == ("depthwise", "normal")
    assert design.pointwise_custom.array.tolist() == [[1.0, 0.0, 0.0]] * 3
    assert design.pointwise_custom.array.dtype == np.float64
    assert design.preset_params == {"size": 5, "sigma": 1.5}
    assert type(design.preset_params["size"]) is int and design.flip is True
    assert Design.from_json(design.to_json()) == design


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from([f.name for f in fields(Design)] + ["junk"]), value=JSON_VALUES)
def test_any_json_value_in_any_field_loads_or_is_refused_cleanly(name, value):
    text = json.dumps({**HEADER, name: value})
    try:
        design = Design.from_json(text)
    except DesignError as error:
        assert name in str(error) or "nested" in str(error)
        return
    assert Design.from_json(design.to_json()) == design
