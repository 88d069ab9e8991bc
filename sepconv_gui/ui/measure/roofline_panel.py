"""The Roofline dock: per stage, what it moved and computed, how fast, and what limits it.

The numbers come from ``app.roofline`` (no Qt); this widget only lays them out: a table per
stage, one verdict line per stage, and a small roofline plot per mode.
"""

from __future__ import annotations

import math
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...app.roofline import Analysis
from ..views.result_views import MODE_TITLES
from ..views.visibility import ThrottledDraw
from . import explain
from .roofline_plot import STAGE_COLORS, RooflinePlots

COLUMNS = ("Stage", "Verdict", "ms", "GFLOP/s", "GB/s", "FLOP/B", "Mult.", "MB in", "MB out")
TIPS = (
    "Mode and stage",
    "What limits the stage, judged against this machine's measured peaks (lines below)",
    "Median time of this design's frames",
    "Achieved: FLOPs (2 per multiplication) over the measured time",
    "Achieved: bytes moved over the measured time",
    "Arithmetic intensity: FLOPs per byte moved",
    "Multiplications that ran (≈: an estimate, the FFT or OpenCV's DFT changed the count)",
    "Bytes read: the stage's input and weights, each once (real traffic can only be more)",
    "Bytes written: the stage's output",
)
NO_PEAKS = (
    "This machine's peaks are not measured yet: press “Measure peaks” (about a second) to "
    "judge each stage against them."
)


def _number(value: float, digits: int = 3) -> str:
    if not math.isfinite(value):
        return "–"
    return f"{value:,.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"


def stage_cells(analysis: Analysis) -> list[tuple[str, ...]]:
    """The table's rows as text, in the order the stages ran."""
    rows = []
    for f, v in zip(analysis.figures, analysis.verdicts):
        approx = "≈" if f.estimated else ""
        rows.append(
            (
                f"{MODE_TITLES[f.mode].split('-')[0]} · {f.stage}",
                v.short,
                _number(1e3 * f.seconds),
                _number(f.gflops),
                _number(f.gbs),
                _number(f.intensity, 2),
                approx + explain.fmt(round(f.multiplications / 1e6, 1)) + " M",
                _number(f.bytes_read / 1e6),
                _number(f.bytes_written / 1e6),
            )
        )
    return rows


class RooflinePanel(QWidget):
    """Fed by the window: ``show_result`` for every frame, ``service`` for the peaks."""

    def __init__(self, service=None, history=None, parent=None) -> None:
        super().__init__(parent)
        self.service = service
        self.history = history  # the Timing dock's TimingHistory: medians per design
        self._design = None
        self.analysis: Analysis | None = None
        self.lines: list[str] = []  # the verdict lines as plain text (tests, presentation)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        header = QHBoxLayout()
        self.peaks_label = QLabel(wordWrap=True)
        self.measure_button = QPushButton("Measure peaks")
        self.measure_button.setToolTip(
            "Measure this machine's float32 matrix-product and memory-copy speeds again "
            "(about a second; the result is cached for this machine)"
        )
        self.measure_button.clicked.connect(self.measure)
        header.addWidget(self.peaks_label, 1)
        header.addWidget(self.measure_button)
        layout.addLayout(header)
        split = QSplitter(Qt.Horizontal)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for index, tip in enumerate(TIPS):
            self.table.horizontalHeaderItem(index).setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.verdicts = QLabel(wordWrap=True)
        self.verdicts.setTextFormat(Qt.RichText)
        self.verdicts.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.verdicts.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        lines = QScrollArea()
        lines.setWidgetResizable(True)
        lines.setFrameShape(QFrame.NoFrame)
        lines.setWidget(self.verdicts)
        column.addWidget(self.table)
        column.addWidget(lines, 1)
        self.plots = RooflinePlots()
        split.addWidget(left)
        split.addWidget(self.plots)
        # The table with its verdict column first; the three plots share the rest.
        split.setSizes([640, 440])
        layout.addWidget(split, 1)
        self._throttle = ThrottledDraw(self, self._draw)
        if service is not None:
            service.changed.connect(self._throttle.options_changed)
            service.measuring.connect(self._measuring)
            service.failed.connect(self.peaks_label.setText)
        self._show_peaks()

    # --- input ------------------------------------------------------------------------------
    def show_result(self, result, design) -> None:
        self._design = design
        if self.service is not None:
            self.service.note_result(result, design)
        self._throttle.new_input()

    def measure(self) -> None:
        if self.service is not None:
            self.service.measure_peaks(force=True)

    def catch_up(self) -> None:
        if self.service is not None:
            self.service.ensure_peaks()  # first look at the dock: measure if never measured
        self._throttle.catch_up()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self.catch_up)

    # --- drawing ----------------------------------------------------------------------------
    def _measuring(self, busy: bool) -> None:
        self.measure_button.setEnabled(not busy)
        if busy:
            self.peaks_label.setText("Measuring this machine's peaks (about a second)…")
        else:
            self._show_peaks()

    def _show_peaks(self) -> None:
        peaks = self.service.peaks if self.service is not None else None
        if peaks is None:
            self.peaks_label.setText(NO_PEAKS)
            return
        when = "cached" if peaks.from_cache else "measured now"
        self.peaks_label.setText(
            f"This machine ({when}): {peaks.gflops:.0f} GFLOP/s float32 matrix product, "
            f"{peaks.gbs:.1f} GB/s memory; ridge at {peaks.ridge:.2g} FLOP/byte "
            f"({peaks.threads} thread{'s' if peaks.threads != 1 else ''})."
        )
        self.peaks_label.setToolTip(peaks.summary() + f"; measured {peaks.measured_at}")

    def _draw(self) -> None:
        self._show_peaks()
        if self.history is None or self.history.last_result is None:
            return
        peaks = self.service.peaks if self.service is not None else None
        overheads = (
            self.service.overheads_for(self.history.last_result, self._design)
            if self.service is not None
            else {}
        )
        analysis = explain.roofline_analysis(self.history, self._design, peaks, overheads)
        self.analysis = analysis
        if analysis is None:
            return
        rows = stage_cells(analysis)
        self.table.setRowCount(len(rows))
        for row, (cells, verdict) in enumerate(zip(rows, analysis.verdicts)):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column > 1:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if column == 1:
                    item.setToolTip(verdict.text)
                self.table.setItem(row, column, item)
        self.lines = [
            f"{f.stage}: {v.label}" + (f" — {v.text}" if v.kind != "unknown" else "")
            for f, v in zip(analysis.figures, analysis.verdicts)
        ]
        self.verdicts.setText(
            "<br>".join(
                f'<span style="color:{STAGE_COLORS[f.stage]}">■</span> {escape(line)}'
                for f, line in zip(analysis.figures, self.lines)
            )
        )
        self.plots.show_analysis(analysis)
        self._fit_table()

    def _fit_table(self) -> None:
        """Exactly as tall as its rows: the verdict lines below get the rest."""
        header = self.table.horizontalHeader().height()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        scroll = self.table.horizontalScrollBar()
        extra = scroll.sizeHint().height() if scroll.maximum() > 0 else 0
        self.table.setFixedHeight(header + rows + extra + 2 * self.table.frameWidth())
