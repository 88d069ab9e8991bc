"""The kernel editor: typing, pasting, painting and the editing buttons reach the engine's
kernel exactly; the heat map reads cleanly from 1×1 to 31×31."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from sepconv_gui.app.state import Design
from sepconv_gui.ui.design.kernel_editor import KernelEditor
from sepconv_gui.ui.design.kernel_ops import format_value, parse_block
from tests.ui.widgets import shown

SOBEL_X = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])


class Host:
    """Stands in for the window: applies each edit to a design and shows the result."""

    def __init__(self, editor: KernelEditor, design: Design) -> None:
        self.editor, self.design, self.edits, self.errors = editor, design, [], []
        editor.changed.connect(self.apply)
        editor.failed.connect(self.errors.append)
        editor.set_design(design)

    @classmethod
    def open(cls, qtbot, height: int = 700) -> "Host":
        """A kernel editor on screen, editing the default design."""
        editor = shown(qtbot, KernelEditor(), 380, height)
        qtbot.waitExposed(editor)
        return cls(editor, Design())

    def apply(self, changes: dict, label: str) -> None:
        self.edits.append((changes, label))
        self.design = self.design.with_changes(**changes)
        self.editor.set_design(self.design)

    @property
    def kernel(self) -> np.ndarray:  # what the engine is given
        return self.design.kernel_array()


@pytest.fixture
def host(qtbot):
    return Host.open(qtbot)


def cell_centre(grid, row, column):
    return grid.visualRect(grid.model().index(row, column)).center()


def test_typing_a_value_sets_that_cell(host, qtbot):
    grid = host.editor.grid
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(1, 1))
    qtbot.keyClick(grid, "0")  # typing on a cell opens its editor with that key
    editor = QApplication.focusWidget()
    assert editor is not grid
    qtbot.keyClicks(editor, ".5")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(host.edits) == 1)  # the delegate commits on a queued call
    expected = SOBEL_X.copy()
    expected[1, 1] = 0.5
    np.testing.assert_array_equal(host.kernel, expected)
    assert host.design.preset == "custom"


def test_typing_garbage_says_why_and_keeps_the_kernel(host, qtbot):
    grid = host.editor.grid
    grid.model().setData(grid.model().index(0, 0), "abc")
    assert host.errors and "not a finite number" in host.errors[-1]
    np.testing.assert_array_equal(host.kernel, SOBEL_X)


def test_pasting_a_spreadsheet_block_with_nothing_selected_replaces_the_kernel(host, qtbot):
    grid = host.editor.grid
    grid.clearSelection()
    QGuiApplication.clipboard().setText("1\t2\t3\t4\n5\t6\t7\t8\n")
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key_V, Qt.ControlModifier)
    np.testing.assert_array_equal(host.kernel, [[1, 2, 3, 4], [5, 6, 7, 8]])


def test_pasting_at_a_cell_writes_there_and_grows_the_kernel(host, qtbot):
    grid = host.editor.grid
    grid.setCurrentIndex(grid.model().index(2, 2))
    QGuiApplication.clipboard().setText("7 8\n9, 10")
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key_V, Qt.ControlModifier)
    expected = np.zeros((4, 4))
    expected[:3, :3] = SOBEL_X
    expected[2:, 2:] = [[7, 8], [9, 10]]
    np.testing.assert_array_equal(host.kernel, expected)


def test_pasting_ragged_rows_is_refused_with_a_reason(host, qtbot):
    host.editor.grid.paste("1 2 3\n4 5")
    assert "different lengths" in host.errors[-1]
    np.testing.assert_array_equal(host.kernel, SOBEL_X)
    with pytest.raises(ValueError, match="'x'"):
        parse_block("1 x 3")


def test_copy_gives_back_what_paste_reads(host):
    np.testing.assert_array_equal(parse_block(host.editor.grid.copy_text()), SOBEL_X)


def test_a_paint_stroke_is_one_edit_over_every_cell_it_crosses(host, qtbot):
    editor, grid = host.editor, host.editor.grid
    editor.paint_value.setValue(3.0)
    editor.paint_button.setChecked(True)
    viewport = grid.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=cell_centre(grid, 0, 0))
    qtbot.mouseMove(viewport, cell_centre(grid, 0, 1))
    qtbot.mouseMove(viewport, cell_centre(grid, 1, 2))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=cell_centre(grid, 1, 2))
    expected = SOBEL_X.copy()
    expected[0, 0] = expected[0, 1] = expected[1, 2] = 3.0
    np.testing.assert_array_equal(host.kernel, expected)
    assert [label for _, label in host.edits] == ["Paint 3 cells"]


@pytest.mark.parametrize(
    "tool, expected",
    [
        ("flip_horizontal", [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        ("flip_vertical", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("transpose", [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
        # A quarter turn counter-clockwise: the right column becomes the top row.
        ("rotate", [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
        # Zero-sum: absolute values sum to 8, so L1 normalization divides by 8.
        ("normalize", [[0.125, 0, -0.125], [0.25, 0, -0.25], [0.125, 0, -0.125]]),
        ("scale", [[-2, 0, 2], [-4, 0, 4], [-2, 0, 2]]),
        ("clear", np.zeros((3, 3))),
    ],
)
def test_editing_buttons(host, qtbot, tool, expected):
    host.editor.scale_factor.setValue(-2.0)
    qtbot.mouseClick(host.editor.tool_buttons[tool], Qt.LeftButton)
    np.testing.assert_array_equal(host.kernel, np.array(expected, dtype=float))


def test_normalize_makes_a_blur_sum_to_one(host):
    host.editor.grid.paste("1 2 1\n2 4 2\n1 2 1")
    host.editor.apply_tool("normalize")
    np.testing.assert_array_equal(host.kernel, np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)


def test_normalizing_zeros_is_refused(host):
    host.editor.apply_tool("clear")
    host.editor.apply_tool("normalize")
    assert "all-zero" in host.errors[-1]


def test_size_changes_keep_what_fits_around_the_anchor(host):
    host.editor.grid.paste("1 2 3\n4 5 6\n7 8 9")
    host.editor.height_spin.setValue(5)
    expected = np.zeros((5, 3))
    expected[1:4] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    np.testing.assert_array_equal(host.kernel, expected)
    host.editor.width_spin.setValue(1)
    np.testing.assert_array_equal(host.kernel, [[0], [2], [5], [8], [0]])


def test_cells_read_cleanly_and_colour_by_sign(host):
    host.editor.grid.paste("1 5.237e-17 -1\n0.25 0 -0.5")
    model = host.editor.grid.model()

    def shown(i, j, role=Qt.DisplayRole):
        return model.data(model.index(i, j), role)

    assert [shown(0, j) for j in range(3)] == ["1", "0", "-1"]
    positive, zero, negative = (shown(0, j, Qt.BackgroundRole) for j in range(3))
    assert positive.red() > 150 > positive.blue()
    assert negative.blue() > 150 > negative.red()
    assert zero.red() == zero.green() == zero.blue() > 240
    assert "-0.5" in shown(1, 2, Qt.ToolTipRole)
    assert format_value(-0.0) == "0" and format_value(12345.0) == "12345"


@pytest.mark.parametrize("shape", [(1, 1), (31, 31), (3, 31), (31, 1)])
def test_any_size_fits_the_dock_width_at_zoom_one(host, shape):
    rng = np.random.default_rng(31)
    host.editor.grid.paste("\n".join(" ".join(map(str, r)) for r in rng.normal(size=shape)))
    assert host.kernel.shape == shape
    grid = host.editor.grid
    assert grid.width() <= grid.parentWidget().width()
    assert grid.horizontalScrollBar().maximum() == 0
    assert grid.cell * shape[1] + 2 * grid.frameWidth() <= grid.width()


def test_zoom_makes_small_cells_show_their_numbers(host):
    grid = host.editor.grid
    grid.paste("\n".join(" ".join(["0.5"] * 31) for _ in range(31)))
    model = grid.model()
    assert model.data(model.index(0, 0)) is None  # too small for text: colour only
    grid.set_zoom(8)
    assert model.data(model.index(0, 0)) == "0.5"
    assert grid.horizontalScrollBar().maximum() > 0


def test_zero_sum_up_to_rounding_counts_as_zero_sum(host):
    host.editor.grid.paste("0.1 0.2 -0.3")  # sums to 5.6e-17 in floating point, not 0
    host.editor.apply_tool("normalize")
    np.testing.assert_allclose(host.kernel, [[1 / 6, 2 / 6, -3 / 6]], rtol=1e-15)
