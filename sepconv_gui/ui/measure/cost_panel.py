"""What each mode costs, compared like for like: formulas with the design's numbers filled in,
what actually ran, and the measured times. The arithmetic lives in ``explain`` (no Qt)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...app.pipeline import FrameResult
from ...app.state import Design
from ..views.result_views import MODE_TITLES
from . import explain

COLUMNS = (
    "Mode",
    "Ran as",
    "Mult. per pixel",
    "Fewer than the same job",
    "Parameters",
    "Time (ms)",
    "Measured vs normal",
)
TIPS = (
    "",
    "The algorithm that ran (see the formulas below when it changes the count)",
    "Multiplications per output pixel position, all channels; ≈ marks an estimate of what ran",
    "By count, against the operation this mode replaces: spatial-separable against the same "
    "per-channel k×k filter, depthwise-separable against the normal bank with the same C → P",
    "Weights the mode stores",
    "Median time of this frame's runs",
    "Normal convolution's time over this mode's, measured on this frame",
)


class CostPanel(QWidget):
    """A table per mode over the formulas they come from."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for column, tip in enumerate(TIPS):
            if tip:
                self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Maximum)
        self.table.setMaximumHeight(self.table.horizontalHeader().sizeHint().height() + 3 * 30 + 6)
        self.formulas = QLabel(wordWrap=True)
        self.formulas.setTextFormat(Qt.RichText)
        self.formulas.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formulas.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        layout.addWidget(self.table)
        layout.addWidget(self.formulas, 1)
        self.lines: list[str] = []  # the formula lines as plain text (tests, presentation)

    def rowCount(self) -> int:  # noqa: N802 - Qt naming, as the table it stands for
        return self.table.rowCount()

    def show_result(self, result: FrameResult, design: Design | None = None) -> None:
        results = result.results
        counts = explain.counts(result, design) if design is not None else {}
        compared = explain.comparisons(result, design) if design is not None else {}
        self.table.setRowCount(len(results))
        for row, (mode, conv) in enumerate(results.items()):
            count = counts.get(mode)
            if count is None:
                per_pixel = "–"
            elif count.ran_per_pixel is not None and count.ran_per_pixel != count.per_pixel:
                approx = "≈ " if "≈" in count.ran else ""
                per_pixel = f"{explain.fmt(count.per_pixel)} (ran {approx}"
                per_pixel += f"{explain.fmt(count.ran_per_pixel)})"
            else:
                per_pixel = explain.fmt(count.per_pixel)
            if mode == "normal":
                fewer = "the reference"
            elif mode in compared:
                c = compared[mode]
                fewer = f"{c.ratio:.2f}× vs {c.reference}"
            else:
                fewer = "–"
            speedup = explain.measured_speedup(result, mode)
            cells = (
                MODE_TITLES[mode],
                conv.algorithm,
                per_pixel,
                fewer,
                f"{conv.cost.parameters:,}",
                f"{1e3 * conv.total_seconds:.2f}",
                "–" if speedup is None else f"{speedup:.2f}×",
            )
            for column, text in enumerate(cells):
                # Cells are kept and only their text changes: at live rates, new items every
                # update made the table re-measure all of them each time.
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    if column >= 2:
                        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                    self.table.setItem(row, column, item)
                if item.text() != text:
                    item.setText(text)
                tip = compared[mode].text if column == 3 and mode in compared else ""
                if item.toolTip() != tip:
                    item.setToolTip(tip)
        self.lines = formula_lines(counts, compared)
        self.formulas.setText("<br>".join(escape(line) for line in self.lines))


def formula_lines(
    counts: dict[str, explain.ModeCount], compared: dict[str, explain.Comparison]
) -> list[str]:
    """One line per mode: its formula with numbers, what ran, and its like-for-like ratio."""
    lines = []
    for mode, count in counts.items():
        line = count.text + " mult/px"
        if count.ran:
            line += f"; ran: {count.ran}"
        if mode in compared:
            c = compared[mode]
            line += f" — vs the {c.reference} ({c.reference_formula}): {c.ratio:.2f}× fewer"
            if c.per_channel:
                line += f" ({c.per_channel})"
        lines.append(line)
    return lines
