"""Exact multiplication counts of each mode next to what it really took."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from ...app.pipeline import FrameResult
from ..views.result_views import MODE_TITLES

COLUMNS = (
    "Mode",
    "Algorithm",
    "Multiplications",
    "Additions",
    "Parameters",
    "Mult. vs normal",
    "Time (ms)",
    "Speed-up vs normal",
)


class CostPanel(QTableWidget):
    """One row per mode; ratios are relative to normal convolution of the same design."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        # Three rows and a header: the dock should not eat the image area.
        self.setMaximumHeight(self.horizontalHeader().sizeHint().height() + 3 * 30 + 6)

    def show_result(self, result: FrameResult) -> None:
        results = result.results
        normal = results.get("normal")
        self.setRowCount(len(results))
        for row, (mode, conv) in enumerate(results.items()):
            cost, ms = conv.cost, 1e3 * conv.total_seconds
            if normal is not None:
                ratio = f"{cost.multiplications / normal.cost.multiplications:.3f}×"
                speedup = (
                    f"{normal.total_seconds / conv.total_seconds:.2f}×"
                    if conv.total_seconds > 0
                    else "–"
                )
            else:
                ratio = speedup = "–"
            cells = (
                MODE_TITLES[mode],
                conv.algorithm,
                f"{cost.multiplications:,}",
                f"{cost.additions:,}",
                f"{cost.parameters:,}",
                ratio,
                f"{ms:.2f}",
                speedup,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.setItem(row, column, item)
