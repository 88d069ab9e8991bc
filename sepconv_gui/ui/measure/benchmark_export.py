"""The benchmark panel's exports: CSV table, JSON report, PNG or SVG of the plots.

A mixin of :class:`~.benchmark_panel.BenchmarkPanel`. Files are written atomically and an
existing file is replaced only after the user said so.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ...app.sweep_report import to_csv, to_json, write_new

EXPORTS = {
    "CSV": "the table",
    "JSON": "the report (machine and points)",
    "PNG": "both plots",
    "SVG": "both plots",
}


class SweepExports:
    """Needs ``result``, ``plots``, ``_folder`` and ``_say`` from the panel."""

    def export(self, kind: str) -> bool:
        """Ask for a file name, ask before replacing a file, and save ``kind`` there."""
        kind = kind.upper()
        if kind not in EXPORTS or self.result is None or not self.result.points:
            return self.save(kind, "")  # says what is wrong
        suffix = kind.lower()
        suggested = self._folder / f"sweep-{self.result.spec.variable}.{suffix}"
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Save {EXPORTS[kind]} as {kind}",
            str(suggested),
            f"{kind} (*.{suffix})",
            options=QFileDialog.DontConfirmOverwrite,
        )  # asked below, after the suffix is added
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != f".{suffix}":
            path = path.with_name(f"{path.name}.{suffix}")
        self._folder = path.parent
        overwrite = path.exists()
        if overwrite and not self.confirm_overwrite(path):
            return False
        return self.save(kind, path, overwrite=overwrite)

    def confirm_overwrite(self, path: Path) -> bool:
        """Ask whether to replace ``path``."""
        answer = QMessageBox.question(
            self,
            "Replace file?",
            f"{path.name} already exists in {path.parent}.\nReplace it?",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No,
        )
        return answer == QMessageBox.Yes

    def save(self, kind: str, path: str | Path, *, overwrite: bool = False) -> bool:
        """Write the CSV table, the JSON report, or a PNG or SVG of both plots to ``path``.

        An existing file is kept unless ``overwrite``. Returns True once written; otherwise
        False, with the reason in the status line.
        """
        path = Path(path)
        kind = kind.upper()
        if kind not in EXPORTS:
            self._say(f"Cannot export {kind!r}: use CSV, JSON, PNG or SVG", error=True)
            return False
        if self.result is None or not self.result.points:
            self._say("Nothing to export yet: run a sweep first", error=True)
            return False
        try:
            data = {
                "CSV": lambda: to_csv(self.result).encode("utf-8"),
                "JSON": lambda: to_json(self.result).encode("utf-8"),
                "PNG": self.plots.png_bytes,
                "SVG": self.plots.svg_bytes,
            }[kind]()
            write_new(path, data, overwrite=overwrite)
        except FileExistsError:
            self._say(f"{path.name} already exists: not replaced", error=True)
            return False
        except (OSError, ValueError, RuntimeError) as error:
            self._say(f"Could not save {path.name}: {error}", error=True)
            return False
        self._say(f"Saved {path}")
        return True
