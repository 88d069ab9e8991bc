"""The main window's design actions: load and save a design file, use a model layer, show
the design as code. A mixin of :class:`~.main_window.MainWindow`, which provides
``controller``, ``history``, ``channel_designer``, ``show_error`` and the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ...app.state import Design, DesignError
from ..design.code_preview import CodePreview


class DesignFiles:
    def load_design(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load design", "", "Designs (*.json)")
        if not path:
            return
        try:
            design = Design.from_file(path)
        except (OSError, UnicodeDecodeError, DesignError) as error:
            self.show_error(f"Could not load {Path(path).name}: {error}")
            return
        self.apply_design(design, f"Load {Path(path).name}")

    def apply_design(self, design: Design, label: str = "Set design") -> None:
        """Make ``design`` current as one undoable step (a loaded file, a lesson step)."""
        self.history.push(self.controller.design, design, label)

    def use_model_design(self, design: Design, notes: list) -> None:
        """Model dock ▸ Use this layer: the layer becomes the design, like a loaded one (one
        undoable step)."""
        self.apply_design(design, "Use model layer")
        self.statusBar().showMessage("Layer in use; " + "; ".join(notes), 12000)

    def show_code_preview(self) -> CodePreview:
        """Edit ▸ Copy as code: a preview of the design as code, kept current while open."""
        if getattr(self, "code_preview", None) is None:
            self.code_preview = CodePreview(self.controller.design, parent=self)
            self.controller.design_changed.connect(self._refresh_code_preview)
        self._refresh_code_preview()
        self.code_preview.show()
        self.code_preview.raise_()
        return self.code_preview

    def _refresh_code_preview(self, *_args) -> None:
        if self.code_preview.isVisible() or not _args:
            channels = self.channel_designer.source_channels
            self.code_preview.set_design(self.controller.design, channels)

    def save_design(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save design", "design.json", "Designs (*.json)"
        )
        if path:
            try:
                self.controller.design.save(path)  # an imported bank goes beside, as .npy
            except (OSError, DesignError) as error:
                self.show_error(f"Could not save the design: {error}")
