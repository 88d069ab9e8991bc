"""The Design dock's stride and dilation boxes: an edit is one undoable step, and a design
with a non-square grid shows both numbers."""

from __future__ import annotations

from sepconv_gui.app.state import Design


def test_stride_and_dilation_boxes_edit_the_design_undoably(qtbot):
    from sepconv_gui.ui.shell.main_window import MainWindow

    window = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(window)
    designer = window.channel_designer
    steps = window.history.stack.count()
    designer.stride.setValue(2)
    assert window.controller.design.stride == (2, 2)
    designer.dilation.setValue(3)
    assert window.controller.design.dilation == (3, 3)
    assert window.history.stack.count() == steps + 2
    assert window.history.stack.undoText() == "Change dilation"
    window.history.stack.undo()
    assert window.controller.design.dilation == (1, 1) and designer.dilation.value() == 1
    window.close()


def test_a_non_square_grid_shows_both_numbers(qtbot):
    from sepconv_gui.ui.design.channel_designer import ChannelDesigner

    designer = ChannelDesigner()
    qtbot.addWidget(designer)
    with qtbot.assertNotEmitted(designer.changed):
        designer.set_design(Design(stride=(2, 3), dilation=2))
    assert designer.stride.text() == "stride 2 × 3"
    assert designer.dilation.text() == "dilation 2"
