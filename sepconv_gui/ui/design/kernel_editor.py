"""The kernel side of the design: presets with parameters, a grid editor and 1-D factors."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...app.state import MAX_KERNEL_SIDE, Design
from ...engine import PRESETS, analyze_kernel, preset_kernel

CUSTOM = "custom"


def format_numbers(values) -> str:
    return ", ".join(f"{v + 0.0:.6g}" for v in values)  # + 0.0 turns -0 into 0


def parse_numbers(text: str, what: str) -> np.ndarray:
    try:
        values = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"the {what} must be numbers separated by commas; got {text!r}") from None
    if not values or len(values) > MAX_KERNEL_SIDE or not np.isfinite(values).all():
        raise ValueError(f"the {what} needs 1 to {MAX_KERNEL_SIDE} finite numbers")
    return np.array(values)


class KernelEditor(QWidget):
    """Emits ``changed`` with new kernel fields, ``failed`` with a message for bad input."""

    changed = Signal(dict)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QFormLayout()
        self.preset = QComboBox()
        for name, spec in PRESETS.items():
            self.preset.addItem(spec.label, name)
            self.preset.setItemData(self.preset.count() - 1, spec.description, Qt.ToolTipRole)
        self.preset.addItem("Custom (grid)", CUSTOM)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        top.addRow("Kernel", self.preset)
        size_row = QHBoxLayout()
        self.height_spin = QSpinBox(minimum=1, maximum=MAX_KERNEL_SIDE, prefix="kh ")
        self.width_spin = QSpinBox(minimum=1, maximum=MAX_KERNEL_SIDE, prefix="kw ")
        for spin in (self.height_spin, self.width_spin):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._size_changed)
            size_row.addWidget(spin)
        top.addRow("Size", size_row)
        layout.addLayout(top)

        self.params_box = QGroupBox("Parameters")
        self.params_form = QFormLayout(self.params_box)
        self.param_spins: dict[str, QDoubleSpinBox] = {}
        layout.addWidget(self.params_box)

        self.grid = QTableWidget()
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.grid.verticalHeader().setDefaultSectionSize(26)
        self.grid.itemChanged.connect(self._cell_edited)
        layout.addWidget(self.grid)

        factors = QFormLayout()
        self.column_edit = QLineEdit()
        self.row_edit = QLineEdit()
        for edit in (self.column_edit, self.row_edit):
            edit.setToolTip(
                "Rank-1 factors: the kernel is outer(column, row). Edit and press "
                "Enter to set the kernel to their outer product."
            )
            edit.editingFinished.connect(self._factors_edited)
        factors.addRow("Column (vertical)", self.column_edit)
        factors.addRow("Row (horizontal)", self.row_edit)
        layout.addLayout(factors)
        self.analysis = QLabel(wordWrap=True)
        layout.addWidget(self.analysis)
        self._kernel = np.zeros((3, 3))
        self._preset_name = CUSTOM

    # --- model -> widgets -----------------------------------------------------------------
    def set_design(self, design: Design) -> None:
        with QSignalBlocker(self.preset):
            index = self.preset.findData(design.preset)
            self.preset.setCurrentIndex(index if index >= 0 else self.preset.findData(CUSTOM))
        self._preset_name = self.preset.currentData()
        self._build_params(design.preset_params)
        self._show_kernel(design.kernel_array())

    def _build_params(self, values: dict) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.param_spins = {}
        spec = PRESETS.get(self._preset_name)
        for param in spec.params if spec else ():
            spin = QDoubleSpinBox(
                minimum=param.minimum,
                maximum=param.maximum,
                singleStep=param.step,
                decimals=0 if param.integer else 3,
            )
            if param.unit:
                spin.setSuffix(f" {param.unit}")
            spin.setKeyboardTracking(False)
            spin.setValue(float(values.get(param.name, param.default)))
            spin.valueChanged.connect(self._regenerate)
            self.params_form.addRow(param.name.replace("_", " ").capitalize(), spin)
            self.param_spins[param.name] = spin
        self.params_box.setVisible(bool(self.param_spins))

    def _show_kernel(self, kernel: np.ndarray) -> None:
        self._kernel = kernel
        kh, kw = kernel.shape
        for spin, value in ((self.height_spin, kh), (self.width_spin, kw)):
            with QSignalBlocker(spin):
                spin.setValue(value)
        visible_rows = min(kh, 9)  # larger kernels scroll inside the grid
        self.grid.setFixedHeight(26 * visible_rows + self.grid.horizontalHeader().height() + 4)
        with QSignalBlocker(self.grid):
            self.grid.setRowCount(kh)
            self.grid.setColumnCount(kw)
            for i in range(kh):
                for j in range(kw):
                    item = QTableWidgetItem(f"{kernel[i, j]:.4g}")
                    item.setTextAlignment(Qt.AlignCenter)
                    self.grid.setItem(i, j, item)
        analysis = analyze_kernel(kernel)
        column, row = analysis.factors(1)
        self.column_edit.setText(format_numbers(column[0]))
        self.row_edit.setText(format_numbers(row[0]))
        for edit in (self.column_edit, self.row_edit):
            edit.setCursorPosition(0)  # long factor lists show their start, not their end
        values = analysis.singular_values
        # Values under the rank tolerance are rounding noise: show them as the zeros they are.
        shown_values = np.where(values > analysis.tolerance * values[0], values, 0.0)[:4]
        exact = (
            "exactly"
            if analysis.is_separable
            else f"only approximately (error {100 * analysis.relative_error(1):.1f} %)"
        )
        self.analysis.setText(
            f"Rank {analysis.rank}: separable {exact}. Singular values "
            f"{format_numbers(shown_values)}{'…' if min(kh, kw) > 4 else ''}. "
            f"One pass pair costs {kh + kw} multiplications per pixel instead of {kh * kw}."
        )

    # --- widgets -> model -----------------------------------------------------------------
    def _params(self) -> dict[str, float]:
        spec = PRESETS.get(self._preset_name)
        integers = {p.name for p in spec.params if p.integer} if spec else set()
        return {
            name: int(spin.value()) if name in integers else spin.value()
            for name, spin in self.param_spins.items()
        }

    def _emit(self, kernel: np.ndarray, preset: str, params: dict) -> None:
        self._show_kernel(kernel)
        self.changed.emit(
            {
                "kernel": tuple(tuple(map(float, r)) for r in kernel),
                "preset": preset,
                "preset_params": params,
            }
        )

    def _regenerate(self) -> None:
        name = self._preset_name
        if name == CUSTOM:
            return
        size = (self.height_spin.value(), self.width_spin.value())
        try:
            kernel = preset_kernel(name, size, **self._params())
        except ValueError as error:
            self.failed.emit(str(error))
            return
        self._emit(np.asarray(kernel, dtype=np.float64), name, self._params())

    def _preset_chosen(self) -> None:
        self._preset_name = self.preset.currentData()
        self._build_params({})
        self._regenerate()

    def _size_changed(self) -> None:
        if self._preset_name != CUSTOM:
            self._regenerate()
            return
        kh, kw = self.height_spin.value(), self.width_spin.value()
        kernel = np.zeros((kh, kw))
        h, w = min(kh, self._kernel.shape[0]), min(kw, self._kernel.shape[1])
        kernel[:h, :w] = self._kernel[:h, :w]  # keep what the user typed where it still fits
        self._emit(kernel, CUSTOM, {})

    def _to_custom(self) -> None:
        with QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(self.preset.findData(CUSTOM))
        self._preset_name = CUSTOM
        self._build_params({})

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        try:
            value = float(item.text())
            if not np.isfinite(value):
                raise ValueError
        except ValueError:
            self.failed.emit(
                f"kernel cell ({item.row() + 1}, {item.column() + 1}): "
                f"{item.text()!r} is not a finite number"
            )
            self._show_kernel(self._kernel)
            return
        kernel = self._kernel.copy()
        kernel[item.row(), item.column()] = value
        self._to_custom()
        self._emit(kernel, CUSTOM, {})

    def _factors_edited(self) -> None:
        try:
            column = parse_numbers(self.column_edit.text(), "column factor")
            row = parse_numbers(self.row_edit.text(), "row factor")
        except ValueError as error:
            self.failed.emit(str(error))
            return
        kernel = np.outer(column, row)
        scale = float(np.abs(self._kernel).max()) or 1.0
        if kernel.shape == self._kernel.shape and np.allclose(
            kernel, self._kernel, atol=1e-5 * scale
        ):
            return  # focus left without a change
        self._to_custom()
        self._emit(kernel, CUSTOM, {})
