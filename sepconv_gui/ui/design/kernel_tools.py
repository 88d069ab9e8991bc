"""The kernel editor's buttons, file dialogs and number text: built for a KernelEditor,
kept apart so the editor itself is about which kernel is shown and how edits go out."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QSizePolicy,
    QToolButton,
)

from ...app.state import MAX_KERNEL_SIDE
from . import kernel_ops
from .kernel_files import load_kernel, save_kernel


def format_numbers(values) -> str:
    scale = float(np.abs(values).max()) if len(values) else 0.0
    return ", ".join(kernel_ops.format_value(v, scale) for v in values)


def exact_numbers(values) -> str:
    """Typed factors shown so that reading them back gives the same floats (no rounding)."""
    return ", ".join(repr(float(v)).removesuffix(".0") for v in values)


TOOL_LABELS = {
    "normalize": "Normalize",
    "flip_horizontal": "Flip",
    "flip_vertical": "Flip",
    "transpose": "Transpose",
    "rotate": "Rotate",
    "scale": "Scale",
    "clear": "Clear",
}
TOOLS = (  # (operation, button text, tooltip)
    ("normalize", "Normalize", "Scale to sum 1; a zero-sum kernel to absolute values summing to 1"),
    ("flip_horizontal", "Flip ↔", "Mirror left-right"),
    ("flip_vertical", "Flip ↕", "Mirror top-bottom"),
    ("transpose", "Transpose", "Swap rows and columns"),
    ("rotate", "Rotate 90°", "Turn a quarter turn counter-clockwise"),
    ("clear", "Clear", "Set every value to 0"),
)


def parse_numbers(text: str, what: str) -> np.ndarray:
    try:
        values = [float(part) for part in re.split(r"[\s,;]+", text.strip()) if part]
    except ValueError:
        raise ValueError(
            f"the {what} must be numbers separated by commas or spaces; got {text!r}"
        ) from None
    if not values or len(values) > MAX_KERNEL_SIDE or not np.isfinite(values).all():
        raise ValueError(f"the {what} needs 1 to {MAX_KERNEL_SIDE} finite numbers")
    return np.array(values)


def build_tools(editor) -> QGridLayout:
    tools = QGridLayout()
    tools.setSpacing(2)
    editor.tool_buttons: dict[str, QToolButton] = {}

    def button(name: str, text: str, tip: str) -> QToolButton:
        b = QToolButton(text=text, toolTip=tip)
        b.setToolButtonStyle(Qt.ToolButtonTextOnly)
        b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        b.clicked.connect(lambda: editor.apply_tool(name))
        editor.tool_buttons[name] = b
        return b

    for n, (name, text, tip) in enumerate(TOOLS):
        tools.addWidget(button(name, text, tip), n // 3, n % 3)
    editor.scale_factor = QDoubleSpinBox(minimum=-1e6, maximum=1e6, decimals=4, value=2.0)
    editor.scale_factor.setPrefix("× ")
    editor.scale_factor.setToolTip("Factor for Scale")
    tools.addWidget(button("scale", "Scale", "Multiply every value by the factor"), 2, 0)
    tools.addWidget(editor.scale_factor, 2, 1)
    editor.paint_button = QToolButton(text="Paint", checkable=True)
    editor.paint_button.setToolTip(
        "Drag over cells to set them to the paint value (one undo step per stroke)"
    )
    editor.paint_value = QDoubleSpinBox(minimum=-1e6, maximum=1e6, decimals=4, value=1.0)
    editor.paint_value.setToolTip("Value painted into cells")
    editor.paint_button.toggled.connect(editor._paint_changed)
    editor.paint_value.valueChanged.connect(editor._paint_changed)
    tools.addWidget(editor.paint_button, 3, 0)
    tools.addWidget(editor.paint_value, 3, 1)
    zoom = QHBoxLayout()
    for text, factor, tip in (("−", 0.8, "Zoom out"), ("+", 1.25, "Zoom in (Ctrl+wheel)")):
        b = QToolButton(text=text, toolTip=tip)
        b.clicked.connect(lambda _=False, f=factor: editor.grid.set_zoom(editor.grid.zoom * f))
        zoom.addWidget(b)
    tools.addLayout(zoom, 3, 2)
    files = QHBoxLayout()
    for text, slot, tip in (
        ("Import…", editor.import_kernel, "Load a kernel from a text grid or a .npy file"),
        ("Export…", editor.export_kernel, "Save this kernel as a text grid or a .npy file"),
    ):
        b = QToolButton(text=text, toolTip=tip)
        b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        b.clicked.connect(slot)
        files.addWidget(b)
    tools.addLayout(files, 2, 2)
    return tools


def import_kernel(editor) -> None:
    path, _ = QFileDialog.getOpenFileName(
        editor, "Import kernel", "", "Kernels (*.txt *.csv *.tsv *.npy);;All files (*)"
    )
    if not path:
        return
    try:
        kernel = load_kernel(path)
    except (OSError, ValueError) as error:
        editor.failed.emit(f"Could not import the kernel: {error}")
        return
    editor._grid_edited(kernel, f"Import {Path(path).name}")


def export_kernel(editor) -> None:
    # The dialog asks before replacing an existing file.
    path, _ = QFileDialog.getSaveFileName(
        editor, "Export kernel", "kernel.txt", "Text grid (*.txt);;NumPy array (*.npy)"
    )
    if not path:
        return
    try:
        save_kernel(path, editor._kernel)
    except OSError as error:
        editor.failed.emit(f"Could not export the kernel: {error}")
