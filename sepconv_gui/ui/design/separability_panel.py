"""How separable the kernel is, and what r pairs of 1-D passes buy.

Singular values as bars (the ones the rank-r approximation keeps in colour), the numerical rank
with the tolerance it was counted at, and a rank-r slider: it sets the spatial-separable mode's
r, and shows the rank-r kernel, its relative (Frobenius) error and its cost against one k×k
pass. The Difference dock shows what that error does to real images.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from ...app import design_psnr
from ...engine import ResourceError, analyze_kernel
from .kernel_grid import KernelGrid, KernelGridArea
from .kernel_ops import format_value

KEPT = QColor(33, 102, 172)
DROPPED = QColor(170, 170, 170)


class SingularValueBars(QWidget):
    """Bars for s_i / s_1 on a linear scale; the first ``kept`` in colour, the tolerance as a
    dashed line (bars under it are rounding noise, not structure)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.values = np.zeros(0)
        self.kept = 0
        self.tolerance = 0.0
        self.setMinimumHeight(70)

    def show_values(self, values: np.ndarray, kept: int, tolerance: float) -> None:
        self.values, self.kept, self.tolerance = np.asarray(values, float), kept, tolerance
        peak = float(self.values[0]) if len(self.values) and self.values[0] > 0 else 1.0
        self.setToolTip(
            "Singular values: "
            + ", ".join(f"σ{i + 1} = {format_value(v, peak)}" for i, v in enumerate(self.values))
        )
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        n = len(self.values)
        if n == 0 or self.values[0] <= 0:
            painter.drawText(self.rect(), Qt.AlignCenter, "all zero: nothing to separate")
            return
        width, height = self.width(), self.height() - 4
        step = width / n
        for i, value in enumerate(self.values / self.values[0]):
            bar = max(1.0, value * (height - 2))
            painter.fillRect(
                QRectF(i * step + step * 0.15, height - bar + 2, step * 0.7, bar),
                KEPT if i < self.kept else DROPPED,
            )
        painter.setPen(Qt.DashLine)
        y = height + 2 - self.tolerance * (height - 2)
        painter.drawLine(0, round(y), width, round(y))


class SeparabilityPanel(QGroupBox):
    """Emits ``rank_changed(r)`` (0: exact) and drag signals around a slider drag."""

    rank_changed = Signal(int)
    drag_started = Signal()
    drag_finished = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__("Separability", parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.badge = QLabel()
        self.badge.setStyleSheet(
            "QLabel { border-radius: 8px; padding: 1px 8px; color: white; font-weight: bold; }"
        )
        self.tolerance_label = QLabel()
        top.addWidget(self.badge)
        top.addWidget(self.tolerance_label, 1)
        layout.addLayout(top)
        self.bars = SingularValueBars()
        layout.addWidget(self.bars)
        row = QHBoxLayout()
        row.addWidget(QLabel("Rank r"))
        self.slider = QSlider(Qt.Horizontal, minimum=1, maximum=1)
        self.slider.setObjectName("rankSlider")
        self.slider.setToolTip(
            "Pairs of 1-D passes r in the spatial-separable mode: the best rank-r "
            "approximation (Eckart-Young)"
        )
        self.slider.valueChanged.connect(self._slid)
        self.slider.sliderPressed.connect(self.drag_started)
        self.slider.sliderReleased.connect(self.drag_finished)
        self.rank_value = QLabel()
        row.addWidget(self.slider, 1)
        row.addWidget(self.rank_value)
        layout.addLayout(row)
        self.summary = QLabel(wordWrap=True)
        layout.addWidget(self.summary)
        self.psnr_label = QLabel(wordWrap=True)
        self.psnr_label.setObjectName("rankPsnr")
        self.psnr_label.setToolTip(
            "Output PSNR of r pairs of 1-D passes against one exact k×k pass, on a small copy "
            "of the current input: 10·log10(range² / MSE), range = the exact output's max − min"
        )
        layout.addWidget(self.psnr_label)
        self.approximation = KernelGrid()
        self.approximation.setEditTriggers(KernelGrid.NoEditTriggers)
        self.approximation.max_cell, self.approximation.max_height = 30, 160
        self.approximation.setToolTip("The rank-r kernel the spatial-separable mode runs")
        layout.addWidget(KernelGridArea(self.approximation))
        self._kernel = np.zeros((1, 1))
        self._rank_setting = 0
        self.preview_only = False  # a kernel the spatial mode does not run: r is a preview
        self._source = None  # design_psnr.preview_image of the current input
        self._options = ("reflect101", False)  # border, flip
        self._exact = None  # (kernel bytes, shape, options, exact output) for the PSNR

    def show_kernel(self, kernel: np.ndarray, rank_setting: int | None = None) -> None:
        """``rank_setting`` is the design's spatial_rank (0: the kernel's own rank)."""
        if rank_setting is not None and not self.preview_only:
            self._rank_setting = rank_setting
        self._kernel = np.asarray(kernel, dtype=np.float64)
        analysis = analyze_kernel(self._kernel)
        limit = len(analysis.singular_values)
        r = min(self._rank_setting or max(analysis.rank, 1), limit)
        with QSignalBlocker(self.slider):
            self.slider.setMaximum(limit)
            self.slider.setValue(r)
        self.slider.setEnabled(limit > 1)
        colour = "#2e7d32" if analysis.is_separable else "#b26a00"
        self.badge.setStyleSheet(self.badge.styleSheet().split("QLabel {")[0] + self._badge(colour))
        self.badge.setText(f"rank {analysis.rank}")
        self.tolerance_label.setText(
            f"counting σ > {analysis.tolerance:.1e} × σ1"
            + (" · separable" if analysis.is_separable else "")
        )
        self.bars.show_values(analysis.singular_values, r, analysis.tolerance)
        kh, kw = self._kernel.shape
        error = analysis.relative_error(r) if analysis.singular_values[0] > 0 else 0.0
        self.rank_value.setText(f"{r}" + (" (exact)" if not self._rank_setting else ""))
        passes, full = r * (kh + kw), kh * kw
        verdict = "cheaper" if passes < full else "no cheaper" if passes == full else "dearer"
        self.summary.setText(
            f"Rank-{r} error {100 * error:.3g} % (Frobenius, relative). "
            f"{r} pair{'s' * (r != 1)} of 1-D passes: {r}·({kh}+{kw}) = {passes} "
            f"multiplications per pixel per channel against {kh}·{kw} = {full} for one "
            f"{kh}×{kw} pass, {verdict}."
            + (
                " A preview: the spatial-separable mode runs the base kernel."
                if self.preview_only
                else ""
            )
        )
        approximation = (
            analysis.approximation(r) if analysis.singular_values[0] > 0 else self._kernel
        )
        self.approximation.set_kernel(approximation)
        self._show_psnr(r)

    # --- the rank-r output against the exact one, on the current input ---------------------
    def set_source(self, image, border: str = "reflect101", flip: bool = False) -> None:
        """The input the PSNR is measured on (any size: a small copy is kept)."""
        self._source = None if image is None else design_psnr.preview_image(image)
        self._options = (border, flip)
        self._exact = None
        self.show_kernel(self._kernel)

    def set_options(self, border: str, flip: bool) -> None:
        if (border, flip) != self._options:
            self._options = (border, flip)
            self._exact = None

    def psnr_value(self, r: int) -> float | None:
        """dB of rank r against the exact result on the current input; None without one."""
        if self._source is None:
            return None
        key = (self._kernel.tobytes(), self._kernel.shape, self._options)
        if self._exact is None or self._exact[0] != key:
            exact = design_psnr.exact_output(self._source, self._kernel, *self._options)
            self._exact = (key, exact)
        return design_psnr.rank_psnr(
            self._source, self._kernel, r, *self._options, exact=self._exact[1]
        )

    def _show_psnr(self, r: int) -> None:
        try:
            value = self.psnr_value(r)
        except (ValueError, ResourceError) as error:  # e.g. a kernel larger than the input
            self.psnr_label.setText(f"Output PSNR: not measured ({error}).")
            return
        if value is None:
            self.psnr_label.setText("Output PSNR: open an image to measure it.")
            return
        h, w = self._source.shape[:2]
        if value > 100:
            shown = "over 100 dB (the same up to float32 rounding)"
        else:
            shown = f"{value:.1f} dB"
        self.psnr_label.setText(
            f"Output PSNR of rank {r} against the exact k×k result: {shown} "
            f"(on the current input at {w}×{h})."
        )

    @staticmethod
    def _badge(colour: str) -> str:
        return (
            "QLabel { border-radius: 8px; padding: 1px 8px; color: white; "
            f"font-weight: bold; background: {colour}; }}"
        )

    def set_preview_only(self, on: bool) -> None:
        """On for a per-channel or per-map kernel: the slider shows what rank r would do to
        it, without setting the spatial mode's r (which runs the base kernel)."""
        if on and not self.preview_only:
            self._rank_setting = 0
        self.preview_only = on

    def _slid(self, r: int) -> None:
        self._rank_setting = r
        self.show_kernel(self._kernel)
        if not self.preview_only:
            self.rank_changed.emit(r)
