"""What the app remembers between runs, on top of QSettings.

Values are read back with an explicit ``type=``: on Linux, QSettings' INI backend returns
strings otherwise. Organization and application names are set in :func:`configure`, before
anything reads a setting.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QStandardPaths

from .state import Design, DesignError

ORGANIZATION = "sepconv-gui"
APPLICATION = "sepconv-gui"
MAX_RECENT = 10


_throwaway: Path | None = None  # set by use_throwaway_scope: a scripted run's own folder


def configure() -> None:
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


def use_throwaway_scope() -> Path:
    """From now on settings are read from the user's but written only to a temporary copy
    (deleted at exit), and so are files kept beside them: a scripted run (measurements,
    screenshots, CI) must leave the user's window layout, recent files and design alone."""
    global _throwaway
    if _throwaway is None:
        _throwaway = Path(tempfile.mkdtemp(prefix="sepconv-gui-scripted-"))
        atexit.register(shutil.rmtree, _throwaway, ignore_errors=True)
    return _throwaway


def throwaway_scope() -> Path | None:
    """The folder of :func:`use_throwaway_scope`, or None while settings are the user's."""
    return _throwaway


class AppSettings:
    def __init__(self) -> None:
        configure()
        if _throwaway is None:
            self._qs = QSettings()
        else:  # the user's values, copied into a file nobody reads again
            user = QSettings()
            self._qs = QSettings(str(_throwaway / "settings.ini"), QSettings.IniFormat)
            for key in user.allKeys():
                self._qs.setValue(key, user.value(key))

    def sync(self) -> None:
        self._qs.sync()

    # --- small remembered choices (a dialog's last folder, format, ...) ---------------------
    def remembered(self, key: str, default, kind: type):
        """The value stored under ``key`` as ``kind``, or ``default``."""
        return self._qs.value(key, default, type=kind)

    def remember(self, key: str, value) -> None:
        self._qs.setValue(key, value)

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
        if _throwaway is not None:
            return _throwaway / "data"
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
