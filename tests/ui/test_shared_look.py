"""One look for equal data: every output view shares one mapping, so equal numbers render
as equal pixels, and colour-bar labels stay short for any range."""

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter

from sepconv_gui.app.pipeline import run_design
from sepconv_gui.app.state import Design
from sepconv_gui.ui.views.display import shared_look, tick_labels
from sepconv_gui.ui.views.image_panel import ImagePanel
from sepconv_gui.ui.views.result_views import ResultViews
from tests.ui.widgets import shown


@pytest.fixture
def views(qtbot):
    return shown(qtbot, ResultViews(), 900, 700)


def rendered(panel):
    """The image item's pixels as drawn (levels and colour map applied), and the bar's."""
    panel.graphics.grab()  # paints, which renders the item's QImage
    image = panel.item.qimage.convertToFormat(panel.item.qimage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    return pixels.reshape(image.height(), -1).copy()


def agreeing_result(design):
    """A real run with the separable outputs set to normal's exact values: the engine's modes
    agree to float rounding, and this test is about what the views do with equal numbers."""
    image = np.random.default_rng(21).random((36, 48, 3), dtype=np.float32)
    result = run_design(image, design)
    normal = result.results["normal"].output
    for mode in ("spatial", "depthwise"):
        conv = result.results[mode]
        np.testing.assert_allclose(conv.output, normal[:, :, : conv.output.shape[2]], atol=1e-4)
        conv.output = normal[:, :, : conv.output.shape[2]].copy()
    return result


@pytest.mark.parametrize(
    "design",
    [Design(grayscale=True), Design(), Design(grayscale=True, out_channels=1)],
    ids=["C=1,P=3", "C=3,P=3", "C=1,P=1"],
)
def test_equal_outputs_render_identical_pixels(views, design):
    views.show_result(agreeing_result(design))
    panels = [views.panels[mode] for mode in ("normal", "spatial", "depthwise")]
    first = rendered(panels[0])
    for panel in panels[1:]:
        np.testing.assert_array_equal(rendered(panel), first)
        assert panel.color_bar_shown == panels[0].color_bar_shown
        assert panel.levels == panels[0].levels


def test_one_channel_next_to_three_shows_one_channel_everywhere(views):
    views.show_result(agreeing_result(Design(grayscale=True)))
    normal = views.panels["normal"]
    # Spatial has one channel (C = 1), normal three: colour is not offered, so both show
    # channel 1 through the same colour map rather than an RGB image beside a colour map.
    assert normal.channel_box.itemText(0) == "ch 1" and normal.channel == 0
    assert normal.shown.ndim == 2 and normal.color_bar_shown


def test_a_per_view_mapping_overrides_only_that_view(views):
    views.show_result(agreeing_result(Design()))
    spatial, normal = views.panels["spatial"], views.panels["normal"]
    spatial.set_mapping("abs")
    assert spatial.mapping == "abs" and not spatial.shares_look
    assert normal.shares_look and normal.mapping == views.look.mapping == "signed"
    assert spatial.mapping_box.itemText(0) == "Shared"


def test_shared_levels_cover_every_output():
    small = np.full((4, 4, 1), -0.5, np.float32)
    large = np.full((4, 4, 3), 2.0, np.float32)
    large[0, 0] = -2.0
    look = shared_look([small, large])
    assert look.mapping == "signed" and not look.rgb
    assert look.levels == (-2.0, 2.0)
    assert shared_look([large, large]).rgb


@pytest.mark.parametrize("top", [1e-6, 3e-4, 1.0, 250.0, 7e4, 1e16])
def test_colour_bar_labels_stay_short_and_distinct(qtbot, top):
    panel = shown(qtbot, ImagePanel("x"), 300, 300)
    ramp = np.linspace(-top, top, 64 * 64, dtype=np.float64).reshape(64, 64)
    panel.show_array(ramp, fixed_mapping="signed")
    low, high = panel.color_bar.levels()
    assert high == pytest.approx(top, rel=0.05)
    axis = panel.color_bar.axis
    for spacing, values in axis.tickValues(low, high, 200):
        labels = axis.tickStrings(values, 1.0, spacing)
        assert all(len(label) <= 7 for label in labels), labels
        assert len(set(labels)) == len(labels), labels
        for value, label in zip(values, labels):
            assert float(label) == pytest.approx(value, abs=0.01 * spacing)
    # And they are drawn: pyqtgraph silently drops a label wider than the axis.
    image = QImage(400, 400, QImage.Format_ARGB32)
    painter = QPainter(image)
    _, _, texts = axis.generateDrawSpecs(painter)
    painter.end()
    assert len(texts) >= 3, [t[2] for t in texts]


def test_tick_labels_by_hand():
    assert tick_labels([0.0, 5e15, 1e16], 5e15) == ["0", "5e15", "1e16"]
    assert tick_labels([0.0, 2.5e15, 5e15], 2.5e15) == ["0", "2.5e15", "5.0e15"]
    assert tick_labels([-2e-6, 0.0, 2e-6], 2e-6) == ["-2e-6", "0", "2e-6"]
    assert tick_labels([0.0, 0.5, 1.0], 0.5) == ["0.0", "0.5", "1.0"]
    assert tick_labels([-200.0, 0.0, 200.0], 100.0) == ["-200", "0", "200"]
