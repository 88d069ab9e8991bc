"""The sample images bundled with the app, and which one it opens on.

They live in the repository's ``resources/images`` and travel into a wheel or bundle as
package data; :mod:`sepconv_gui.assets` finds them either way. ``resources/tools/make_samples.py``
regenerates them; ``resources/images/README.md`` names each file's source and licence.
"""

from __future__ import annotations

from pathlib import Path

from sepconv_gui.assets import resource_path

SAMPLES_DIR = resource_path("images")

DEFAULT_SAMPLE = "coffee.png"
"""A photograph: smooth porcelain, coarse wood grain and hard elliptical rims in one frame,
so blur, edge and depthwise colour effects all show on the first screen."""


def bundled_samples() -> list[Path]:
    """Every bundled sample PNG, sorted by file name; empty if none are installed."""
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() == ".png" and p.is_file())


def default_sample() -> Path:
    """The image the app opens on: :data:`DEFAULT_SAMPLE`, or the first sample if it is gone.

    Raises
    ------
    FileNotFoundError
        No sample is installed at all, which means a broken installation.
    """
    preferred = SAMPLES_DIR / DEFAULT_SAMPLE
    if preferred.is_file():
        return preferred
    samples = bundled_samples()
    if not samples:
        raise FileNotFoundError(f"no bundled sample images in {SAMPLES_DIR}")
    return samples[0]
