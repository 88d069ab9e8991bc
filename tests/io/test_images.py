"""load_image on a generated corpus: good files load right, bad ones fail with a clear message."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from sepconv_gui.io import images
from sepconv_gui.io.images import (
    IMAGE_SUFFIXES,
    ImageLoadError,
    fit_for_live,
    load_image,
    to_float_rgb,
    working_size,
)

from . import corpus


def write(folder, name: str, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


def expected_upright(data: bytes) -> np.ndarray:
    """What OpenCV's own orientation-aware path gives, converted like load_image does."""
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return bgr[..., ::-1].astype(np.float32) / np.float32(255)


# --- what loads, and how ------------------------------------------------------------------


def test_colour_png_is_rgb_float32_in_unit_range(tmp_path):
    bgr = np.zeros((3, 4, 3), np.uint8)
    bgr[0, 0] = (0, 0, 255)  # red in OpenCV's BGR order
    bgr[2, 3] = (255, 0, 0)  # blue
    image = load_image(write(tmp_path, "c.png", corpus.encode(".png", bgr)))
    assert image.shape == (3, 4, 3) and image.dtype == np.float32
    assert image.flags.c_contiguous
    np.testing.assert_array_equal(image[0, 0], [1, 0, 0])
    np.testing.assert_array_equal(image[2, 3], [0, 0, 1])
    assert image.min() == 0.0 and image.max() == 1.0


def test_grey_png_stays_two_dimensional(tmp_path):
    grey = np.array([[0, 51], [204, 255]], np.uint8)
    image = load_image(write(tmp_path, "g.png", corpus.encode(".png", grey)))
    assert image.shape == (2, 2)
    np.testing.assert_allclose(image, [[0, 0.2], [0.8, 1]], atol=1e-7)


def test_sixteen_bit_png_is_divided_by_65535(tmp_path):
    grey = np.array([[0, 257, 1000, 65535]], np.uint16)
    image = load_image(write(tmp_path, "g16.png", corpus.encode(".png", grey)))
    assert image.dtype == np.float32
    np.testing.assert_allclose(image, grey / 65535.0, rtol=1e-6)
    # 1000 / 65535 keeps the precision an 8-bit path would have thrown away.
    assert 0.0152 < image[0, 2] < 0.0153


def test_sixteen_bit_colour_png_keeps_channel_order(tmp_path):
    bgr = np.zeros((1, 2, 3), np.uint16)
    bgr[0, 0] = (0, 0, 65535)
    bgr[0, 1] = (30000, 0, 0)
    image = load_image(write(tmp_path, "c16.png", corpus.encode(".png", bgr)))
    np.testing.assert_allclose(image[0, 0], [1, 0, 0])
    np.testing.assert_allclose(image[0, 1], [0, 0, 30000 / 65535], rtol=1e-6)


def test_alpha_is_composited_onto_white(tmp_path):
    bgra = np.zeros((1, 3, 4), np.uint8)
    bgra[0, 0] = (0, 0, 255, 255)  # opaque red
    bgra[0, 1] = (0, 0, 0, 0)  # transparent black: hidden colour must not show
    bgra[0, 2] = (0, 0, 255, 51)  # red at 20 % over white
    image = load_image(write(tmp_path, "a.png", corpus.encode(".png", bgra)))
    assert image.shape == (1, 3, 3)
    np.testing.assert_allclose(image[0, 0], [1, 0, 0])
    np.testing.assert_allclose(image[0, 1], [1, 1, 1])
    np.testing.assert_allclose(image[0, 2], [1, 0.8, 0.8], atol=1e-6)


def test_grey_with_alpha_stays_grey_and_is_composited(tmp_path):
    pixels = np.array([[[100, 255], [0, 0], [0, 102]]], np.uint8)  # (grey, alpha) pairs
    image = load_image(write(tmp_path, "ga.png", corpus.png_grey_alpha(pixels)))
    assert image.shape == (1, 3)
    np.testing.assert_allclose(image[0], [100 / 255, 1.0, 0.6], atol=1e-6)


def test_one_pixel_image(tmp_path):
    image = load_image(
        write(tmp_path, "dot.png", corpus.encode(".png", np.full((1, 1, 3), 255, np.uint8)))
    )
    assert image.shape == (1, 1, 3)
    np.testing.assert_array_equal(image, np.ones((1, 1, 3), np.float32))


def test_non_ascii_file_name(tmp_path):
    folder = tmp_path / "ordner_ß"
    folder.mkdir()
    path = write(folder, "bild_äöü_图像.png", corpus.encode(".png", corpus.marked_bgr()))
    image = load_image(str(path))
    assert image.shape == (48, 64, 3)
    np.testing.assert_allclose(image[0, 0], [1, 0, 0])


def test_jpeg_and_other_formats_load(tmp_path):
    bgr = corpus.marked_bgr()
    for ext in (".jpg", ".bmp", ".tiff", ".webp", ".ppm"):
        image = load_image(write(tmp_path, "m" + ext, corpus.encode(ext, bgr)))
        assert image.shape == (48, 64, 3), ext
        assert image[2, 2, 0] > 0.9 and image[2, 2, 1] < 0.1, ext  # red stays red
        assert abs(image[40, 60, 0] - 128 / 255) < 0.03, ext


# --- EXIF orientation ----------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_orientation_matches_opencvs_upright_decoding(tmp_path, orientation):
    data = corpus.jpeg_with_exif(corpus.marked_bgr(), corpus.exif_tiff(orientation))
    image = load_image(write(tmp_path, "o.jpg", data))
    np.testing.assert_array_equal(image, expected_upright(data))
    transposed = orientation >= 5
    assert image.shape == ((64, 48, 3) if transposed else (48, 64, 3))


def test_orientation_six_turns_the_picture_clockwise(tmp_path):
    data = corpus.jpeg_with_exif(corpus.marked_bgr(), corpus.exif_tiff(6, byte_order=">"))
    image = load_image(write(tmp_path, "cw.jpg", data))
    assert image.shape == (64, 48, 3)
    # The stored top-left corner is now top-right.
    assert image[2, -3, 0] > 0.9 and image[2, -3, 1] < 0.1
    assert image[2, 2, 0] < 0.6


def test_orientation_is_applied_to_png_with_alpha(tmp_path):
    # IMREAD_UNCHANGED keeps alpha but ignores EXIF, so load_image must orient it itself.
    bgra = np.dstack([corpus.marked_bgr(), np.full((48, 64), 255, np.uint8)])
    bgra[-1, -1, 3] = 0
    image = load_image(write(tmp_path, "oa.png", corpus.png_with_exif(bgra, corpus.exif_tiff(8))))
    assert image.shape == (64, 48, 3)
    # Orientation 8 turns counter-clockwise: stored top-left lands bottom-left.
    np.testing.assert_allclose(image[-1, 0], [1, 0, 0])
    np.testing.assert_allclose(image[0, -1], [1, 1, 1])  # the transparent corner, on white


def test_webp_orientation_matches_opencv(tmp_path):
    data = corpus.webp_with_exif(corpus.marked_bgr(), corpus.exif_tiff(6))
    image = load_image(write(tmp_path, "o.webp", data))
    np.testing.assert_array_equal(image, expected_upright(data))
    assert image.shape == (64, 48, 3)


def test_tiff_orientation_is_not_applied_twice(tmp_path):
    # libtiff orients TIFFs itself; a second rotation would turn the picture back.
    rgb = corpus.marked_bgr()[..., ::-1].copy()
    data = corpus.tiff_rgb(rgb, orientation=6)
    image = load_image(write(tmp_path, "o.tif", data))
    np.testing.assert_array_equal(image, expected_upright(data))
    assert image.shape == (64, 48, 3) and image[2, -3, 0] == 1.0


def test_broken_exif_is_ignored(tmp_path):
    data = corpus.jpeg_with_exif(corpus.marked_bgr(), b"II*\x00\xff\xff\xff\x7f garbage")
    image = load_image(write(tmp_path, "bad_exif.jpg", data))
    assert image.shape == (48, 64, 3)


# --- what is refused, and what the user reads ----------------------------------------------


def refused(path, **kwargs) -> str:
    with pytest.raises(ImageLoadError) as info:
        load_image(path, **kwargs)
    return str(info.value)


def test_missing_file(tmp_path):
    message = refused(tmp_path / "nowhere.png")
    assert "nowhere.png" in message and "does not exist" in message


def test_directory(tmp_path):
    assert "is a folder, not an image file" in refused(tmp_path)


def test_empty_file(tmp_path):
    assert "is empty (0 bytes)" in refused(write(tmp_path, "empty.png", b""))


def test_text_named_png(tmp_path):
    message = refused(write(tmp_path, "notes.png", b"shopping list: milk, eggs\n" * 20))
    assert '"notes.png"' in message and "not an image this app can read" in message


def test_truncated_png(tmp_path):
    rng = np.random.default_rng(0)
    data = corpus.encode(".png", rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    message = refused(write(tmp_path, "cut.png", data[: len(data) // 2]))
    assert "PNG data is damaged or incomplete" in message


def test_truncated_jpeg(tmp_path):
    smooth = cv2.GaussianBlur(
        np.random.default_rng(1).integers(0, 256, (64, 64, 3), np.uint8), (9, 9), 3
    )
    data = corpus.encode(".jpg", smooth)
    for cut in (len(data) // 2, len(data) - 2, 40):  # mid-scan, only EOI missing, in headers
        message = refused(write(tmp_path, "cut.jpg", data[:cut]))
        assert "JPEG data is damaged or incomplete" in message, cut


def test_corrupt_png_data(tmp_path):
    data = bytearray(corpus.encode(".png", corpus.marked_bgr()))
    data[50] ^= 0xFF  # a flipped byte inside the compressed pixel data
    assert "damaged or incomplete" in refused(write(tmp_path, "crc.png", bytes(data)))


def test_over_the_pixel_limit(tmp_path, monkeypatch):
    path = write(tmp_path, "big.png", corpus.encode(".png", np.zeros((20, 30), np.uint8)))
    monkeypatch.setattr(images, "MAX_PIXELS", 599)
    message = refused(path)
    assert "30 × 20 pixels" in message and "limit" in message
    monkeypatch.setattr(images, "MAX_PIXELS", 600)
    assert load_image(path).shape == (20, 30)
    assert "limit of 0.0 MP" in refused(path, max_pixels=10)


def no_decoding(*_args, **_kwargs):
    raise AssertionError("the header check should have refused this before decoding")


def test_png_bomb_is_refused_from_its_header(tmp_path, monkeypatch):
    # 10 gigapixels declared in a file of about a hundred bytes.
    data = corpus.png_raw(100_000, 100_000, 2, 8, b"\x00" * 64)
    path = write(tmp_path, "bomb.png", data)
    monkeypatch.setattr(images.cv2, "imdecode", no_decoding)
    message = refused(path)
    assert "100000 × 100000 pixels (10000.0 MP)" in message and "limit of 64.0 MP" in message


def test_jpeg_bomb_is_refused_from_its_header(tmp_path, monkeypatch):
    path = write(tmp_path, "bomb.jpg", corpus.jpeg_declaring(60_000, 50_000))
    monkeypatch.setattr(images.cv2, "imdecode", no_decoding)
    assert "60000 × 50000 pixels" in refused(path)


def test_opencvs_own_size_limit_becomes_a_load_error(tmp_path):
    # Radiance HDR is not parsed here, so this reaches OpenCV, which raises cv2.error.
    data = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 70000 +X 70000\n" + b"\x00" * 64
    message = refused(write(tmp_path, "huge.hdr", data))
    assert "more pixels than OpenCV accepts" in message


def test_unreadable_sample_type_is_refused(tmp_path):
    with pytest.raises(ImageLoadError, match="int32 samples are not supported"):
        images._to_float(tmp_path / "x.tif", np.zeros((2, 2), np.int32), gray=False)


# --- sizes for the live view ---------------------------------------------------------------


def test_working_size_keeps_small_images_and_aspect_ratio():
    assert working_size((480, 640, 3)) == (480, 640)
    assert working_size((1080, 1920)) == (1080, 1920)  # full HD is within the default budget
    height, width = working_size((3000, 4000, 3), max_pixels=2_000_000)
    assert height * width <= 2_000_000
    assert height * width > 1_990_000
    assert abs(width / height - 4 / 3) < 0.01


def test_working_size_extremes():
    assert working_size((1, 10_000_000), max_pixels=1000) == (1, 1000)
    assert working_size((7, 7), max_pixels=1) == (1, 1)
    with pytest.raises(ValueError):
        working_size((10, 10), max_pixels=0)


def test_fit_for_live_averages_with_inter_area():
    small = np.zeros((10, 10, 3), np.float32)
    assert fit_for_live(small, max_pixels=100) is small  # no copy when it fits
    board = (np.indices((400, 600)).sum(axis=0) % 2).astype(np.float32)  # 1-pixel checkerboard
    shrunk = fit_for_live(board, max_pixels=60_000)
    assert shrunk.shape == working_size(board.shape, 60_000) == (200, 300)
    assert shrunk.dtype == np.float32
    # Area averaging turns the finest detail into its mean; skipping pixels would alias it.
    np.testing.assert_allclose(shrunk, 0.5, atol=1e-6)


def test_to_float_rgb_for_frames():
    grey = np.array([[0, 255]], np.uint8)
    rgb = to_float_rgb(grey)
    assert rgb.shape == (1, 2, 3)
    np.testing.assert_array_equal(rgb[0, 1], [1, 1, 1])
    bgr = np.array([[[255, 0, 0]]], np.uint8)
    np.testing.assert_array_equal(to_float_rgb(bgr)[0, 0], [0, 0, 1])


def test_image_suffixes_are_lower_case_with_dots():
    assert {".png", ".jpg", ".jpeg", ".tif", ".webp", ".bmp"} <= set(IMAGE_SUFFIXES)
    assert all(s.startswith(".") and s == s.lower() for s in IMAGE_SUFFIXES)
