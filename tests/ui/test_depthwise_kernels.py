"""Per-channel and per-map depthwise kernels edited in the design dock reach the engine
exactly (checked against hand-built stacks), every step undoes, and the UI says which turn
each of the M maps gets."""

import numpy as np
import pytest

from sepconv_gui.app import pipeline
from sepconv_gui.app.state import Design
from sepconv_gui.ui.shell.main_window import MainWindow

SX = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
SY = np.array([[1.0, 2, 1], [0, 0, 0], [-1, -2, -1]])  # Sobel x a quarter turn clockwise


@pytest.fixture
def window(qtbot, monkeypatch):
    seen = []
    real = pipeline.depthwise_separable_conv

    def spy(image, kernels, pointwise, **options):
        seen.append(np.array(kernels))
        return real(image, kernels, pointwise, **options)

    monkeypatch.setattr(pipeline, "depthwise_separable_conv", spy)
    w = MainWindow(design=Design(), synchronous=True)  # Sobel x on R, G, B
    w.engine_kernels = lambda: seen[-1]
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def pick(window, combo, text):
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def gaussian_7x7():
    g = np.exp(-(np.arange(-3.0, 4.0) ** 2) / 2)  # sigma 1 sized 2*ceil(3 sigma)+1
    return np.outer(g, g) / g.sum() ** 2


def test_rgb_get_sobel_x_sobel_y_and_a_gaussian(window):
    editor, picker = window.kernel_editor, window.kernel_editor.target_picker
    pick(window, picker.kind, "Per-channel kernels")
    assert picker.channel.currentText() == "R"  # the first channel is on show at once
    pick(window, picker.channel, "G")
    editor.preset.setCurrentIndex(editor.preset.findData("sobel_y"))
    pick(window, picker.channel, "B")
    editor.preset.setCurrentIndex(editor.preset.findData("gaussian"))  # sized 7×7 by σ = 1
    pad = np.pad  # the 3×3 Sobels grow around their centres to the Gaussian's size
    expected = np.stack([pad(SX, 2), pad(SY, 2), gaussian_7x7()])
    np.testing.assert_allclose(window.engine_kernels(), expected, rtol=1e-12, atol=1e-15)
    assert window.history.stack.undoText() == "Pick Gaussian blur (B)"
    window.history.stack.undo()
    np.testing.assert_array_equal(window.engine_kernels(), np.stack([SX, SY, SX]))
    window.history.stack.undo()
    window.history.stack.undo()
    assert window.controller.design.depthwise_kind == "shared"
    np.testing.assert_array_equal(window.engine_kernels(), np.stack([SX] * 3))


def test_typing_a_cell_edits_only_the_channel_on_show(window):
    editor, picker = window.kernel_editor, window.kernel_editor.target_picker
    pick(window, picker.kind, "Per-channel kernels")
    pick(window, picker.channel, "B")
    editor.grid.model().setData(editor.grid.model().index(0, 0), "9")
    b = SX.copy()
    b[0, 0] = 9
    np.testing.assert_array_equal(window.engine_kernels(), np.stack([SX, SX, b]))
    np.testing.assert_array_equal(window.controller.design.kernel_array(), SX)  # base kept


def test_turned_copies_say_which_turn_each_map_gets(window):
    window.channel_designer.multiplier.setValue(4)
    text = window.kernel_editor.target_picker.turns.text()
    assert "map 1: as drawn" in text and "map 2: turned 90° clockwise" in text
    assert "map 3: turned 180°" in text and "map 4: turned 270° clockwise" in text
    one_channel = [SX, SY, -SX, -SY]  # hand-turned: that is what "clockwise" must mean
    np.testing.assert_array_equal(window.engine_kernels(), np.stack(one_channel * 3))


def test_each_map_can_be_edited_on_its_own_and_undone(window):
    editor, picker = window.kernel_editor, window.kernel_editor.target_picker
    window.channel_designer.multiplier.setValue(2)
    pick(window, picker.maps, "Edit each map")
    assert window.controller.design.depthwise_kind == "per_map"
    np.testing.assert_array_equal(window.engine_kernels(), np.stack([SX, SY] * 3))
    pick(window, picker.channel, "G")
    pick(window, picker.map, "map 2 of 2")
    editor.apply_tool("clear")
    zero = np.zeros((3, 3))
    np.testing.assert_array_equal(window.engine_kernels(), np.stack([SX, SY, SX, zero, SX, SY]))
    assert window.history.stack.undoText() == "Clear kernel (G map 2)"
    # A third map per channel is a turned copy of each channel's first map.
    window.channel_designer.multiplier.setValue(3)
    want = [SX, SY, -SX, SX, zero, -SX, SX, SY, -SX]
    np.testing.assert_array_equal(window.engine_kernels(), np.stack(want))
    window.history.stack.undo()
    window.history.stack.undo()
    np.testing.assert_array_equal(window.engine_kernels(), np.stack([SX, SY] * 3))
    pick(window, picker.maps, "Turned copies")
    assert window.controller.design.depthwise_kind == "per_channel"


def test_synthesized_channels_are_named_as_the_channel_designer_names_them(window):
    picker = window.kernel_editor.target_picker
    window.channel_designer.channels.setValue(12)
    pick(window, picker.kind, "Per-channel kernels")
    names = [picker.channel.itemText(i) for i in range(1, picker.channel.count())]
    assert names[:4] == ["R", "G", "B", "luma"] and names[4] == "d/dx luma"
    assert len(names) == 12 and window.controller.design.depthwise_custom.shape == (12, 3, 3)
    window.channel_designer.channels.setValue(14)  # new channels start with the base kernel
    assert window.controller.design.depthwise_custom.shape == (14, 3, 3)


def test_a_channel_kernels_rank_slider_previews_without_setting_the_spatial_rank(window):
    editor, picker = window.kernel_editor, window.kernel_editor.target_picker
    pick(window, picker.kind, "Per-channel kernels")
    editor.preset.setCurrentIndex(editor.preset.findData("laplacian"))  # R: rank 2
    steps = window.history.stack.count()
    editor.separability.slider.setValue(1)
    assert window.controller.design.spatial_rank == 0  # the spatial mode runs the base kernel
    assert window.history.stack.count() == steps
    assert "rank 1" in editor.separability.psnr_label.text()
    pick(window, picker.channel, "Base kernel (spatial mode)")
    editor.preset.setCurrentIndex(editor.preset.findData("laplacian"))
    editor.separability.slider.setValue(1)
    assert window.controller.design.spatial_rank == 1


def test_a_gray_source_names_its_one_channel(window, qtbot):
    picker = window.kernel_editor.target_picker
    window.controller.show_image(np.full((32, 32), 0.5, np.float32), "gray")
    pick(window, picker.kind, "Per-channel kernels")
    names = [picker.channel.itemText(i) for i in range(picker.channel.count())]
    assert names == ["Base kernel (spatial mode)", "gray"]
    np.testing.assert_array_equal(window.engine_kernels(), np.stack([SX]))


def test_the_picker_shows_only_rows_with_something_to_choose(window):
    picker = window.kernel_editor.target_picker
    shown = picker.form.isRowVisible
    # The default, one kernel for every channel and M = 1: no map or channel to pick.
    assert not shown(picker.maps) and not shown(picker._edit_row)
    pick(window, picker.kind, "Per-channel kernels")
    assert shown(picker._edit_row) and not shown(picker.maps)
    window.channel_designer.multiplier.setValue(2)
    assert shown(picker.maps) and shown(picker._edit_row)
