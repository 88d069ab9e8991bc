"""A loaded image that is downscaled or has its transparency filled says so, once, in the
status bar: not silently, and not again on every frame."""

import cv2
import numpy as np
import pytest

from sepconv_gui.app import controller
from sepconv_gui.app.state import Design
from sepconv_gui.io import images
from sepconv_gui.io.images import downscale_note, load_image, working_size
from sepconv_gui.ui.shell.main_window import MainWindow


def write_png(path, height, width, alpha=None):
    rng = np.random.default_rng(13)
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    if alpha is not None:
        pixels = np.dstack([pixels, np.full((height, width), alpha, np.uint8)])
        pixels[: height // 4, : width // 4, 3] = 0  # a transparent corner
    assert cv2.imwrite(str(path), pixels)
    return path


def test_loading_says_when_transparency_was_filled(tmp_path):
    notes = []
    load_image(write_png(tmp_path / "a.png", 8, 8, alpha=255), notes=notes)
    assert notes == ["its transparency was filled with white (the alpha channel is not used)"]
    for name, alpha in (("opaque.png", None), ("solid_alpha.png", 255)):
        notes = []
        path = tmp_path / name
        pixels = np.full((8, 8, 4 if alpha else 3), 200, np.uint8)
        if alpha:
            pixels[:, :, 3] = alpha  # fully opaque
        cv2.imwrite(str(path), pixels)
        load_image(path, notes=notes)
        assert notes == [], name  # nothing was changed: nothing to say


def test_downscale_note_names_both_sizes():
    assert downscale_note((30, 40, 3), (30, 40, 3)) is None
    assert downscale_note((3000, 4000, 3), (1200, 1600, 3)).startswith(
        "downscaled from 4000×3000 to 1600×1200"
    )


BUDGET = 10_000  # pixels of the live views, lowered so the test image stays small


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(controller, "fit_for_live", lambda im: images.fit_for_live(im, BUDGET))
    w = MainWindow(design=Design(), synchronous=True, open_default=False)
    qtbot.addWidget(w)
    w.show()
    messages = []
    w.statusBar().messageChanged.connect(messages.append)
    yield w, messages
    w.close()


def test_a_large_transparent_image_is_reported_once(window, tmp_path, qtbot):
    w, messages = window
    height, width = 150, 200  # above the (lowered) live budget
    assert height * width > BUDGET
    path = write_png(tmp_path / "big.png", height, width, alpha=255)
    assert w.open_path(path)
    w.flush_display()
    new_h, new_w = working_size((height, width), BUDGET)
    notes = [m for m in messages if m.startswith("big.png:")]
    assert notes == [
        f"big.png: its transparency was filled with white (the alpha channel is not used); "
        f"downscaled from {width}×{height} to {new_w}×{new_h} so edits stay interactive "
        "(Source ▸ Still images at full resolution processes it whole)."
    ]
    assert w.statusBar().currentMessage() == notes[0]
    # Later frames of the same image (a new design, a re-measure) say nothing again.
    w.controller.set_design(w.controller.design.with_changes(out_channels=4))
    w.controller.remeasure()
    w.flush_display()
    assert [m for m in messages if m.startswith("big.png:")] == notes


def test_a_small_opaque_image_says_nothing(window, tmp_path):
    w, messages = window
    assert w.open_path(write_png(tmp_path / "small.png", 40, 60))
    w.flush_display()
    assert not [m for m in messages if m.startswith("small.png")]
