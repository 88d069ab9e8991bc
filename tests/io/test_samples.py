"""Bundled samples: present, small, loadable, documented, and reproducible by the script."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sepconv_gui.io import patterns, samples
from sepconv_gui.io.images import load_image
from sepconv_gui.io.samples import SAMPLES_DIR, bundled_samples, default_sample

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = {"zone_plate.png", "siemens_star.png", "edges_chart.png"}
PHOTOS = {"coffee.png", "chelsea.png"}


def load_script():
    spec = importlib.util.spec_from_file_location(
        "make_samples", ROOT / "resources" / "tools" / "make_samples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_sample_is_bundled_small_and_loads():
    found = bundled_samples()
    assert {p.name for p in found} == SYNTHETIC | PHOTOS
    assert found == sorted(found)
    for path in found:
        assert path.stat().st_size < 500_000, path.name
        image = load_image(path)
        assert image.shape[0] <= 480 and image.shape[1] <= 640, path.name
        assert np.ptp(image) > 0.5, path.name  # real contrast, not a blank file


def test_default_sample_is_the_colour_photograph():
    path = default_sample()
    assert path.name == "coffee.png"
    assert load_image(path).shape == (400, 600, 3)


def test_samples_are_read_from_the_top_level_resources_folder():
    # Run from the work tree (the suite's case): the repository's own resources/images.
    assert SAMPLES_DIR == ROOT / "resources" / "images"


def test_readme_names_source_and_licence_of_every_sample():
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for path in bundled_samples():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{path.name}`"))
        licence = "CC0" if path.name in PHOTOS else "MIT"
        assert licence in row, path.name


def test_default_sample_falls_back_and_reports_a_broken_install(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "SAMPLES_DIR", tmp_path / "missing")
    assert bundled_samples() == []
    with pytest.raises(FileNotFoundError):
        default_sample()
    monkeypatch.setattr(samples, "SAMPLES_DIR", tmp_path)
    for name in ("b.png", "a.PNG", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in bundled_samples()] == ["a.PNG", "b.png"]
    assert default_sample().name == "a.PNG"


def test_script_regenerates_the_synthetic_samples_pixel_for_pixel(tmp_path, capsys):
    script = load_script()
    assert script.main(["--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == SYNTHETIC  # photos need --photos-from
    for name in SYNTHETIC:
        np.testing.assert_array_equal(load_image(tmp_path / name), load_image(SAMPLES_DIR / name))
    assert "zone_plate.png" in capsys.readouterr().out


def test_script_refuses_a_photo_whose_licence_was_not_checked(tmp_path):
    script = load_script()
    (tmp_path / "coffee.png").write_bytes(b"some other picture")
    with pytest.raises(SystemExit, match="not the file whose licence was checked"):
        script.photo_png(tmp_path / "coffee.png")


def test_synthetic_generators_are_deterministic_and_in_range():
    for make in (patterns.zone_plate, patterns.siemens_star, patterns.edges_chart):
        a, b = make(60, 80), make(60, 80)
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32 and a.shape[:2] == (60, 80)
        assert a.min() >= 0.0 and a.max() <= 1.0
    star = patterns.siemens_star(101, 101, spokes=8)

    def at(degrees: float) -> float:  # 30 px from the centre pixel (50, 50)
        angle = np.radians(degrees)
        return star[round(50 + 30 * np.sin(angle)), round(50 + 30 * np.cos(angle))]

    # Sectors are 22.5 degrees wide and alternate; the star is point-symmetric.
    assert at(11.25) > 0.95 and at(33.75) < 0.05 and at(191.25) > 0.95
    assert star[0, 0] == pytest.approx(0.5)  # grey surround outside the star
    with pytest.raises(ValueError):
        patterns.siemens_star(10, 10, spokes=0)
