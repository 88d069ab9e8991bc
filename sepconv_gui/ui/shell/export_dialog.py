"""File → Export…: write the input, an output or a stage (or all of them) to image files.

The dialog exports the frame that was shown when it opened, so live video does not change
what is written. The files are written by :mod:`sepconv_gui.io.export`; this module only
picks what, how and where, maps arrays for display (8-bit PNG) and talks to the user.

The main window calls :func:`export_result` (File → Export…, Ctrl+E) and
:func:`copy_view_to_clipboard` (Edit → Copy view, Ctrl+Shift+C).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...app.kept_stages import with_stages
from ...app.pipeline import FrameResult
from ...app.settings import AppSettings
from ...io.export import (
    FORMATS,
    ExportItem,
    ExportJob,
    export_paths,
    plan_export,
    result_items,
    value_levels,
    write_plan,
)
from ..views.display import MAPPINGS, SharedLook, apply_mapping, default_mapping, map_for_display
from ..views.image_panel import SIGNED_LUT
from ..views.result_views import MODE_TITLES

FOLDER_KEY = "last_export_folder"
FORMAT_KEY = "last_export_format"

FORMAT_HINTS = {
    "png8": "What you see: each image mapped for display as its view shows it (clip, "
    "normalize, abs or signed; signed single channels in the blue–red colour map).",
    "png16": "Values scaled from their range to 0–65535; the range is saved beside the "
    "image in a .levels.json file.",
    "tiff16": "Values scaled from their range to 0–65535; the range is saved beside the "
    "image in a .levels.json file.",
    "npy": "The exact float32 values, all channels in one (H, W, C) array "
    "(numpy.load reads it back).",
}

MappingFor = Callable[[str], str]
LookFor = Callable[[str], "SharedLook | None"]


def item_title(item: ExportItem) -> str:
    """What the user sees for one exportable array, e.g. "Depthwise-separable — stage
    “depthwise” (640×480, 12 channels)"."""
    height, width = np.shape(item.array)[:2]
    channels = _channels(item.array)
    size = f"{width}×{height}, {channels} channel{'s' if channels != 1 else ''}"
    if item.mode is None:
        return f"Input image ({size})"
    mode = MODE_TITLES.get(item.mode, item.mode)
    what = "output" if item.stage is None else f"stage “{item.stage}”"
    return f"{mode} — {what} ({size})"


def item_mapping(item: ExportItem, mapping_for: MappingFor) -> str:
    """The display mapping for an 8-bit export: the input is clipped; an output (and the
    last stage, which is that output) uses its view's mapping; earlier stages pick their own
    like the stage grid does."""
    if item.mode is None:
        return "clip"
    if not item.shows_output:
        return default_mapping(item.array)
    try:
        mapping = mapping_for(item.mode)
    except Exception:  # noqa: BLE001  a view that is gone must not stop an export
        mapping = None
    return mapping if mapping in MAPPINGS else default_mapping(item.array)


def item_look(item: ExportItem, look_for: LookFor | None) -> SharedLook | None:
    """The outputs' shared look when ``item`` is an output whose view shows it, else None."""
    if look_for is None or item.mode is None or not item.shows_output:
        return None
    try:
        return look_for(item.mode)
    except Exception:  # noqa: BLE001  a view that is gone must not stop an export
        return None


def build_job(
    item: ExportItem, fmt: str, mapping_for: MappingFor, look_for: LookFor | None = None
) -> ExportJob:
    """The job that writes ``item`` in ``fmt``: display-mapped for 8-bit, values otherwise.

    An output whose view shows the shared look (``look_for(mode)``) is written with that
    look's mapping and levels, so equal outputs export equal pixels, as they look on screen.
    Otherwise levels come from the whole array, so the one-file-per-channel images of a
    stage share them and can be compared with each other.
    """
    if FORMATS[fmt].bits is None:
        return ExportJob(item.stem, item.array)
    if FORMATS[fmt].bits == 16:
        return ExportJob(item.stem, item.array, value_levels(item.array))
    look = item_look(item, look_for)
    if look is not None:
        mapping, levels = look.mapping, look.levels
        data = apply_mapping(item.array, mapping)
    else:
        mapping = item_mapping(item, mapping_for)
        data, levels = map_for_display(item.array, mapping)
    single = data.ndim == 2 or data.shape[2] != 3
    return ExportJob(
        item.stem, data, levels, SIGNED_LUT if mapping == "signed" and single else None
    )


def _default_folder() -> str:
    pictures = QStandardPaths.writableLocation(QStandardPaths.PicturesLocation)
    return pictures if pictures and Path(pictures).is_dir() else str(Path.home())


class ExportDialog(QDialog):
    """Pick what to export, the format and the folder; :meth:`export` does the writing.

    After the dialog closes, :attr:`written` lists the files written (empty if none).
    """

    def __init__(
        self,
        result: FrameResult,
        mapping_for: MappingFor,
        parent: QWidget | None = None,
        look_for: LookFor | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export results")
        self.frame_result = result
        self.mapping_for = mapping_for
        self.look_for = look_for
        self.items = result_items(result.image, result.results)
        self.written: list[Path] = []
        # Through AppSettings: a scripted run must not change what the user's dialog remembers.
        self.settings = AppSettings()

        what = QGroupBox("What")
        self.one_button = QRadioButton("One image:")
        self.all_button = QRadioButton(
            f"Everything: the input, every output and every stage ({len(self.items)} images)"
        )
        self.what_group = QButtonGroup(self)
        self.what_group.addButton(self.one_button)
        self.what_group.addButton(self.all_button)
        self.item_combo = QComboBox()
        self.item_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        for index, item in enumerate(self.items):
            self.item_combo.addItem(item_title(item), index)
        first_output = next((i for i, item in enumerate(self.items) if item.mode), 0)
        self.item_combo.setCurrentIndex(first_output)
        one_row = QHBoxLayout()
        one_row.addWidget(self.one_button)
        one_row.addWidget(self.item_combo, 1)
        what_layout = QVBoxLayout(what)
        what_layout.addLayout(one_row)
        what_layout.addWidget(self.all_button)
        self.one_button.setChecked(True)

        self.format_combo = QComboBox()
        for spec in FORMATS.values():
            self.format_combo.addItem(spec.title, spec.key)
        remembered = self.settings.remembered(FORMAT_KEY, "png8", str)
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(remembered)))
        self.format_hint = QLabel()
        self.format_hint.setWordWrap(True)
        self.format_hint.setMinimumWidth(420)  # a wrapped label is narrow unless told

        self.folder_edit = QLineEdit(
            self.settings.remembered(FOLDER_KEY, "", str) or _default_folder()
        )
        self.browse_button = QPushButton("Browse…")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        form.addRow("Format:", self.format_combo)
        form.addRow("", self.format_hint)
        form.addRow("Folder:", folder_row)

        self.summary = QLabel()
        self.file_list = QListWidget()
        self.file_list.setMinimumHeight(140)
        self.file_list.setSelectionMode(QListWidget.NoSelection)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.export_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.file_list, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        self.browse_button.clicked.connect(self.browse)
        for signal in (
            self.one_button.toggled,
            self.item_combo.currentIndexChanged,
            self.format_combo.currentIndexChanged,
            self.folder_edit.textChanged,
        ):
            signal.connect(self.refresh)
        self.refresh()

    # --- choices ----------------------------------------------------------------------------
    @property
    def fmt(self) -> str:
        return self.format_combo.currentData()

    @property
    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def chosen_items(self) -> list[ExportItem]:
        if self.all_button.isChecked():
            return list(self.items)
        return [self.items[self.item_combo.currentData()]]

    def planned_files(self) -> list[Path]:
        """Every file the current choices would write (cheap: names only, no encoding)."""
        return [
            path
            for item in self.chosen_items()
            for path in export_paths(self.folder, item.stem, _channels(item.array), self.fmt)
        ]

    def set_choice(
        self,
        *,
        everything: bool | None = None,
        item_stem: str | None = None,
        fmt: str | None = None,
        folder: str | Path | None = None,
    ) -> None:
        """Set choices programmatically (scripts and tests)."""
        if everything is not None:
            (self.all_button if everything else self.one_button).setChecked(True)
        if item_stem is not None:
            index = next(i for i, item in enumerate(self.items) if item.stem == item_stem)
            self.item_combo.setCurrentIndex(self.item_combo.findData(index))
        if fmt is not None:
            self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))
        if folder is not None:
            self.folder_edit.setText(str(folder))

    def refresh(self) -> None:
        self.item_combo.setEnabled(self.one_button.isChecked())
        self.format_hint.setText(FORMAT_HINTS.get(self.fmt, ""))
        files = self.planned_files()
        existing = 0
        self.file_list.clear()
        for path in files:
            exists = path.exists()
            existing += exists
            entry = QListWidgetItem(
                f"{path.name}   (exists, will ask before replacing)" if exists else path.name
            )
            if exists:
                entry.setForeground(Qt.darkRed)
            self.file_list.addItem(entry)
        text = f"{len(files)} file{'s' if len(files) != 1 else ''} will be written"
        if existing:
            text += f"; {existing} already exist{'s' if existing == 1 else ''}"
        if not self.folder.is_dir():
            text += " — the folder does not exist"
        self.summary.setText(text + ":")
        self.export_button.setEnabled(bool(files) and bool(self.folder_edit.text().strip()))

    def browse(self) -> None:
        start = str(self.folder) if self.folder.is_dir() else _default_folder()
        chosen = QFileDialog.getExistingDirectory(self, "Export to folder", start)
        if chosen:
            self.folder_edit.setText(chosen)
            self.settings.remember(FOLDER_KEY, chosen)

    # --- writing ----------------------------------------------------------------------------
    def export(self) -> bool:
        """Write the chosen files; asks before replacing any, reports the outcome.

        Returns True when files were written (the dialog then closes). Never raises.
        """
        try:
            jobs = [
                build_job(item, self.fmt, self.mapping_for, self.look_for)
                for item in self.chosen_items()
            ]
            plan = plan_export(self.folder, jobs, self.fmt)
            conflicts = plan.conflicts()
            if conflicts:
                names = "\n".join(path.name for path in conflicts[:10])
                if len(conflicts) > 10:
                    names += f"\n… and {len(conflicts) - 10} more"
                answer = QMessageBox.question(
                    self,
                    "Replace files?",
                    f"{len(conflicts)} of the {len(plan.files)} files already exist in "
                    f"{plan.folder}:\n\n{names}\n\nReplace them?",
                    QMessageBox.Yes | QMessageBox.No,
                    QMessageBox.No,
                )
                if answer != QMessageBox.Yes:
                    return False
            self.written = write_plan(plan, overwrite=bool(conflicts))
        except Exception as error:  # noqa: BLE001  shown to the user, never raised
            QMessageBox.warning(self, "Export failed", str(error))
            self.refresh()
            return False
        self.settings.remember(FOLDER_KEY, str(plan.folder))
        self.settings.remember(FORMAT_KEY, self.fmt)
        count = len(self.written)
        QMessageBox.information(
            self,
            "Export finished",
            f"Wrote {count} file{'s' if count != 1 else ''} to {plan.folder}.",
        )
        self.accept()
        return True


def _channels(array: np.ndarray) -> int:
    return 1 if np.ndim(array) == 2 else int(np.shape(array)[2])


def export_result(
    parent: QWidget | None,
    result: FrameResult | None,
    mapping_for: MappingFor,
    look_for: LookFor | None = None,
) -> list[Path]:
    """Show the export dialog for ``result``; returns the files written (maybe none).

    ``mapping_for(mode)`` names the display mapping the mode's view uses now ("clip",
    "normalize", "abs" or "signed"); 8-bit PNGs are written with it, or with the shared look
    ``look_for(mode)`` returns (mapping and levels) for views that show it. Never raises: problems
    are shown in a message box.
    """
    try:
        if result is None or result.image is None:
            QMessageBox.information(
                parent, "Export results", "There is nothing to export yet: open an image first."
            )
            return []
        # A live frame made while no view showed stages has none: run them now, once.
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            result = with_stages(result)
        finally:
            QGuiApplication.restoreOverrideCursor()
        dialog = ExportDialog(result, mapping_for, parent, look_for)
        try:
            dialog.exec()
            return list(dialog.written)
        finally:
            dialog.deleteLater()
    except Exception as error:  # noqa: BLE001  the window's action must never raise
        QMessageBox.critical(parent, "Export failed", str(error))
        return []


def copy_view_to_clipboard(widget: QWidget) -> bool:
    """Put a picture of ``widget`` as drawn on screen on the clipboard; False if it has none
    (a hidden or zero-size widget)."""
    pixmap = widget.grab()
    if pixmap.isNull():
        return False
    QGuiApplication.clipboard().setPixmap(pixmap)
    return True
