"""The window fits a laptop screen: view titles shorten instead of being cut, every timing
plot is inside the dock, and no legend sits on the data."""

import pytest

from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.views.image_panel import ImagePanel


def test_a_long_title_ends_in_an_ellipsis_in_a_narrow_panel(qtbot):
    panel = ImagePanel("Depthwise-separable")
    qtbot.addWidget(panel)
    panel.resize(220, 200)
    panel.show()
    qtbot.waitExposed(panel)
    shown = panel.title.text()
    assert shown.endswith("…") and "Depthwise-separable".startswith(shown[:-1])
    assert panel.title.full_text() == panel.title.toolTip() == "Depthwise-separable"
    panel.resize(900, 200)
    qtbot.waitUntil(lambda: panel.title.text() == "Depthwise-separable")


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_timing_plots_fit_the_dock_without_legends_on_the_data(qtbot, size):
    window = MainWindow(synchronous=True)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.timing_dock.raise_()
    qtbot.waitExposed(window)
    plots = window.timing_plots
    qtbot.waitUntil(lambda: plots.graphics.width() > 100)
    view_width = plots.graphics.viewport().width()
    for plot in plots._plots():
        assert plot.legend is None  # the legend line above the plots names the curves
        right = plot.mapRectToScene(plot.boundingRect()).right()
        assert right <= view_width + 1, (plot.titleLabel.text, right, view_width)
    assert "Depthwise-separable" in plots.legend.text()
    window.close()
