"""Frame sources: the test pattern, stills, video files, and cameras (faked where none exist)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import pytest

from sepconv_gui.io import camera
from sepconv_gui.io.camera import CameraInfo, CameraSource, list_cameras
from sepconv_gui.io.sources import (
    Frame,
    FrameSource,
    ImageSource,
    PatternSource,
    SourceError,
    VideoFileSource,
)

LEVELS = [0, 40, 80, 120, 160, 200]  # grey level of each frame of the test clip


def check_frame(frame: Frame, width: int, height: int) -> None:
    assert frame.image.shape == (height, width, 3)
    assert frame.image.dtype == np.float32
    assert 0.0 <= frame.image.min() and frame.image.max() <= 1.0


# --- test pattern ----------------------------------------------------------------------------


def test_pattern_frames_are_a_pure_function_of_their_index():
    with PatternSource(160, 120, fps=30, seed=3) as a, PatternSource(160, 120, fps=30, seed=3) as b:
        frames_a = [a.read() for _ in range(4)]
        frames_b = [b.read() for _ in range(4)]
    for fa, fb in zip(frames_a, frames_b, strict=True):
        np.testing.assert_array_equal(fa.image, fb.image)
    np.testing.assert_array_equal(a.frame_at(2).image, frames_a[2].image)
    assert [f.index for f in frames_a] == [0, 1, 2, 3]
    assert frames_a[3].timestamp == pytest.approx(3 / 30)
    check_frame(frames_a[0], 160, 120)


def test_pattern_moves_and_depends_on_the_seed():
    source = PatternSource(160, 120, fps=30)
    first, second = source.frame_at(0).image, source.frame_at(1).image
    assert np.abs(first - second).mean() > 0.005  # consecutive frames differ visibly
    later = source.frame_at(45).image
    assert np.abs(first - later).mean() > 0.05
    other_seed = PatternSource(160, 120, fps=30, seed=1).frame_at(0).image
    assert not np.array_equal(first, other_seed)
    assert first.std() > 0.1  # real content, not a flat field


def test_pattern_reopens_from_the_start_and_needs_opening():
    source = PatternSource(32, 24)
    assert source.size == (32, 24) and source.fps == 30.0 and not source.is_live
    assert "32×24" in source.name
    with pytest.raises(SourceError):
        source.read()
    source.open()
    source.read()
    source.read()
    source.close()
    source.open()
    assert source.read().index == 0


def test_pattern_rejects_nonsense_sizes():
    with pytest.raises(ValueError):
        PatternSource(0, 10)
    with pytest.raises(ValueError):
        PatternSource(10, 10, fps=0)


# --- still image -----------------------------------------------------------------------------


def test_image_source_repeats_one_read_only_frame():
    grey = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    with ImageSource(grey, name="ramp", fps=5) as source:
        frames = [source.read() for _ in range(3)]
    assert [f.index for f in frames] == [0, 1, 2]
    assert frames[2].timestamp == pytest.approx(0.4)
    check_frame(frames[0], 4, 3)
    np.testing.assert_array_equal(frames[0].image[..., 1], grey)
    assert frames[0].image is frames[2].image
    assert not frames[0].image.flags.writeable
    grey[0, 0] = 0.5  # the caller's array stays its own
    assert frames[0].image[0, 0, 0] == 0.0
    assert source.size == (4, 3) and source.name == "ramp"
    with pytest.raises(ValueError):
        ImageSource(np.zeros((2, 2, 4)))


# --- video files -----------------------------------------------------------------------------


@pytest.fixture
def clip(tmp_path) -> Path:
    path = tmp_path / "clip_видео.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (64, 48))
    assert writer.isOpened()
    for level in LEVELS:
        writer.write(np.full((48, 64, 3), level, np.uint8))
    writer.release()
    return path


def level_of(frame: Frame) -> float:
    return float(frame.image.mean()) * 255


def test_video_reads_every_frame_then_ends(clip):
    with VideoFileSource(clip, loop=False) as source:
        assert source.size == (64, 48) and source.fps == 25.0 and not source.is_live
        frames = []
        while (frame := source.read()) is not None:
            frames.append(frame)
        assert source.read() is None  # and stays ended
    assert len(frames) == len(LEVELS)
    for frame, level in zip(frames, LEVELS, strict=True):
        check_frame(frame, 64, 48)
        assert abs(level_of(frame) - level) < 4
    assert [f.timestamp for f in frames] == pytest.approx([i / 25 for i in range(6)], abs=1e-3)
    assert source.name == clip.name


def test_video_loops_back_to_the_first_frame(clip):
    with VideoFileSource(clip, loop=True) as source:
        frames = [source.read() for _ in range(15)]
    assert [f.index for f in frames] == list(range(15))
    seen = [round(level_of(f) / 40) * 40 for f in frames]
    assert seen == (LEVELS * 3)[:15]


def cut_clip(folder: Path, frames: int = 60, keep: float = 0.4) -> Path:
    """An MJPG AVI of ``frames`` frames (frame i at level 4 i) cut after ``keep`` of its bytes:
    the header still states all the frames, the data holds only the first ones."""
    whole, cut = folder / "whole.avi", folder / "cut.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), 30, (64, 48))
    for index in range(frames):
        writer.write(np.full((48, 64, 3), 4 * index, np.uint8))
    writer.release()
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * keep)])
    return cut


def test_a_video_that_stops_decoding_early_says_so_once_and_plays_on(tmp_path):
    with VideoFileSource(cut_clip(tmp_path), loop=True) as source:
        levels, notices = [], []
        for _ in range(80):
            levels.append(level_of(source.read()))
            notice = source.take_notice()
            if notice:
                notices.append((len(levels), notice))
    # The first pass goes 0, 4, 8, ... until the data runs out, then it starts over.
    decoded = next(i for i in range(1, len(levels)) if levels[i] < 2)
    assert 5 < decoded < 60
    # Frame after frame (FFmpeg may hand out the cut-off last frame as a repeat of the one before)
    assert np.all(np.diff(levels[:decoded]) >= 0) and levels[decoded - 1] > 4 * (decoded - 3)
    assert np.allclose(levels[decoded : 2 * decoded], levels[:decoded], atol=0.5)
    expected = f'"cut.avi": decoding stopped at frame {decoded} of 60; playing what could be read.'
    assert notices == [(decoded + 1, expected)]  # said once, with the first replayed frame


def test_a_whole_video_loops_without_a_notice(clip):
    with VideoFileSource(clip, loop=True) as source:
        for _ in range(15):
            source.read()
            assert source.take_notice() is None


def test_video_errors_are_source_errors(tmp_path, clip):
    with pytest.raises(SourceError, match="does not exist"):
        VideoFileSource(tmp_path / "gone.mp4").open()
    with pytest.raises(SourceError, match="is a folder"):
        VideoFileSource(tmp_path).open()
    text = tmp_path / "notes.avi"
    text.write_text("not a video at all\n" * 50)
    with pytest.raises(SourceError, match="not a video this app can read"):
        VideoFileSource(text).open()
    unopened = VideoFileSource(clip)
    with pytest.raises(SourceError, match="not open"):
        unopened.read()


# --- the interface itself --------------------------------------------------------------------


class BrokenSource(FrameSource):
    """A minimal subclass, as tests and future sources write them."""

    def __init__(self) -> None:
        self.closed = False

    @property
    def name(self) -> str:
        return "broken"

    def open(self) -> None:
        self.closed = False

    def read(self) -> Frame | None:
        raise SourceError("broken stopped delivering frames")

    def close(self) -> None:
        self.closed = True


def test_context_manager_closes_even_when_reading_fails():
    source = BrokenSource()
    with pytest.raises(SourceError), source as opened:
        assert opened is source
        opened.read()
    assert source.closed
    assert source.size is None and source.fps == 30.0 and not source.is_live


# --- cameras ---------------------------------------------------------------------------------


def test_list_cameras_on_this_machine_is_a_list():
    cameras = list_cameras()
    assert isinstance(cameras, list)
    assert all(isinstance(c, CameraInfo) for c in cameras)


def fake_node(root: Path, node: str, name: str | None, index: str | None) -> None:
    folder = root / node
    folder.mkdir(parents=True)
    if name is not None:
        (folder / "name").write_text(name + "\n")
    if index is not None:
        (folder / "index").write_text(index + "\n")


def test_list_cameras_reads_a_sysfs_tree_and_skips_metadata_nodes(tmp_path):
    fake_node(tmp_path, "video0", "Integrated Camera: Integrated C", "0")
    fake_node(tmp_path, "video1", "Integrated Camera: Integrated C", "1")  # UVC metadata node
    fake_node(tmp_path, "video10", "USB Microscope", "0")
    fake_node(tmp_path, "video2", None, None)  # bare node: kept, with a made-up name
    fake_node(tmp_path, "video3", "Odd driver", "garbage")  # unreadable index: kept
    fake_node(tmp_path, "v4l-subdev0", "sensor", "0")  # not a video node at all
    cameras = list_cameras(tmp_path)
    assert [c.index for c in cameras] == [0, 2, 3, 10]
    assert cameras[0] == CameraInfo(0, "Integrated Camera: Integrated C", "/dev/video0")
    assert cameras[1].name == "Camera 2"
    assert cameras[3].name == "USB Microscope" and cameras[3].device == "/dev/video10"


def test_list_cameras_never_raises(tmp_path):
    assert list_cameras(tmp_path / "missing") == []
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    assert list_cameras(not_a_folder) == []


def unused_camera_index() -> int:
    return next(i for i in range(60, 200) if not os.path.exists(f"/dev/video{i}"))


def test_missing_camera_fails_at_open_with_a_message(monkeypatch):
    # set, then delete: monkeypatch then restores the variable's absence after the test
    monkeypatch.setenv(camera.V4L_TIMEOUT_ENV, "")
    monkeypatch.delenv(camera.V4L_TIMEOUT_ENV)
    index = unused_camera_index()
    source = CameraSource(index)
    assert source.is_live and source.name == f"Camera {index}"
    with pytest.raises(SourceError) as info:
        source.open()
    if sys.platform.startswith("linux"):
        assert f"There is no camera {index}" in str(info.value)
        # The select() timeout is in seconds: 1 s per try, not OpenCV's 10 s.
        assert os.environ[camera.V4L_TIMEOUT_ENV] == "1"
    with pytest.raises(SourceError, match="not open"):
        source.read()


class FakeCapture:
    """Stands in for cv2.VideoCapture: ``good`` frames, then nothing but failed reads."""

    instances: ClassVar[list[FakeCapture]] = []

    def __init__(self, index, api=None, good: int = 2) -> None:
        self.index, self.api, self.good, self.reads, self.released = index, api, good, 0, False
        self.props: dict[int, float] = {cv2.CAP_PROP_FPS: 0.0}
        FakeCapture.instances.append(self)

    def isOpened(self) -> bool:
        return True

    def set(self, prop: int, value: float) -> bool:
        self.props[prop] = value
        return True

    def get(self, prop: int) -> float:
        return self.props.get(prop, 0.0)

    def read(self):
        self.reads += 1
        if self.reads <= self.good:
            return True, np.full((24, 32, 3), (255, 0, 0), np.uint8)
        return False, None

    def release(self) -> None:
        self.released = True


def test_camera_gives_up_after_consecutive_failed_reads(monkeypatch):
    FakeCapture.instances.clear()
    monkeypatch.setattr(camera.cv2, "VideoCapture", FakeCapture)
    source = CameraSource(0, width=32, height=24, name="Fake cam", max_failures=3)
    source.open()
    fake = FakeCapture.instances[-1]
    assert fake.props[cv2.CAP_PROP_FRAME_WIDTH] == 32
    assert source.fps == 30.0  # the driver said 0: fall back rather than divide by zero
    frames = [source.read(), source.read()]
    assert [f.index for f in frames] == [0, 1]
    np.testing.assert_array_equal(frames[0].image[0, 0], [0, 0, 1])  # BGR blue -> RGB blue
    assert source.size == (32, 24)
    with pytest.raises(SourceError, match="Fake cam stopped delivering frames"):
        source.read()
    assert fake.reads == 2 + 3
    source.close()
    assert fake.released
