"""During a drag the pipeline gets the newest design once it has answered the last one; the
heat map paints its cells itself (what kept a 31×31 drag smooth) and paints them right."""

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from sepconv_gui.app.state import Design
from sepconv_gui.ui.design.kernel_grid import KernelGrid
from sepconv_gui.ui.design.pacing import DesignPacer


@pytest.fixture
def pacer(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    sent = []
    pacer = DesignPacer(widget, sent.append)
    pacer.widget = widget  # the rate limiter holds its widget weakly: keep it alive here
    return pacer, sent


def designs(n):
    return [Design(out_channels=p) for p in range(1, n + 1)]


def test_outside_a_drag_every_edit_goes_at_once(pacer):
    pacer, sent = pacer
    d = designs(3)
    for design in d:
        pacer.submit(design)
    assert sent == d


def test_during_a_drag_only_the_newest_goes_and_only_after_an_answer(pacer):
    pacer, sent = pacer
    d = designs(5)
    pacer.start_drag()
    pacer.submit(d[0])
    assert sent == [d[0]]
    pacer.submit(d[1])
    pacer.submit(d[2])
    pacer.throttle.catch_up()  # the rate limiter's interval ends before the answer came
    assert sent == [d[0]]
    assert pacer.waiting == d[2]
    pacer.answered()
    assert sent == [d[0], d[2]]  # d[1] was overtaken: never sent
    pacer.submit(d[3])
    pacer.submit(d[4])
    pacer.end_drag()  # the drag's last design goes at once, answered or not
    assert sent == [d[0], d[2], d[4]]
    assert pacer.waiting is None


def test_cells_are_painted_in_their_colours(qtbot):
    grid = KernelGrid()
    qtbot.addWidget(grid)
    grid.set_kernel(np.array([[1.0, 0.0, -1.0]]))
    grid.show()
    qtbot.waitExposed(grid)
    image = grid.viewport().grab().toImage()
    centres = [grid.visualRect(grid.model().index(0, j)).center() for j in range(3)]
    # Off the centre, where a number would be drawn.
    colours = [image.pixelColor(c.x(), c.y() - grid.cell // 3) for c in centres]
    red, white, blue = colours
    assert red.red() > 150 > red.blue()
    assert white.red() > 240 and white.blue() > 240
    assert blue.blue() > 150 > blue.red()
