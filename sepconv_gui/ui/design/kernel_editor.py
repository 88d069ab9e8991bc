"""The kernel side of the design: presets with parameters, a grid editor and 1-D factors."""

from __future__ import annotations


import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...app import design_kernels
from ...app.state import MAX_KERNEL_SIDE, Design
from ...engine import PRESETS, analyze_kernel, preset_factors, preset_kernel
from ...engine.kernels import preset_size
from . import kernel_ops
from .kernel_grid import KernelGrid, KernelGridArea
from . import kernel_tools
from .kernel_tools import TOOL_LABELS, exact_numbers, format_numbers, parse_numbers
from .kernel_target import KernelTargetPicker
from .param_control import ParamControl
from .separability_panel import SeparabilityPanel
from .wheel_guard import guard_wheel

CUSTOM = "custom"


class KernelEditor(QWidget):
    """Emits ``changed`` with new kernel fields and a label for the undo history, ``failed``
    with a message for bad input, and ``drag_started(label)`` / ``drag_finished`` around a
    parameter slider drag (whose steps make one undo step)."""

    changed = Signal(dict, str)
    failed = Signal(str)
    drag_started = Signal(str)
    drag_finished = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.target_picker = KernelTargetPicker()
        self.target_picker.kind_requested.connect(self._kind_requested)
        self.target_picker.target_changed.connect(self.set_target)
        layout.addWidget(self.target_picker)
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
        self.fit_size = QCheckBox("fit")
        self.fit_size.setToolTip(
            "Size the kernel from its parameters (Gaussian 2⌈3σ⌉+1, a motion blur's whole "
            "line, a Gabor's envelope); editing the size turns this off"
        )
        self.fit_size.toggled.connect(self._fit_toggled)
        size_row.addWidget(self.fit_size)
        top.addRow("Size", size_row)
        layout.addLayout(top)

        self.params_box = QGroupBox("Parameters")
        self.params_form = QFormLayout(self.params_box)
        self.param_controls: dict[str, ParamControl] = {}
        layout.addWidget(self.params_box)

        self.grid = KernelGrid()
        self.grid.edited.connect(self._grid_edited)
        self.grid.failed.connect(self.failed)
        layout.addWidget(KernelGridArea(self.grid))
        self.scale_label = QLabel()
        self.scale_label.setToolTip(
            "Cell colours: blue below zero, white at zero, red above; full colour at the "
            "largest magnitude. Ctrl+wheel zooms; hover a cell for its value."
        )
        layout.addWidget(self.scale_label)
        layout.addLayout(self._build_tools())

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
        self.separability = SeparabilityPanel()
        self.separability.rank_changed.connect(
            lambda r: self.changed.emit({"spatial_rank": r}, "Change spatial rank")
        )
        self.separability.drag_started.connect(
            lambda: self.drag_started.emit("Change spatial rank")
        )
        self.separability.drag_finished.connect(self.drag_finished)
        layout.addWidget(self.separability)
        self._kernel = np.zeros((3, 3))
        self._preset_name = CUSTOM
        self._typed_factors = None  # (column text, row text, their product) as typed
        self._design_factors = None  # the design's kernel_factors (typed earlier, or loaded)
        self._design = Design()
        self._target = design_kernels.BASE  # which kernel is on show (app.design_kernels)
        self._source_channels = 3
        # target -> (preset, params, kernel) it was last made from: a channel's kernel shows
        # its preset and live parameters again while it is still what the preset made.
        self._made_by: dict = {}
        guard_wheel(self)

    # --- model -> widgets -----------------------------------------------------------------
    def set_design(self, design: Design) -> None:
        """Show ``design`` without echoing it back as an edit. Parameter controls are rebuilt
        only when the preset changes, so a slider being dragged stays under the mouse."""
        self._design = design
        labels = self.channel_labels()
        self._target = design_kernels.valid_target(design, self._target, len(labels))
        kernel, preset, params = self._target_view(design)
        self.target_picker.show_state(design, labels, self._target, kernel.shape)
        with QSignalBlocker(self.preset):
            index = self.preset.findData(preset)
            self.preset.setCurrentIndex(index if index >= 0 else self.preset.findData(CUSTOM))
        name = self.preset.currentData()
        if name != self._preset_name or not self.param_controls and PRESETS.get(name):
            self._preset_name = name
            self._build_params(params)
        else:
            spec = PRESETS.get(name)
            for param in spec.params if spec else ():
                value = params.get(param.name, param.default)
                self.param_controls[param.name].set_value(value)
        base = self._target == design_kernels.BASE
        self._design_factors = design.kernel_factors if base else None
        self.separability.set_preview_only(not base)
        self.separability.set_options(design.border, design.flip)
        self._show_fit(kernel.shape)
        self._show_kernel(kernel, design.spatial_rank)

    def show_source(self, image) -> None:
        """The current input (as the modes see it): the PSNR of rank r is measured on it."""
        self.separability.set_source(image, self._design.border, self._design.flip)

    # --- which kernel: the base one, a channel's or a map's ---------------------------------
    def set_source_channels(self, count: int) -> None:
        """The source's channel count (1 or 3), which names the input channels."""
        if count != self._source_channels:
            self._source_channels = count
            self.set_design(self._design)

    def channel_labels(self) -> list[str]:
        """One name per channel of the design's kernel stack (the channel designer's)."""
        design = self._design
        labels = design_kernels.channel_labels(design, self._source_channels)
        custom = design.depthwise_custom
        if design.depthwise_kind == "shared" or custom is None:
            return labels
        stored = len(custom) // (design.multiplier if design.depthwise_kind == "per_map" else 1)
        extra = [f"channel {c}" for c in range(len(labels), stored)]
        return (labels + extra)[:stored]

    @property
    def target(self):
        return self._target

    def set_target(self, target) -> None:
        """Show and edit ``target``: BASE, ``(channel, None)`` or ``(channel, map)``."""
        self._target = target
        self.set_design(self._design)

    def _target_view(self, design: Design):
        """(kernel, preset, params) of the kernel on show."""
        if self._target == design_kernels.BASE:
            return design.kernel_array(), design.preset, design.preset_params
        kernel = design_kernels.target_kernel(design, self._target)
        made = self._made_by.get(self._target)
        if made is not None and np.array_equal(made[2], kernel):
            return kernel, made[0], made[1]
        return kernel, CUSTOM, {}

    def _target_name(self) -> str:
        channel, m = self._target
        name = self.channel_labels()[channel]
        return name if m is None else f"{name} map {m + 1}"

    def _kind_requested(self, kind: str) -> None:
        channels = len(design_kernels.channel_labels(self._design, self._source_channels))
        changes = design_kernels.switch_kind(self._design, kind, channels)
        channel = self._target[0]
        if kind == "shared":
            self._target = design_kernels.BASE
        else:  # show a channel's kernel at once: that is what the user asked to edit
            self._target = (channel or 0, 0 if kind == "per_map" else None)
        titles = {
            "shared": "One kernel for every channel",
            "per_channel": "Per-channel kernels",
            "per_map": "Edit each map",
        }
        self.changed.emit(changes, titles[kind])

    def _natural_size(self) -> tuple[int, int] | None:
        if self._preset_name == CUSTOM:
            return None
        try:
            return preset_size(self._preset_name, **self._params())
        except ValueError:
            return None

    def _show_fit(self, shape: tuple[int, int]) -> None:
        """ "fit" is on exactly when the kernel has the size its parameters call for."""
        natural = self._natural_size()
        with QSignalBlocker(self.fit_size):
            self.fit_size.setEnabled(natural is not None)
            self.fit_size.setChecked(natural is not None and tuple(shape) == natural)

    def _build_params(self, values: dict) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.param_controls = {}
        spec = PRESETS.get(self._preset_name)
        for param in spec.params if spec else ():
            control = ParamControl(param, float(values.get(param.name, param.default)))
            label = f"Change {param.name}"
            control.changed.connect(lambda _v, label=label: self._regenerate(label))
            control.drag_started.connect(lambda label=label: self.drag_started.emit(label))
            control.drag_finished.connect(self.drag_finished)
            self.params_form.addRow(param.name.replace("_", " ").capitalize(), control)
            self.param_controls[param.name] = control
        self.params_box.setVisible(bool(self.param_controls))

    def _show_kernel(self, kernel: np.ndarray, rank_setting: int | None = None) -> None:
        self._kernel = kernel
        kh, kw = kernel.shape
        for spin, value in ((self.height_spin, kh), (self.width_spin, kw)):
            with QSignalBlocker(spin):
                spin.setValue(value)
        self.grid.set_kernel(kernel)
        peak = float(np.abs(kernel).max())
        self.scale_label.setText(
            f"{kh}×{kw}  ·  blue −{kernel_ops.format_value(peak)}  ·  white 0  ·  "
            f"red +{kernel_ops.format_value(peak)}"
            if peak
            else f"{kh}×{kw}  ·  all zero"
        )
        analysis = analyze_kernel(kernel)
        self._show_factors(kernel, analysis)
        self.separability.show_kernel(kernel, rank_setting)

    # --- widgets -> model -----------------------------------------------------------------
    def _params(self) -> dict[str, float]:
        return {name: control.value() for name, control in self.param_controls.items()}

    def _emit(self, kernel: np.ndarray, preset: str, params: dict, label: str) -> None:
        self._show_kernel(kernel)
        if self._target != design_kernels.BASE:
            self._made_by[self._target] = (preset, dict(params), np.array(kernel))
            changes = design_kernels.set_target_kernel(self._design, self._target, kernel)
            self.changed.emit(changes, f"{label} ({self._target_name()})")
            return
        self.changed.emit(
            {
                "kernel": tuple(tuple(map(float, r)) for r in kernel),
                "preset": preset,
                "preset_params": params,
            },
            label,
        )

    def _regenerate(self, label: str) -> None:
        name = self._preset_name
        if name == CUSTOM:
            return
        size = (self.height_spin.value(), self.width_spin.value())
        if self.fit_size.isChecked():
            size = self._natural_size() or size
        try:
            kernel = preset_kernel(name, size, **self._params())
        except ValueError as error:
            self.failed.emit(str(error))
            return
        self._emit(np.asarray(kernel, dtype=np.float64), name, self._params(), label)

    def _preset_chosen(self) -> None:
        self._preset_name = self.preset.currentData()
        self._build_params({})
        with QSignalBlocker(self.fit_size):
            self.fit_size.setChecked(self._natural_size() is not None)
        self._regenerate(f"Pick {self.preset.currentText()}")

    def _fit_toggled(self, on: bool) -> None:
        if on:
            self._regenerate("Fit kernel size")

    def _size_changed(self) -> None:
        if self._preset_name != CUSTOM:
            with QSignalBlocker(self.fit_size):
                self.fit_size.setChecked(False)  # the user's size wins over the parameters'
            self._regenerate("Resize kernel")
            return
        kh, kw = self.height_spin.value(), self.width_spin.value()
        # Around the anchor: a 3×3 grown to 5×5 stays in the middle, as a kernel should.
        self._emit(kernel_ops.resize_centered(self._kernel, kh, kw), CUSTOM, {}, "Resize kernel")

    def _to_custom(self) -> None:
        with QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(self.preset.findData(CUSTOM))
        self._preset_name = CUSTOM
        self._build_params({})

    def _grid_edited(self, kernel: np.ndarray, label: str) -> None:
        self._to_custom()
        self._emit(kernel, CUSTOM, {}, label)

    def apply_tool(self, name: str) -> None:
        """One of the editing buttons: a whole-kernel operation from :mod:`kernel_ops`."""
        try:
            if name == "scale":
                kernel = kernel_ops.scale(self._kernel, self.scale_factor.value())
            else:
                kernel = kernel_ops.OPERATIONS[name](self._kernel)
        except ValueError as error:
            self.failed.emit(str(error))
            return
        self._grid_edited(kernel, f"{TOOL_LABELS[name]} kernel")

    def _build_tools(self) -> QGridLayout:
        return kernel_tools.build_tools(self)

    def import_kernel(self) -> None:
        kernel_tools.import_kernel(self)

    def export_kernel(self) -> None:
        kernel_tools.export_kernel(self)

    def _paint_changed(self) -> None:
        on = self.paint_button.isChecked()
        self.grid.paint_value = self.paint_value.value() if on else None
        self.grid.setCursor(Qt.CrossCursor if on else Qt.ArrowCursor)

    # --- 1-D factors ----------------------------------------------------------------------
    def _show_factors(self, kernel: np.ndarray, analysis) -> None:
        """The factors the user typed while the kernel is still their product; a separable
        preset's own pieces; else the SVD's best rank-1 pair."""
        typed, kept = self._typed_factors, self._design_factors
        if typed is not None and np.array_equal(kernel, typed[2]):
            column_text, row_text = typed[0], typed[1]
        elif kept is not None and np.array_equal(kernel, np.outer(*kept)):
            column_text, row_text = exact_numbers(kept[0]), exact_numbers(kept[1])
        else:
            self._typed_factors = None
            pieces = None
            if self._preset_name != CUSTOM:
                try:
                    pieces = preset_factors(self._preset_name, kernel.shape, **self._params())
                except ValueError:
                    pieces = None
            column, row = pieces if pieces is not None else (c[0] for c in analysis.factors(1))
            column_text, row_text = format_numbers(column), format_numbers(row)
        for edit, text in ((self.column_edit, column_text), (self.row_edit, row_text)):
            if edit.text() != text:
                edit.setText(text)
                edit.setCursorPosition(0)  # long factor lists show their start

    def _factors_edited(self) -> None:
        try:
            column = parse_numbers(self.column_edit.text(), "column factor")
            row = parse_numbers(self.row_edit.text(), "row factor")
        except ValueError as error:
            self.failed.emit(str(error))
            return
        # Exactly column ⊗ row: no SVD in between to rebalance what was typed.
        kernel = np.outer(column, row)
        if np.array_equal(kernel, self._kernel):
            return  # focus left without a change
        self._typed_factors = (self.column_edit.text(), self.row_edit.text(), kernel)
        self._to_custom()
        if self._target != design_kernels.BASE:  # a depthwise kernel runs as a 2-D grid
            self._emit(kernel, CUSTOM, {}, "Set 1-D factors")
            return
        self._show_kernel(kernel)
        # The design keeps the factors so the spatial mode runs them as typed.
        self.changed.emit(
            {
                "kernel": tuple(tuple(map(float, r)) for r in kernel),
                "preset": CUSTOM,
                "preset_params": {},
                "kernel_factors": (tuple(map(float, column)), tuple(map(float, row))),
            },
            "Set 1-D factors",
        )
