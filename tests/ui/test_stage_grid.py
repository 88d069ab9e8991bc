"""The stage grid: a thumbnail per map of every stage, paged, drawn only when visible."""

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QImage

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.engine import preset_kernel
from sepconv_gui.ui.views import stage_grid
from sepconv_gui.ui.views.comparison import stage_levels, thumbnail_size, to_rgb8
from sepconv_gui.ui.views.stage_grid import GRAY_LUT, PAGE_SIZE, SIGNED_LUT, StageGrid
from tests.ui.widgets import shown


@pytest.fixture(scope="module")
def image():
    # Larger than a thumbnail, at a non-whole scale (200 -> 128), so tiles really shrink.
    return np.random.default_rng(7).random((150, 200, 3)).astype(np.float32)


@pytest.fixture
def grid(qtbot):
    return shown(qtbot, StageGrid(), 900, 700)


def captions(section):
    return [tile.caption.text() for tile in section.visible_tiles]


def pixels(tile):
    """What the tile's label actually shows, as an (h, w, 3) uint8 array."""
    image = tile.image.pixmap().toImage().convertToFormat(QImage.Format_RGB888)
    height, width = image.height(), image.width()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    rows = data.reshape(height, image.bytesPerLine())[:, : 3 * width]
    return rows.reshape(height, width, 3).copy()  # the QImage goes when this returns


def test_depthwise_shows_every_input_depthwise_map_and_pointwise_output(grid, image):
    result = run_design(image, Design(multiplier=2, out_channels=5, pointwise="random"))
    grid.set_mode("depthwise")
    grid.show_result(result)
    assert captions(grid.section("input")) == ["c1 (R)", "c2 (G)", "c3 (B)"]
    assert captions(grid.section("depthwise")) == [
        "c1·m1",
        "c1·m2",
        "c2·m1",
        "c2·m2",
        "c3·m1",
        "c3·m2",
    ]
    assert captions(grid.section("pointwise")) == ["p1", "p2", "p3", "p4", "p5"]
    assert "C·M = 3·2 = 6" in grid.section("depthwise").heading.text()
    assert "P = 5" in grid.section("pointwise").heading.text()
    assert grid.section("pointwise").prev_button.isHidden()  # one page: no page controls


def test_normal_and_spatial_sections(grid, image):
    laplacian = tuple(map(tuple, preset_kernel("laplacian", 5)))
    result = run_design(
        image,
        Design(
            kernel=laplacian, preset="laplacian", spatial_rank=2, out_channels=4, pointwise="random"
        ),
    )
    grid.set_mode("normal")
    grid.show_result(result)
    assert [s.spec.key for s in grid.sections if not s.isHidden()] == ["input", "normal"]
    assert captions(grid.section("normal")) == ["p1", "p2", "p3", "p4"]
    assert "sum over all C = 3 input channels" in grid.section("normal").heading.text()
    grid.set_mode("spatial")  # the user's pick redraws at once
    assert [s.spec.key for s in grid.sections if not s.isHidden()] == [
        "input",
        "vertical",
        "horizontal",
    ]
    assert captions(grid.section("vertical")) == [
        f"pair {i} · c{c}" for i in (1, 2) for c in (1, 2, 3)
    ]
    assert captions(grid.section("horizontal")) == ["c1", "c2", "c3"]


def test_thumbnails_are_the_stage_shrunk_with_inter_area_under_its_mapping(grid, image):
    result = run_design(image, Design(multiplier=2, out_channels=5, pointwise="random"))
    grid.show_result(result)
    for key, lut in (("input", GRAY_LUT), ("depthwise", SIGNED_LUT), ("pointwise", SIGNED_LUT)):
        section = grid.section(key)
        stage = section.spec.array
        assert section.mapping == ("clip" if key == "input" else "signed")
        size = thumbnail_size(*stage.shape[:2])
        assert size == (128, 96)
        expected = np.stack(
            [
                cv2.resize(np.ascontiguousarray(stage[:, :, k]), size, interpolation=cv2.INTER_AREA)
                for k in range(stage.shape[2])
            ],
            axis=2,
        )
        assert section.levels == pytest.approx(stage_levels(expected, section.mapping))
        for k, tile in enumerate(section.visible_tiles):
            np.testing.assert_allclose(tile.array, expected[:, :, k], rtol=0, atol=1e-6)
            shown = pixels(tile)
            assert shown.shape == (96, 128, 3)
            np.testing.assert_array_equal(shown, to_rgb8(tile.array, section.levels, lut))
            wanted = to_rgb8(expected[:, :, k], section.levels, lut).astype(int)
            assert np.abs(shown.astype(int) - wanted).max() <= 1  # float rounding at most
        assert any(np.ptp(pixels(tile)) > 100 for tile in section.visible_tiles)  # not blank


def test_64_outputs_page_and_only_the_visible_page_is_shrunk(grid, image, monkeypatch):
    calls = []
    shrink = stage_grid.thumbnails

    def recording(stage, start, stop, *args, **kwargs):
        calls.append((stage.shape[2], start, stop))
        return shrink(stage, start, stop, *args, **kwargs)

    monkeypatch.setattr(stage_grid, "thumbnails", recording)
    result = run_design(image, Design(out_channels=64, pointwise="random", modes=("normal",)))
    grid.set_mode("normal")
    grid.show_result(result)
    section = grid.section("normal")
    assert PAGE_SIZE == 16 and section.pages == 4
    assert section.page_label.text() == "page 1 of 4" and not section.prev_button.isEnabled()
    assert (64, 0, 16) in calls and all(stop - start <= PAGE_SIZE for _, start, stop in calls)
    calls.clear()
    section.next_button.click()
    assert section.page_label.text() == "page 2 of 4"
    assert captions(section) == [f"p{k}" for k in range(17, 33)]
    assert calls == [(64, 16, 32)]
    out = result.results["normal"].output
    np.testing.assert_allclose(
        section.visible_tiles[0].array,
        cv2.resize(np.ascontiguousarray(out[:, :, 16]), (128, 96), interpolation=cv2.INTER_AREA),
        rtol=0,
        atol=1e-6,
    )
    section.turn(5)  # clamps at the last page
    assert section.page_label.text() == "page 4 of 4" and not section.next_button.isEnabled()
    assert captions(section)[-1] == "p64" and len(section.visible_tiles) == 16
    assert [tile.caption.text() for tile in grid.section("input").visible_tiles] == [
        "c1 (R)",
        "c2 (G)",
        "c3 (B)",
    ]


def test_a_hidden_grid_draws_nothing_until_it_is_shown(qtbot, image, monkeypatch):
    calls = []
    monkeypatch.setattr(
        stage_grid, "thumbnails", lambda *args, **kw: calls.append(args) or np.zeros((1, 1, 0))
    )
    widget = StageGrid()
    qtbot.addWidget(widget)
    widget.show_result(run_design(image, Design()))
    widget.set_mode("normal")
    assert calls == [] and widget.pending and all(s.isHidden() for s in widget.sections)
    monkeypatch.undo()
    widget.show()
    assert not widget.pending
    assert captions(widget.section("normal")) == ["p1", "p2", "p3"]


def test_live_results_are_throttled_and_the_newest_wins(qtbot, grid, image):
    first = run_design(image, Design(out_channels=2, pointwise="random", modes=("depthwise",)))
    newest = run_design(image, Design(out_channels=7, pointwise="random", modes=("depthwise",)))
    grid.show_result(first)
    assert captions(grid.section("pointwise")) == ["p1", "p2"]
    grid.show_result(newest)  # within REFRESH_MS of the first: waits
    assert grid.pending and len(grid.section("pointwise").visible_tiles) == 2
    qtbot.waitUntil(lambda: not grid.pending, timeout=2000)
    assert len(grid.section("pointwise").visible_tiles) == 7


def test_a_mode_that_did_not_run_says_so(grid, image):
    grid.set_mode("spatial")
    grid.show_result(run_design(image, Design(modes=("normal", "depthwise"))))
    assert "not enabled" in grid.status.text()
    assert all(section.isHidden() for section in grid.sections)


def test_only_the_throttle_decides_what_is_pending(grid):
    # Views report a direct draw through mark_drawn(); writing the flag from outside would
    # let a view skip the shared throttle's bookkeeping unnoticed.
    with pytest.raises(AttributeError):
        grid._throttle.pending = False
