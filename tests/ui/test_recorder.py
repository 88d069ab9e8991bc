"""Recording the demo: an MP4 that decodes to the frames written, at one size, written
atomically, never over an existing file without consent, ended by its limits and by closing."""

import cv2
import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from sepconv_gui.app.state import Design
from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.teach.recorder import Recorder


def decode(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


@pytest.fixture
def colour(qtbot):
    label = QLabel()
    label.setStyleSheet("background: rgb(200, 40, 40)")
    label.setFixedSize(161, 121)  # odd on purpose: the clip is cut to even sides
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    return label


def test_clip_decodes_to_the_frames_and_size_written_and_appears_only_when_done(colour, tmp_path):
    target = tmp_path / "demo.mp4"
    recorder = Recorder(lambda: colour, fps=10)
    recorder.start(target, timed=False)  # takes the first frame
    for _ in range(4):
        recorder.capture()
    assert not target.exists()  # still a hidden temporary file beside it
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".demo.")]
    colour.setFixedSize(320, 60)  # a resize mid-clip keeps the clip's size and the shape
    recorder.capture()
    assert recorder.stop() == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.mp4"]
    frames = decode(target)
    assert len(frames) == 6
    assert {f.shape for f in frames} == {(120, 160, 3)}
    b, g, r = frames[0][60, 80].astype(int)  # BGR: the red came through as red
    assert r > 150 and g < 90 and b < 90
    # 320x60 into 160x120: 160x30 in the middle, black bands above and below (not stretched).
    assert frames[-1][60, 80, 2] > 150 and frames[-1][10, 80].max() < 40


def test_the_time_limit_ends_the_clip_and_says_so(colour, tmp_path, qtbot):
    recorder = Recorder(lambda: colour, fps=10, max_seconds=0.5)
    recorder.start(tmp_path / "short.mp4", timed=False)
    with qtbot.waitSignal(recorder.finished) as said:
        for _ in range(10):
            recorder.capture()
    assert "0 s limit" in said.args[0] or "limit" in said.args[0]
    assert not recorder.recording and len(decode(tmp_path / "short.mp4")) == 5


def test_an_existing_file_is_kept_unless_replacing_was_agreed(colour, tmp_path):
    target = tmp_path / "class.mp4"
    target.write_bytes(b"last year's clip")
    recorder = Recorder(lambda: colour)
    with pytest.raises(FileExistsError):
        recorder.start(target, timed=False)
    assert target.read_bytes() == b"last year's clip" and not recorder.recording
    with pytest.raises(ValueError, match="MP4"):
        recorder.start(tmp_path / "class.gif", timed=False)
    recorder.start(target, overwrite=True, timed=False)
    recorder.stop()
    assert len(decode(target)) == 1


def test_window_shows_the_indicator_and_closing_finishes_the_clip(qtbot, tmp_path):
    window = MainWindow(synchronous=True, design=Design(), open_default=False)
    qtbot.addWidget(window)
    window.controller.show_image(np.full((48, 64, 3), 0.5, np.float32), "grey.png")
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    target = tmp_path / "lesson.mp4"
    window.recorder.start(target, timed=False)
    window.recorder.capture()
    indicator = window.findChild(QLabel, "recordingIndicator")
    assert indicator.isVisible() and indicator.text().startswith("● REC 0:00")
    window.presentation.enter()  # the presentation is what gets recorded now
    assert window.presentation.view.recording.text().startswith("● REC")
    window.recorder.capture()
    window.presentation.leave()
    window.close()
    assert not window.recorder.recording
    frames = decode(target)
    central = window.centralWidget()
    assert len(frames) == 3
    assert frames[0].shape[:2] == (central.height() // 2 * 2, central.width() // 2 * 2)
