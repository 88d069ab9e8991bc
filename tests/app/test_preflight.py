"""What a scripted run checks before a window exists: each refusal, its code, its wording."""

import cv2
import numpy as np
import pytest

from sepconv_gui.app import preflight
from sepconv_gui.app.preflight import ExitCode, Refused, check_inputs, check_writable
from sepconv_gui.app.state import Design


def test_output_under_a_file_is_refused_with_the_users_path(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    target = tmp_path / "notes.txt" / "stats.json"
    with pytest.raises(Refused) as refusal:
        check_writable(str(target), "statistics to")
    assert refusal.value.code == ExitCode.WRITE_FAILED
    assert str(target) in str(refusal.value) and ".probe" not in str(refusal.value)


def test_output_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(Refused) as refusal:
        check_writable(str(tmp_path), "the screenshot to")
    assert refusal.value.code == ExitCode.WRITE_FAILED and "folder" in str(refusal.value)


def test_a_writable_output_leaves_nothing_behind(tmp_path):
    check_writable(str(tmp_path / "stats.json"), "statistics to")
    assert list(tmp_path.iterdir()) == []


def test_interactive_starts_leave_file_contents_to_the_window(tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"not an image")
    inputs = check_inputs(design_path=None, source=None, path=str(fake), scripted=False)
    assert inputs.spec.kind == "image"
    with pytest.raises(Refused) as refusal:
        check_inputs(design_path=None, source=None, path=str(fake), scripted=True)
    assert refusal.value.code == ExitCode.BAD_INPUT and "fake.png" in str(refusal.value)


def test_a_video_path_is_opened_as_a_video(tmp_path):
    inputs = check_inputs(
        design_path=None, source=None, path=str(tmp_path / "Clip.MP4"), scripted=False
    )
    assert inputs.spec.kind == "video"
    with pytest.raises(Refused, match="Clip.MP4"):
        check_inputs(design_path=None, source=None, path=str(tmp_path / "Clip.MP4"), scripted=True)


def test_a_good_still_passes(tmp_path):
    path = tmp_path / "good.png"
    cv2.imwrite(str(path), np.full((8, 8, 3), 40, np.uint8))
    assert check_inputs(design_path=None, source=None, path=str(path), scripted=True).spec


def test_a_design_that_loads_but_cannot_run_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "design.json"
    path.write_text(Design().to_json())

    def breaks(image, design):
        raise TypeError("unsupported operand type(s)")

    monkeypatch.setattr(preflight, "run_design", breaks)
    with pytest.raises(Refused) as refusal:
        check_inputs(design_path=str(path), source=None, path=None, scripted=True)
    assert refusal.value.code == ExitCode.BAD_INPUT and "TypeError" in str(refusal.value)
    # An interactive start does not run it: the window reports a failing design itself.
    assert check_inputs(design_path=str(path), source=None, path=None, scripted=False).design


def test_reasons_are_one_line():
    assert str(Refused("first\nsecond\n  third")) == "first second third"


def test_an_output_link_is_checked_where_it_points(tmp_path):
    (tmp_path / "plain").write_text("")
    link = tmp_path / "stats.json"
    link.symlink_to(tmp_path / "plain" / "stats.json")  # into a file: nowhere to write
    with pytest.raises(Refused) as refusal:
        check_writable(str(link), "statistics to")
    assert refusal.value.code == ExitCode.WRITE_FAILED and str(link) in str(refusal.value)
