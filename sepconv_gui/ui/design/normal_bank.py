"""Normal-mode weights: the depthwise-separable design's equivalent, or an independent bank
(random with a seed, or an imported ``.npy``) and its depthwise-separable fit.

"Fit depthwise-separable" runs the engine's factorization at M = 1 .. min(k², P) in a thread
(:mod:`...app.fit_worker`), with progress and Cancel, and plots relative error against
multiplications. Clicking a point makes that fit the depthwise-separable design as one undo
step; the normal bank stays, so the Difference dock shows what the approximation changes.
Beyond M = min(k², P) every channel's slice is fitted exactly, so larger M only costs more.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from ...app.design_checks import MAX_SEED, DesignError
from ...app.design_file import load_array
from ...app.design_weights import channels_for
from ...app.fit_worker import FitJob, bank_key, pick_job, tradeoff_job
from ...app.state import MAX_MULTIPLIER, Design
from .fit_plot import FitPlot

KIND_TITLES = {
    "equivalent": "Equivalent of the depthwise-separable design",
    "random": "Independent: random (seed)",
    "file": "Independent: imported .npy",
}


class NormalBankPanel(QGroupBox):
    """Emits ``changed(fields, label)`` for undoable edits and ``failed(message)``."""

    changed = Signal(dict, str)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__("Normal-mode weights", parent)
        layout = QVBoxLayout(self)
        self.kind = QComboBox()
        for kind, title in KIND_TITLES.items():
            self.kind.addItem(title, kind)
        self.kind.setToolTip(
            "Equivalent: the normal bank the depthwise-separable design equals (same output, "
            "full cost). Independent: a bank of its own, which a depthwise-separable design "
            "can only approximate; fit one below."
        )
        self.kind.currentIndexChanged.connect(self._kind_picked)
        layout.addWidget(self.kind)
        row = QHBoxLayout()
        self.seed = QSpinBox(minimum=0, maximum=min(MAX_SEED, 2**31 - 1), prefix="seed ")
        self.seed.setKeyboardTracking(False)
        self.seed.valueChanged.connect(
            lambda v: self.changed.emit({"normal_seed": v}, "Change normal bank seed")
        )
        self.import_button = QPushButton("Import .npy…")
        self.import_button.setToolTip("A (P, C, kh, kw) array of numbers, e.g. a layer's weights")
        self.import_button.clicked.connect(self.import_dialog)
        row.addWidget(self.seed)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        fit_row = QHBoxLayout()
        self.fit_button = QPushButton("Fit depthwise-separable")
        self.fit_button.clicked.connect(self.start_fit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(textVisible=False)
        self.progress.setMaximumHeight(10)
        fit_row.addWidget(self.fit_button, 1)
        fit_row.addWidget(self.cancel_button)
        layout.addLayout(fit_row)
        layout.addWidget(self.progress)
        self.caption = QLabel(wordWrap=True)
        layout.addWidget(self.caption)
        self.plot = FitPlot()
        self.plot.picked.connect(self.pick)
        layout.addWidget(self.plot)
        self.design = Design()
        self.source_channels = 3
        self.tradeoff = None  # the last finished trade-off (fit_worker.Tradeoff)
        self.job: FitJob | None = None
        self.chosen = 0  # the M whose fit is in use, while the bank stays the same
        self._show_busy(False)

    # --- model -> widgets -----------------------------------------------------------------
    def set_design(self, design: Design, source_channels: int = 3) -> None:
        self.design, self.source_channels = design, source_channels
        with QSignalBlocker(self.kind), QSignalBlocker(self.seed):
            self.kind.setCurrentIndex(self.kind.findData(design.normal_kind))
            self.seed.setValue(min(design.normal_seed, self.seed.maximum()))
        self.seed.setEnabled(design.normal_kind == "random")
        independent = design.normal_kind != "equivalent"
        self.fit_button.setEnabled(independent and not self._busy())
        self.fit_button.setToolTip(
            "Approximate the normal bank by depthwise-separable designs at M = 1, 2, ... and "
            "plot error against cost"
            if independent
            else "Pick an independent bank first: the equivalent bank is the depthwise design"
        )
        if self.tradeoff is not None and not self._still_valid():
            self.tradeoff, self.chosen = None, 0
            self.plot.clear_points("The bank changed: fit again")
        if not independent:
            self.caption.setText("Normal runs the bank the depthwise-separable design equals.")
        elif self.tradeoff is None and not self._busy():
            c = channels_for(design, source_channels)
            self.caption.setText(
                f"An independent {design.out_channels} × {c} bank. Fit depthwise-separable "
                "to see how well M maps per channel approximate it."
            )

    def _channels(self) -> int:
        return channels_for(self.design, self.source_channels)

    def _still_valid(self) -> bool:
        old = self.tradeoff
        return bank_key(old.design, old.channels) == bank_key(self.design, self._channels())

    # --- bank choice ----------------------------------------------------------------------
    def _kind_picked(self) -> None:
        kind = self.kind.currentData()
        if kind == "file":
            if not self.import_dialog():
                self.set_design(self.design, self.source_channels)  # cancelled: show as was
            return
        self.changed.emit({"normal_kind": kind, "normal_bank": None}, "Change normal weights")

    def import_dialog(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import normal bank", "", "NumPy arrays (*.npy);;All files (*)"
        )
        return bool(path) and self.import_bank(path)

    def import_bank(self, path: str | Path) -> bool:
        """Make the ``(P, C, kh, kw)`` array in ``path`` the normal bank (one undo step)."""
        try:
            bank = load_array("normal bank", str(Path(path).resolve()), None, 4)
        except DesignError as error:
            self.failed.emit(f"Could not import the bank: {error}")
            return False
        p, c = bank.shape[:2]
        fields = {"normal_kind": "file", "normal_bank": bank, "out_channels": p}
        # The bank fixes C: the source's own channels when they match, else synthesized ones.
        source = 1 if self.design.grayscale else self.source_channels
        if c == 1 and source == 3:
            fields.update(grayscale=True, channels=0)
        elif c in (1, 3) and c == self.source_channels:
            fields.update(grayscale=False, channels=0)
        else:
            fields.update(channels=c)
        # Custom depthwise and pointwise weights sized for the old P and C would not fit.
        if (p, c) != (self.design.out_channels, self._channels()):
            fields.update(depthwise_kind="shared", depthwise_custom=None)
            if self.design.pointwise == "custom":
                fields.update(pointwise="identity", pointwise_custom=None)
        self.changed.emit(fields, f"Import {Path(path).name}")
        return True

    # --- the fit ----------------------------------------------------------------------------
    def _busy(self) -> bool:
        return self.job is not None

    def _show_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.fit_button.setEnabled(not busy and self.design.normal_kind != "equivalent")

    def _run(self, work, finished) -> None:
        self.job = FitJob(work)
        self.job.progress.connect(self._progress)
        self.job.finished.connect(finished)
        self.job.failed.connect(self._failed)
        self.progress.setRange(0, 0)
        self._show_busy(True)
        self.job.start()

    def start_fit(self) -> None:
        """Fit at every M in a thread; the plot fills when it is done."""
        if self._busy() or self.design.normal_kind == "equivalent":
            return
        self.caption.setText("Fitting: one SVD per input channel…")
        self._run(tradeoff_job(self.design, self._channels()), self._tradeoff_done)

    def pick(self, multiplier: int) -> None:
        """Make the fit at M = ``multiplier`` the depthwise-separable design."""
        if self._busy() or self.tradeoff is None or not self._still_valid():
            return
        if multiplier > MAX_MULTIPLIER:
            self.failed.emit(
                f"M = {multiplier} is more than a design's {MAX_MULTIPLIER}: pick M ≤ "
                f"{MAX_MULTIPLIER}"
            )
            return
        self.caption.setText(f"Making the M = {multiplier} fit the design…")
        self._run(pick_job(self.design, self._channels(), multiplier), self._pick_done)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def shutdown(self, wait_ms: int = 0) -> bool:
        """Cancel a running fit; True once no fit runs."""
        if self.job is None:
            return True
        self.job.cancel()
        return self.job.wait(wait_ms)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _finish(self) -> None:
        self.job = None
        self._show_busy(False)

    def _failed(self, message: str) -> None:
        self._finish()
        self.caption.setText(f"The fit failed: {message}")
        self.failed.emit(f"Fit depthwise-separable: {message}")

    def _tradeoff_done(self, tradeoff) -> None:
        self._finish()
        if tradeoff is None:
            self.caption.setText("Fit cancelled.")
            return
        self.tradeoff, self.chosen = tradeoff, 0
        if not self._still_valid():  # edited while it ran
            self.tradeoff = None
            self.plot.clear_points("The bank changed while fitting: fit again")
            return
        best = tradeoff.points[0]
        share = best.multiplications / best.normal_multiplications
        self.caption.setText(
            f"M = 1: relative error {best.relative_error:.3f} at {share:.2f}× the normal "
            f"bank's multiplications. Click a point to use its fit."
        )
        self.plot.show_points(tradeoff.points)

    def _pick_done(self, result) -> None:
        self._finish()
        if result is None:
            self.caption.setText("Cancelled.")
            return
        fitted, error = result
        if self.tradeoff is None or not self._still_valid():
            self.caption.setText("The bank changed meanwhile: fit again")
            return
        m = fitted.multiplier
        self.chosen = m
        self.plot.show_points(self.tradeoff.points, m)
        self.caption.setText(
            f"Depthwise-separable is now the M = {m} fit (relative error {error:.4f}); the "
            "Difference dock shows normal against it."
        )
        fields = {
            name: getattr(fitted, name)
            for name in (
                "multiplier",
                "depthwise_kind",
                "depthwise_custom",
                "pointwise",
                "pointwise_custom",
            )
        }
        self.changed.emit(fields, f"Fit depthwise-separable (M = {m})")
