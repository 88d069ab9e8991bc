"""Edit ▸ Copy as code: the design as a runnable OpenCV, PyTorch or Keras snippet, previewed.

The text is exactly :func:`...app.codegen.to_code` for the design on show and the input's C;
Copy puts it on the clipboard. The dialog is not modal, so the design can be edited while it
is open: :meth:`CodePreview.set_design` regenerates it.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ...app.codegen import TARGETS, to_code
from ...app.design_weights import channels_for
from ...app.state import Design, DesignError

TARGET_TITLES = {"opencv": "OpenCV (cv2)", "pytorch": "PyTorch", "keras": "Keras"}


class CodePreview(QDialog):
    def __init__(self, design: Design, source_channels: int = 3, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Copy as code")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Library"))
        self.target = QComboBox()
        for target in TARGETS:
            self.target.addItem(TARGET_TITLES[target], target)
        self.target.currentIndexChanged.connect(self.refresh)
        row.addWidget(self.target)
        self.note = QLabel()
        row.addWidget(self.note, 1)
        layout.addLayout(row)
        self.preview = QPlainTextEdit(readOnly=True)
        self.preview.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        layout.addWidget(self.preview, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setDefault(True)
        buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.code = ""
        self.set_design(design, source_channels)

    def set_design(self, design: Design, source_channels: int = 3) -> None:
        self.design, self.source_channels = design, source_channels
        self.refresh()

    def refresh(self) -> None:
        channels = channels_for(self.design, self.source_channels)
        try:
            self.code = to_code(self.design, self.target.currentData(), channels=channels)
        except (DesignError, ValueError) as error:
            self.code = ""
            self.preview.setPlainText(f"# This design cannot be written as code: {error}")
            self.copy_button.setEnabled(False)
            return
        self.preview.setPlainText(self.code)
        self.copy_button.setEnabled(True)
        lines = self.code.count("\n") + 1
        self.note.setText(f"run(image) for H×W×{channels} float32 input · {lines} lines")

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)
        self.note.setText("Copied to the clipboard")
