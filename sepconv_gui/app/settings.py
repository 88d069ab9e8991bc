"""What the app remembers between runs, on top of QSettings.

Values are read back with an explicit ``type=``: on Linux, QSettings' INI backend returns
strings otherwise. Organization and application names are set in :func:`configure`, before
anything reads a setting.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QStandardPaths

from .state import Design, DesignError

ORGANIZATION = "sepconv-gui"
APPLICATION = "sepconv-gui"
MAX_RECENT = 10


def configure() -> None:
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


class AppSettings:
    def __init__(self) -> None:
        configure()
        self._qs = QSettings()

    def sync(self) -> None:
        self._qs.sync()

    # --- recent files -----------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self._qs.value("recentFiles", [], type=list)
        return [str(v) for v in value if v][:MAX_RECENT]

    def add_recent_file(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self._qs.setValue("recentFiles", files[:MAX_RECENT])
        return files[:MAX_RECENT]

    def clear_recent_files(self) -> None:
        self._qs.setValue("recentFiles", [])

    # --- window layout ----------------------------------------------------------------------
    def window_layout(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self._qs.value("window/geometry", None, type=QByteArray)
        state = self._qs.value("window/state", None, type=QByteArray)
        return geometry or None, state or None

    def save_window_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)

    # --- source and design ------------------------------------------------------------------
    # No "last source": the app opens on a bundled sample or what the command line names, so a
    # camera never switches itself on at start-up; File > Recent reopens files.
    def camera_resolution(self) -> str:
        """Requested camera size like "1280x720", or "" for the camera's own default."""
        return self._qs.value("cameraResolution", "", type=str)

    def set_camera_resolution(self, size: str) -> None:
        self._qs.setValue("cameraResolution", size)

    def engine_threads(self) -> int:
        """The engine's thread cap chosen in View > Engine threads; 0 = automatic."""
        return max(0, self._qs.value("engineThreads", 0, type=int))

    def set_engine_threads(self, count: int) -> None:
        self._qs.setValue("engineThreads", int(count))

    @staticmethod
    def data_folder() -> Path:
        """Where the app keeps files too big for the settings (e.g. an imported bank)."""
        return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))

    def last_design(self) -> Design | None:
        """The design of the last session, or None if there is none or it no longer loads."""
        text = self._qs.value("lastDesign", "", type=str)
        if not text:
            return None
        try:
            return Design.from_json(text)
        except DesignError:
            return None

    def set_last_design(self, design: Design) -> None:
        """Remember ``design``. Arrays too big for the settings file (an imported bank, a
        network-sized pointwise matrix) go to the app's data folder as .npy, and the stored
        JSON names them by absolute path."""
        from .design_file import arrays_beside, write_arrays

        folder = self.data_folder()
        if arrays_beside(design):
            folder.mkdir(parents=True, exist_ok=True)
        files = write_arrays(design, folder / "last-design.json", absolute=True)
        self._qs.setValue("lastDesign", design.to_json(files))
