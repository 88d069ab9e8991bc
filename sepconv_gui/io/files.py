"""Atomic file writes: a crash or a full disk never leaves a half-written file behind.

Every file the app writes (designs, exports, statistics, benchmark reports) goes through here,
so all of them behave alike:

- the data goes to a hidden temporary file beside the target, then one rename puts it in
  place: readers see the old file or the new one, never a mixture;
- a replaced file keeps its permission bits; a new one gets what the umask allows (normally
  0644), as a plain ``open(path, "w")`` would give it (``mkstemp`` alone makes 0600);
- a symlink is written through: its target gets the new data and the link stays a link;
- errors name the path the user gave, never the temporary file.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


class PartialWriteError(OSError):
    """A multi-file write stopped after some files were already in place (``written``)."""

    def __init__(self, message: str, written: list[Path]) -> None:
        super().__init__(message)
        self.written = written


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (see the module notes)."""
    target = _through_links(path)
    try:
        temporary = _write_hidden(target.parent, target.name, data, _mode_for(target))
    except OSError as error:
        raise _naming(error, path) from None
    try:
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _naming(error, path) from None
    _sync_folder(target.parent)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_files_atomic(files: Iterable[tuple[str | os.PathLike, bytes]]) -> list[Path]:
    """Write several files all or nothing; returns the paths written.

    ``files`` may be a generator, so each file's bytes can be made just before they are
    written. Everything first goes into a hidden staging folder beside the targets (the same
    file system, so putting the files in place is a rename each); a failure while writing
    (a full disk, say) removes the staging folder and leaves every target as it was. Only a
    rename can still fail after that, which takes no space; then :class:`PartialWriteError`
    lists exactly the files already in place.
    """
    staged: list[tuple[Path, Path, str | os.PathLike]] = []  # (temporary, target, as given)
    staging: dict[Path, Path] = {}  # target folder -> its staging folder
    try:
        for path, data in files:
            target = _through_links(path)
            try:
                folder = staging.get(target.parent)
                if folder is None:
                    folder = Path(tempfile.mkdtemp(prefix=".sepconv-write-", dir=target.parent))
                    staging[target.parent] = folder
                temporary = folder / target.name
                if any(temporary == done for done, _, _ in staged):
                    raise ValueError(f"{path} is named twice in one write")
                _write_file(temporary, data, _mode_for(target))
            except OSError as error:
                raise _naming(error, path, "; nothing was written") from None
            staged.append((temporary, target, path))
        written: list[Path] = []
        for temporary, target, path in staged:
            try:
                os.replace(temporary, target)
            except OSError as error:
                raise PartialWriteError(_partial(error, path, written, len(staged)), written)
            written.append(Path(path))
        for folder in staging:
            _sync_folder(folder)
        return written
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)


# --- helpers ---------------------------------------------------------------------------------


def _through_links(path: str | os.PathLike) -> Path:
    """Where the bytes for ``path`` must go: a symlink's final target, else ``path``."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # Linux states the umask in /proc; setting it to read it back (the portable way) changes
    # it for every thread of the process for a moment, so that is only the fallback.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_hidden(folder: Path, name: str, data: bytes, mode: int) -> str:
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            _fill(stream, data, mode)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _write_file(path: Path, data: bytes, mode: int) -> None:
    with open(path, "xb") as stream:
        _fill(stream, data, mode)


def _fill(stream, data: bytes, mode: int) -> None:
    stream.write(data)
    stream.flush()
    os.fchmod(stream.fileno(), mode)
    os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every system can open a folder, so best effort."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _naming(error: OSError, path: str | os.PathLike, note: str = "") -> OSError:
    """``error`` again, naming the user's ``path`` instead of a temporary file."""
    reason = error.strerror or str(error)
    named = type(error)(error.errno, f"{reason}{note}", os.fspath(path))
    return named if error.errno is not None else OSError(f"{os.fspath(path)}: {reason}{note}")


def _partial(error: OSError, path, written: list[Path], total: int) -> str:
    placed = ", ".join(str(p) for p in written) or "none"
    return (
        f"Could not put {os.fspath(path)} in place: {error.strerror or error}. "
        f"{len(written)} of {total} files were written ({placed}); the rest were not."
    )
