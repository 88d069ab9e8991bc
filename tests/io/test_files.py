"""The one atomic writer: modes kept, links followed, the user's path in every error, and
multi-file writes that leave all or nothing."""

import os
import stat

import pytest

from sepconv_gui.io import files
from sepconv_gui.io.files import PartialWriteError, write_files_atomic, write_text_atomic


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


@pytest.mark.parametrize("kept", [0o644, 0o600, 0o755, 0o640])
def test_a_replaced_file_keeps_its_mode(tmp_path, kept):
    target = tmp_path / "design.json"
    target.write_text("old")
    os.chmod(target, kept)
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and mode(target) == kept


def test_a_new_file_follows_the_umask(tmp_path, umask_027):
    write_text_atomic(tmp_path / "new.json", "{}")
    assert mode(tmp_path / "new.json") == 0o640  # 0666 less the umask, not mkstemp's 0600


def test_a_new_file_under_the_usual_umask_is_0644(tmp_path):
    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "stats.json", "{}")
    finally:
        os.umask(old)
    assert mode(tmp_path / "stats.json") == 0o644


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "design.json"
    real.write_text("old")
    os.chmod(real, 0o664)
    link = tmp_path / "link.json"
    link.symlink_to(os.path.relpath(real, tmp_path))
    write_text_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "design.json")
    assert real.read_text() == "new" and mode(real) == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "later.json")
    write_text_atomic(link, "made")
    assert link.is_symlink() and (tmp_path / "later.json").read_text() == "made"


def test_errors_name_the_users_path_not_the_temporary_file(tmp_path):
    target = tmp_path / "missing folder" / "design.json"
    with pytest.raises(FileNotFoundError) as error:
        write_text_atomic(target, "x")
    assert error.value.filename == str(target)
    assert str(target) in str(error.value) and ".tmp" not in str(error.value)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "stats.json"
    target.write_text("old")

    def full(stream, data, mode):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_fill", full)
    with pytest.raises(OSError, match="No space left") as error:
        write_text_atomic(target, "new")
    assert error.value.filename == str(target)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["stats.json"]


def nine_files(folder):
    return [(folder / f"f{i}.png", f"data {i}".encode()) for i in range(9)]


def test_many_files_all_appear_with_the_usual_modes(tmp_path, umask_027):
    (tmp_path / "f3.png").write_bytes(b"old")
    os.chmod(tmp_path / "f3.png", 0o604)
    written = write_files_atomic(nine_files(tmp_path))
    assert written == [path for path, _ in nine_files(tmp_path)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"f{i}.png" for i in range(9)]
    assert (tmp_path / "f3.png").read_bytes() == b"data 3"
    assert mode(tmp_path / "f3.png") == 0o604 and mode(tmp_path / "f4.png") == 0o640


def test_a_disk_that_fills_up_midway_leaves_nothing(tmp_path, monkeypatch):
    (tmp_path / "f1.png").write_bytes(b"old")
    real_fill, calls = files._fill, []

    def fills_up(stream, data, mode):
        calls.append(data)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real_fill(stream, data, mode)

    monkeypatch.setattr(files, "_fill", fills_up)
    with pytest.raises(OSError, match="nothing was written") as error:
        write_files_atomic(nine_files(tmp_path))
    assert error.value.filename == str(tmp_path / "f4.png")
    assert [p.name for p in tmp_path.iterdir()] == ["f1.png"]  # no staging folder either
    assert (tmp_path / "f1.png").read_bytes() == b"old"


def test_a_failing_rename_lists_exactly_what_was_written(tmp_path, monkeypatch):
    real_replace, calls = os.replace, []

    def third_fails(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(13, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", third_fails)
    with pytest.raises(PartialWriteError) as error:
        write_files_atomic(nine_files(tmp_path))
    placed = [tmp_path / "f0.png", tmp_path / "f1.png"]
    assert error.value.written == placed
    assert "2 of 9 files were written" in str(error.value) and "f2.png" in str(error.value)
    assert sorted(tmp_path.iterdir()) == placed
