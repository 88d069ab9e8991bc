"""|A − B| between the outputs of two modes, with error statistics and a border check.

Separable rewrites that go wrong usually go wrong at the image border, where the padding
rule meets the kernel, so the view compares the outer band the kernel reaches into with the
interior and tints the parts of the band whose error stands out.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...app.pipeline import FrameResult
from ...engine import MODES
from .comparison import BorderReport, DifferenceStats, border_report, difference_stats
from .comparison import border_band as inferred_band
from .image_panel import BACKGROUND
from .result_views import MODE_TITLES
from .visibility import ThrottledDraw

ERROR_MAP = pg.colormap.get("inferno")
HIGHLIGHT = QColor(0, 220, 255)  # cyan: stands apart from every colour of the error map
PARTS = ("top", "bottom", "left", "right", "top-left", "top-right", "bottom-left", "bottom-right")
SCALE_FLOOR = 1e-3
"""The colour scale never ends below this fraction of max |A|: rounding noise stays black."""


def verdict(stats: DifferenceStats) -> str:
    if stats.max_abs == 0:
        return "identical"
    if stats.equal:
        return "equal up to float32 rounding"
    return "different"


def describe_stats(stats: DifferenceStats) -> str:
    """Max abs error, RMS, PSNR against max |A|, relative error, and where the worst pixel is."""
    psnr = "∞ (identical)" if stats.psnr == math.inf else f"{stats.psnr:.1f} dB"
    text = (
        f"Max |A − B| = {stats.max_abs:.3g} · RMS = {stats.rms:.3g} · "
        f"PSNR = {psnr} (peak |A| = {stats.peak:.3g}) · "
        f"relative error = {100 * stats.relative:.3g} %"
    )
    if stats.max_abs > 0:
        y, x, channel = stats.worst
        text += f" · largest at x = {x}, y = {y}, channel {channel + 1}"
    return text


def describe_border(report: BorderReport, stats: DifferenceStats) -> str:
    """Border band against interior, in words a class can read."""
    if stats.equal:
        return "No difference beyond float32 rounding, at the border or inside."
    if report.band == 0:
        return "Errors spread over the interior (a kernel 1 pixel wide has no border band)."
    band = f"the border band ({report.band} px = k//2)"
    interior = "none left" if report.interior_max is None else f"{report.interior_max:.3g}"
    numbers = f"border max {report.border_max:.3g}, interior max {interior}"
    if report.concentrated:
        parts = (
            "all around the frame"
            if len(report.flagged) == len(PARTS)
            else ", ".join(
                p if p in ("top", "bottom", "left", "right") else f"{p} corner"
                for p in report.flagged
            )
        )
        return f"Errors concentrated in {band}: {parts}, tinted cyan ({numbers})."
    return f"Errors spread over the interior: {band} is no worse ({numbers})."


def channel_mismatch(a: str, b: str, channels_a: int, channels_b: int) -> str:
    """Why two outputs with different channel counts have no pixel-by-pixel difference."""

    def count(mode: str, n: int) -> str:
        return f"C = {n}" if mode == "spatial" else f"P = {n}"

    return (
        f"Nothing to compare: {MODE_TITLES[a]} gives {count(a, channels_a)} channels and "
        f"{MODE_TITLES[b]} gives {count(b, channels_b)}. Spatial-separable always keeps "
        "the C input channels; set P = C to compare it with the others."
    )


class DifferenceView(QWidget):
    """Pick two modes; see where and by how much their outputs differ.

    Call :meth:`show_result` with every displayed result. The border band is
    ``max(kh, kw) // 2`` pixels; pass ``border_band`` from the design when you have it,
    otherwise it is read back from the result's parameter counts
    (:func:`~sepconv_gui.ui.comparison.kernel_shape`, exact for square kernels and whenever
    the spatial mode ran).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        top = QHBoxLayout()
        self.combo_a, self.combo_b = QComboBox(), QComboBox()
        for combo in (self.combo_a, self.combo_b):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        top.addWidget(QLabel("A"))
        top.addWidget(self.combo_a)
        top.addWidget(QLabel("B"))
        top.addWidget(self.combo_b)
        top.addStretch(1)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-weight: 600")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(BACKGROUND)
        self.view = self.graphics.addViewBox(
            row=0, col=0, lockAspect=True, invertY=True, enableMenu=False
        )
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.image_item.setColorMap(ERROR_MAP)
        self.view.addItem(self.image_item)
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=ERROR_MAP, width=14, interactive=False, colorMapMenu=False
        )
        self.graphics.addItem(self.colorbar, row=0, col=1)
        # Each flagged part gets a translucent tint over the band and a solid marker just
        # outside the image: the marker stays visible at any zoom, even for a 1-pixel band,
        # without hiding the error pixels it points at.
        tint = QBrush(QColor(HIGHLIGHT.red(), HIGHLIGHT.green(), HIGHLIGHT.blue(), 80))
        self.overlays: dict[str, tuple[QGraphicsRectItem, QGraphicsRectItem]] = {}
        for part in PARTS:
            pair = []
            for brush in (tint, QBrush(HIGHLIGHT)):
                rect = QGraphicsRectItem()
                rect.setPen(QPen(Qt.NoPen))
                rect.setBrush(brush)
                rect.setZValue(10)
                rect.hide()
                self.view.addItem(rect)
                pair.append(rect)
            self.overlays[part] = (pair[0], pair[1])
        self.stats_label, self.border_label = QLabel(), QLabel()
        for label in (self.title_label, self.stats_label, self.border_label):
            label.setWordWrap(True)
            label.setMinimumWidth(10)
        self.stats_label.setToolTip(
            "PSNR = 10 log10(peak² / MSE) with peak = max |A|; relative error is "
            "‖A − B‖ / ‖A‖. Each pixel of the image is its largest error over the channels."
        )
        layout.addLayout(top)
        layout.addWidget(self.title_label)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.stats_label)
        layout.addWidget(self.border_label)
        self.result: FrameResult | None = None
        self.border_band: int | None = None
        self.stats: DifferenceStats | None = None
        self.border: BorderReport | None = None
        self._shape: tuple[int, int] | None = None
        self._throttle = ThrottledDraw(self, self.refresh)
        self.combo_a.currentIndexChanged.connect(self._throttle.options_changed)
        self.combo_b.currentIndexChanged.connect(self._throttle.options_changed)

    @property
    def pending(self) -> bool:
        """A result arrived that is not compared yet (the view is hidden or throttled)."""
        return self._throttle.pending

    def catch_up(self) -> None:
        self._throttle.catch_up()

    @property
    def modes(self) -> tuple[str | None, str | None]:
        return self.combo_a.currentData(), self.combo_b.currentData()

    def set_modes(self, a: str, b: str) -> None:
        """Compare mode ``a`` with mode ``b`` (both must have run in the current result)."""
        self.combo_a.setCurrentIndex(self.combo_a.findData(a))
        self.combo_b.setCurrentIndex(self.combo_b.findData(b))

    def show_result(self, result: FrameResult, border_band: int | None = None) -> None:
        """Compare the outputs of ``result`` when the view is seen (see ThrottledDraw)."""
        self.result, self.border_band = result, border_band
        self._offer(tuple(m for m in MODES if m in result.results))
        self._throttle.new_input()

    def _offer(self, available: tuple[str, ...]) -> None:
        """Fill both combos with the modes that ran, keeping the user's picks when possible."""
        offered = tuple(self.combo_a.itemData(i) for i in range(self.combo_a.count()))
        if offered == available:
            return
        keep_a, keep_b = self.modes
        if "normal" in available and "depthwise" in available:
            default = ("normal", "depthwise")
        else:
            default = (available + available)[:2] if available else (None, None)
        picks = (
            keep_a if keep_a in available else default[0],
            keep_b if keep_b in available else default[1],
        )
        for combo, pick in zip((self.combo_a, self.combo_b), picks):
            combo.blockSignals(True)  # one refresh for the whole change, not one per item
            combo.clear()
            for mode in available:
                combo.addItem(MODE_TITLES[mode], mode)
            combo.setCurrentIndex(max(0, combo.findData(pick)))
            combo.blockSignals(False)

    def refresh(self) -> None:
        """Compare the chosen outputs of the current result now."""
        self._throttle.mark_drawn()
        a, b = self.modes
        self.stats = self.border = None
        if self.result is None or a is None or b is None:
            self._blank("Nothing to compare yet: no mode has run.")
            return
        self._compare(a, b)

    def _compare(self, a: str, b: str) -> None:
        out_a, out_b = self.result.results[a].output, self.result.results[b].output
        if out_a.shape[2] != out_b.shape[2]:
            self._blank(channel_mismatch(a, b, out_a.shape[2], out_b.shape[2]))
            return
        stats = difference_stats(out_a, out_b)
        band = self.border_band if self.border_band is not None else inferred_band(self.result)
        report = border_report(stats.error_map, band, stats.tolerance)
        self.stats, self.border = stats, report
        self.title_label.setText(
            f"|A − B| = |{MODE_TITLES[a]} − {MODE_TITLES[b]}| over all {out_a.shape[2]} "
            f"channels: {verdict(stats)}"
        )
        high = max(stats.max_abs, SCALE_FLOOR * stats.peak)
        self.image_item.setImage(stats.error_map, levels=(0.0, high), autoLevels=False)
        self.colorbar.setLevels((0.0, high))
        self.colorbar.show()
        self.stats_label.setText(describe_stats(stats))
        self.border_label.setText(describe_border(report, stats))
        self._place_overlays(report, stats.error_map.shape)
        if stats.error_map.shape != self._shape:
            self._shape = stats.error_map.shape
            self.view.autoRange(items=[self.image_item], padding=0.04)  # room for markers

    def _blank(self, message: str) -> None:
        self.title_label.setText(message)
        self.stats_label.clear()
        self.border_label.clear()
        self.image_item.clear()
        self.colorbar.hide()
        for rects in self.overlays.values():
            for rect in rects:
                rect.hide()

    def _place_overlays(self, report: BorderReport, shape: tuple[int, int]) -> None:
        height, width = shape
        b = report.band
        m = max(2, round(0.012 * max(height, width)))  # marker thickness, in image pixels
        near, far_x, far_y = -1.5 * m, width + m / 2, height + m / 2
        spans_x = {"left": (0, b), "right": (width - b, b), "": (b, width - 2 * b)}
        spans_y = {"top": (0, b), "bottom": (height - b, b), "": (b, height - 2 * b)}
        outside_x = {"left": near, "right": far_x}
        outside_y = {"top": near, "bottom": far_y}
        for part, (tint, marker) in self.overlays.items():
            row = next((r for r in ("top", "bottom") if part.startswith(r)), "")
            col = next((c for c in ("left", "right") if part.endswith(c)), "")
            (x, w), (y, h) = spans_x[col], spans_y[row]
            tint.setRect(x, y, w, h)
            if row and col:  # a corner: a square off the corner, diagonally
                marker.setRect(outside_x[col], outside_y[row], m, m)
            elif row:
                marker.setRect(x, outside_y[row], w, m)
            else:
                marker.setRect(outside_x[col], y, m, h)
            for rect in (tint, marker):
                rect.setVisible(part in report.flagged)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.pending:
            self._throttle.now()
