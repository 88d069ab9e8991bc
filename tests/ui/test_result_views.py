"""The central views: what each panel shows equals the engine's output under its mapping."""

import numpy as np
import pytest

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.engine import MODES
from sepconv_gui.ui.views.display import map_for_display, shared_look
from sepconv_gui.ui.views.result_views import ResultViews
from tests.ui.widgets import shown


def still(channels=3):
    rng = np.random.default_rng(7)
    return rng.random((36, 48, channels), dtype=np.float32)


@pytest.fixture
def views(qtbot):
    return shown(qtbot, ResultViews(), 900, 700)


@pytest.mark.parametrize("mode", MODES)
def test_each_view_shows_the_engine_output_under_its_mapping(views, mode):
    result = run_design(still(), Design(modes=(mode,)))
    views.show_result(result)
    assert list(views.panels) == ["input", mode]
    panel = views.panels[mode]
    output = result.results[mode].output
    # Sobel on an RGB still: three signed channels, shown as colour centred on grey.
    assert panel.channel is None and panel.mapping == "signed"
    limit = map_for_display(output, "signed")[1][1]
    assert limit <= np.abs(output).max()
    np.testing.assert_allclose(panel.shown, np.clip(0.5 + 0.5 * output / limit, 0, 1), rtol=1e-6)
    np.testing.assert_array_equal(views.panels["input"].shown, np.clip(result.image, 0, 1))
    for mapping in ("abs", "normalize", "clip"):
        panel.set_mapping(mapping)
        expected, levels = map_for_display(output, mapping)
        np.testing.assert_array_equal(panel.shown, expected)
        assert panel.levels == levels


def test_many_channels_get_a_channel_picker_and_a_colour_bar(views):
    result = run_design(still(), Design(out_channels=5, pointwise="random"))
    views.show_result(result)
    panel = views.panels["depthwise"]
    labels = [panel.channel_box.itemText(i) for i in range(panel.channel_box.count())]
    assert labels == ["ch 1", "ch 2", "ch 3", "ch 4", "ch 5"]
    assert not panel.channel_box.isHidden()
    panel.set_channel(3)
    output = result.results["depthwise"].output[:, :, 3]
    # The shared look: levels over every output, so channel 3 reads on the same scale as
    # any channel of any other view.
    look = shared_look([conv.output for conv in result.results.values()])
    assert panel.mapping == look.mapping == "signed" and views.look == look
    np.testing.assert_array_equal(panel.shown, output)
    assert panel.color_bar_shown
    assert panel.color_bar.levels() == pytest.approx(look.levels)
    # The choice survives the next frame, and so does a pinned mapping.
    panel.set_mapping("abs")
    views.show_result(run_design(still(), Design(out_channels=5, pointwise="random")))
    assert panel.channel == 3 and panel.mapping == "abs"
    np.testing.assert_array_equal(panel.shown, np.abs(output))


def test_rgb_outputs_show_colour_without_a_colour_bar(views):
    views.show_result(
        run_design(still(), Design(preset="gaussian", kernel=((0.25, 0.5, 0.25),) * 3))
    )
    panel = views.panels["normal"]
    assert panel.channel_box.itemText(0) == "RGB" and panel.channel is None
    assert panel.shown.ndim == 3 and not panel.color_bar_shown
    panel.set_channel(1)
    assert panel.shown.ndim == 2 and panel.color_bar_shown


def test_panels_keep_their_choices_when_other_modes_come_and_go(views):
    views.show_result(run_design(still(), Design()))
    views.panels["spatial"].set_mapping("abs")
    views.show_result(run_design(still(), Design(modes=("spatial",))))
    assert list(views.panels) == ["input", "spatial"]
    assert views.panels["spatial"].mapping == "abs"


def test_zoom_moves_every_view_together(views, qtbot):
    # Colour and single-channel panels side by side: views must still show the same region.
    views.show_result(run_design(still(), Design(out_channels=5, pointwise="random")))
    qtbot.wait(50)
    before = views.views[0].viewRange()
    views.zoom(2.0)
    ranges = [view.viewRange() for view in views.views]
    assert ranges[0] != before
    for other in ranges[1:]:
        np.testing.assert_allclose(other, ranges[0])
    views.reset_view()
    qtbot.wait(50)
    sizes = {tuple(np.round(view.size().toTuple(), 3)) for view in views.views}
    assert len(sizes) == 1
    (x0, x1), (y0, y1) = views.views[0].viewRange()
    assert x0 <= 0 and x1 >= 48 and y0 <= 0 and y1 >= 36  # the whole image is in view


def test_a_result_that_arrives_before_the_window_is_shown_is_still_fitted(qtbot):
    widget = ResultViews()
    qtbot.addWidget(widget)
    widget.show_result(run_design(still(), Design()))  # no size yet
    widget.resize(800, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.views[0].viewRange()[0][1] >= 48)
    for view in widget.views:
        (x0, x1), (y0, y1) = view.viewRange()
        assert x0 <= 0 and x1 >= 48 and y0 <= 0 and y1 >= 36


def test_a_new_image_size_is_fitted_again(views, qtbot):
    views.show_result(run_design(still(), Design()))
    qtbot.wait(20)
    bigger = np.random.default_rng(3).random((120, 200, 3), dtype=np.float32)
    views.show_result(run_design(bigger, Design()))
    qtbot.wait(20)
    (x0, x1), (y0, y1) = views.views[0].viewRange()
    assert x0 <= 0 and x1 >= 200 and y0 <= 0 and y1 >= 120


@pytest.mark.parametrize("shape", [(240, 320, 3), (720, 1280, 3), (30, 40, 4)])
def test_signed_levels_look_at_every_channel(shape):
    # Only the last channel has large values; a sample that skipped it would say 1.
    array = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    array[:, :, -1] *= 50
    limit = map_for_display(array, "signed")[1][1]
    assert 45 <= limit <= 51


def test_mappings_ignore_non_finite_values():
    array = np.array([[0.0, -2.0], [np.inf, np.nan]], dtype=np.float32)
    for mapping in ("signed", "abs", "normalize"):
        _, (low, high) = map_for_display(array, mapping)
        assert np.isfinite(low) and np.isfinite(high) and high > low


def test_auto_mapping_follows_the_channel_and_the_bar_its_levels(views):
    image = still()
    views.show_result(run_design(image, Design(modes=("depthwise",))))
    panel = views.panels["depthwise"]
    blur_and_edges = np.dstack([image[:, :, 0], image[:, :, 1] - 0.5, image[:, :, 2]])
    panel.show_array(blur_and_edges)
    panel.set_channel(0)
    assert panel.mapping == "clip" and panel.color_bar.levels() == pytest.approx((0, 1))
    panel.set_channel(1)  # values around zero: an edge-like map
    assert panel.mapping == "signed"
    assert panel.color_bar.levels() == pytest.approx(panel.levels)
    panel.set_channel(None)  # RGB: bar hidden
    panel.set_channel(0)
    assert panel.levels == (0.0, 1.0)
    assert panel.color_bar.levels() == pytest.approx((0, 1))


def test_strided_outputs_cover_the_input_pixels_they_stand_for(views):
    image = still()  # 36 x 48
    result = run_design(image, Design(stride=(2, 3)))
    views.show_result(result)
    assert result.results["normal"].output.shape[:2] == (18, 16)
    for name, panel in views.panels.items():
        rect = panel.item.mapRectToParent(panel.item.boundingRect())
        # Every view spans the input's 48 x 36 pixels: linked zoom shows the same region.
        assert (rect.width(), rect.height()) == (48, 36), name
    assert views.panels["normal"].detail.text().endswith("P = 3 · 16×18")  # its own size
