"""Image files in, float32 arrays out: the one place where pixels enter the app.

:func:`load_image` reads the file's bytes itself and decodes them with ``cv2.imdecode``, which
works for any path the OS accepts (``cv2.imread`` mishandles non-ASCII paths on Windows). It
checks the dimensions the file's header declares before anything is decoded, so a small file
that claims billions of pixels (a decompression bomb) is refused without allocating them.

Colour images come out RGB: OpenCV's BGR order is flipped here, once, and nowhere else.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

MAX_PIXELS = 64_000_000
"""Most pixels (width × height) :func:`load_image` accepts: 64 MP.

Larger than any phone or DSLR photo in common use, small enough that the float32 RGB copy
(768 MB) and the engine's intermediates fit in memory. Read at call time, so tests and callers
can lower it.
"""

MAX_FILE_BYTES = 1 << 30
"""Largest file :func:`load_image` reads into memory (1 GiB); anything bigger is not a picture
this app can hold, and reading it would be the slow part of the failure."""

LIVE_MAX_PIXELS = 1920 * 1080
"""Pixel budget of the live views: full HD passes unchanged, anything bigger is shrunk by
:func:`fit_for_live` so every kernel change redraws at interactive speed."""

IMAGE_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".jpe",
    ".tif",
    ".tiff",
    ".webp",
    ".bmp",
    ".dib",
    ".gif",
    ".pbm",
    ".pgm",
    ".ppm",
    ".pnm",
    ".pfm",
    ".hdr",
    ".pic",
    ".jp2",
    ".avif",
    ".sr",
    ".ras",
)
"""File name endings offered in open dialogs: what this OpenCV build decodes. Only a hint:
:func:`load_image` goes by the file's content, never by its name."""

# EXIF orientation (1-8) to the numpy view that shows the stored pixels upright. The same
# table as the EXIF spec and OpenCV's IMREAD_COLOR path: transpose first, then flip.
_ORIENTATIONS = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: a.swapaxes(0, 1)[:, ::-1],
    7: lambda a: a.swapaxes(0, 1)[::-1, ::-1],
    8: lambda a: a.swapaxes(0, 1)[::-1],
}


class ImageLoadError(Exception):
    """An image file that cannot be used. ``str(error)`` is a sentence written for the user."""


@dataclass
class _Header:
    """What the container says before any pixel is decoded."""

    kind: str
    width: int | None = None
    height: int | None = None
    gray: bool = False  # stored grey (PNG colour types 0 and 4), even if decoded as BGR(A)
    orientation: int = 1  # EXIF orientation OpenCV does not apply under IMREAD_UNCHANGED
    complete: bool = True


def load_image(
    path: str | Path, *, max_pixels: int | None = None, notes: list[str] | None = None
) -> np.ndarray:
    """Read an image file as float32 in [0, 1].

    Parameters
    ----------
    path : str or Path
        Any file OpenCV can decode: PNG, JPEG, TIFF, WebP, BMP, GIF, PNM, HDR, JPEG 2000, ...
    max_pixels : int, optional
        Refuse images with more pixels than this; defaults to :data:`MAX_PIXELS`.
    notes : list of str, optional
        Sentences about what was changed on the way in are appended here (transparency
        filled with white), for the app to tell the user once.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` RGB for colour files, ``(H, W)`` for grey ones, float32, C-contiguous.
        8-bit samples are divided by 255 and 16-bit ones by 65535; floating-point files (HDR,
        float TIFF) are clipped to [0, 1]. The EXIF orientation is applied, so the array is
        upright as a photo viewer shows it.

        Transparency is composited onto **white**: transparent pixels often hold arbitrary
        colour (commonly black) that no viewer shows, and dropping alpha would put those hidden
        colours, and false edges around them, into every convolution. White is what a page
        or document viewer shows behind a transparent image.

    Raises
    ------
    ImageLoadError
        The file is missing, a folder, empty, unreadable, not an image, damaged or truncated,
        too large, or of a sample type this app does not handle. The message says which.
    """
    path = Path(path)
    limit = MAX_PIXELS if max_pixels is None else max_pixels
    data = _read_bytes(path)
    header = _probe(data)
    if header is not None:
        if header.width is not None and header.height is not None:
            _check_pixels(path, header.width, header.height, limit)
        if not header.complete:
            raise ImageLoadError(_damaged(path, header.kind))
    decoded = _decode(path, data, header, limit)
    _check_pixels(path, decoded.shape[1], decoded.shape[0], limit)
    orientation = header.orientation if header is not None else 1
    if orientation in _ORIENTATIONS:
        decoded = _ORIENTATIONS[orientation](decoded)
    return _to_float(path, decoded, gray=header is not None and header.gray, notes=notes)


def downscale_note(original: tuple[int, ...], shown: tuple[int, ...]) -> str | None:
    """What to tell the user when an image of ``original`` shape runs at ``shown`` shape:
    None when the sizes match."""
    (height, width), (new_h, new_w) = original[:2], shown[:2]
    if (height, width) == (new_h, new_w):
        return None
    return (
        f"downscaled from {width}×{height} to {new_w}×{new_h} so edits stay interactive "
        "(Source ▸ Still images at full resolution processes it whole)"
    )


def to_float_rgb(array: np.ndarray) -> np.ndarray:
    """An OpenCV-ordered frame (grey, BGR or BGRA; uint8, uint16 or float) as float32 RGB.

    For video and camera frames, which always feed colour pipelines: grey frames are repeated
    into three channels and alpha is composited onto white as in :func:`load_image`.
    """
    image = _to_float(Path("frame"), array, gray=False)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return image


def working_size(shape: tuple[int, ...], max_pixels: int = LIVE_MAX_PIXELS) -> tuple[int, int]:
    """The ``(height, width)`` to process an image of ``shape`` at, keeping its aspect ratio.

    Unchanged when ``height * width <= max_pixels``; otherwise scaled down uniformly to the
    largest size within the budget (never below 1 × 1).
    """
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be at least 1, got {max_pixels}")
    height, width = int(shape[0]), int(shape[1])
    if height * width <= max_pixels:
        return height, width
    scale = math.sqrt(max_pixels / (height * width))
    new_h, new_w = max(1, int(height * scale)), max(1, int(width * scale))
    while new_h * new_w > max_pixels:  # guards against sqrt rounding up by a hair
        if new_h >= new_w:
            new_h -= 1
        else:
            new_w -= 1
    return new_h, new_w


def fit_for_live(image: np.ndarray, max_pixels: int = LIVE_MAX_PIXELS) -> np.ndarray:
    """``image`` shrunk to :func:`working_size` with area averaging, for the live views.

    Returns the same object when it already fits, so the full-resolution image is kept
    untouched for when the user asks for it. INTER_AREA because it averages every source pixel:
    other filters skip pixels when shrinking and alias exactly the fine detail (zone plates,
    text) this app exists to show.
    """
    new_h, new_w = working_size(image.shape, max_pixels)
    if (new_h, new_w) == image.shape[:2]:
        return image
    return cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)


# --- reading and decoding --------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise ImageLoadError(f'Cannot open "{path}": it is a folder, not an image file.')
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageLoadError(f'Cannot open "{path}": the file does not exist.') from None
    except OSError as error:
        raise ImageLoadError(f'Cannot read "{path}": {error.strerror or error}.') from None
    if size == 0:
        raise ImageLoadError(f'Cannot open "{path.name}": the file is empty (0 bytes).')
    if size > MAX_FILE_BYTES:
        raise ImageLoadError(
            f'Cannot open "{path.name}": the file is {size / 2**20:.0f} MiB, '
            f"more than the {MAX_FILE_BYTES / 2**20:.0f} MiB this app reads."
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImageLoadError(f'Cannot read "{path}": {error.strerror or error}.') from None


def _decode(path: Path, data: bytes, header: _Header | None, limit: int) -> np.ndarray:
    try:
        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except MemoryError:
        raise ImageLoadError(_no_memory(path)) from None
    except cv2.error as error:
        text = str(error)
        if "validateInputImageSize" in text or "MAX_IMAGE" in text:
            raise ImageLoadError(
                f'Cannot open "{path.name}": its header declares more pixels than OpenCV '
                f"accepts; the limit here is {limit / 1e6:.1f} MP."
            ) from None
        if "memory" in text.lower() or "allocate" in text.lower():
            raise ImageLoadError(_no_memory(path)) from None
        raise ImageLoadError(_damaged(path, header.kind if header else None)) from None
    if decoded is None or decoded.size == 0:
        if header is None:
            raise ImageLoadError(
                f'Cannot open "{path.name}": it is not an image this app can read (PNG, JPEG, '
                "TIFF, WebP, BMP, GIF, PNM, ...), or the file is damaged."
            )
        raise ImageLoadError(_damaged(path, header.kind))
    return decoded


def _to_float(
    path: Path, decoded: np.ndarray, *, gray: bool, notes: list[str] | None = None
) -> np.ndarray:
    if decoded.dtype == np.uint8:
        image = decoded.astype(np.float32) / np.float32(255.0)
    elif decoded.dtype == np.uint16:
        image = decoded.astype(np.float32) / np.float32(65535.0)
    elif decoded.dtype.kind == "f":
        # Clip before narrowing: float64 values beyond float32's range would become inf.
        image = np.clip(np.nan_to_num(decoded), 0.0, 1.0).astype(np.float32)
    else:
        raise ImageLoadError(
            f'Cannot open "{path.name}": {decoded.dtype} samples are not '
            "supported (only 8-bit, 16-bit and floating-point)."
        )
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    channels = image.shape[2]
    if channels == 2:  # grey + alpha
        colour, alpha = image[..., 0], image[..., 1]
    elif channels in (3, 4):
        colour = image[..., 2::-1]  # BGR -> RGB
        alpha = image[..., 3:4] if channels == 4 else None
        if gray:  # grey stored, expanded by the decoder: all three channels are equal
            colour = colour[..., 0]
            alpha = alpha[..., 0] if alpha is not None else None
    else:
        raise ImageLoadError(
            f'Cannot open "{path.name}": images with {channels} channels are not supported.'
        )
    if alpha is not None:
        colour = colour * alpha + (1.0 - alpha)  # composite onto white
        if notes is not None and float(alpha.min()) < 1.0:  # an opaque alpha changes nothing
            notes.append("its transparency was filled with white (the alpha channel is not used)")
    return np.ascontiguousarray(colour, dtype=np.float32)


def _check_pixels(path: Path, width: int, height: int, limit: int) -> None:
    if width * height > limit:
        raise ImageLoadError(
            f'Cannot open "{path.name}": it is {width} × {height} pixels '
            f"({width * height / 1e6:.1f} MP), more than the limit of {limit / 1e6:.1f} MP."
        )


def _damaged(path: Path, kind: str | None) -> str:
    what = f"{kind} data" if kind else "image data"
    return (
        f'Cannot open "{path.name}": the {what} is damaged or incomplete '
        "(the file may be truncated)."
    )


def _no_memory(path: Path) -> str:
    return f'Cannot open "{path.name}": there is not enough memory to decode it.'


# --- headers ---------------------------------------------------------------------------------
# Only as much of each container as the checks need: the declared size (to refuse bombs
# before decoding), grey storage, the EXIF orientation, and JPEG completeness. Anything not
# recognised here still goes to OpenCV, whose own size limit then applies.
#
# Pillow's lazy Image.open was weighed as a replacement (2026-11, Pillow 13) and kept out: its
# WebP reader allocates the whole canvas when it opens a file, PNG's getexif() decodes every
# pixel when no eXIf chunk precedes IDAT, and its bomb guard is a process-wide setting whose
# error does not say the declared size. These few readers allocate nothing.


def _probe(data: bytes) -> _Header | None:
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _probe_png(data)
        if data.startswith(b"\xff\xd8"):
            return _probe_jpeg(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _probe_webp(data)
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            tags = _ifd0_tags(data)
            # libtiff applies the TIFF orientation itself, even under IMREAD_UNCHANGED.
            return _Header("TIFF", tags.get(256), tags.get(257))
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack_from("<HH", data, 6)
            return _Header("GIF", width, height)
        if data[:2] == b"BM":
            if struct.unpack_from("<I", data, 14)[0] == 12:  # OS/2 core header: 16-bit sizes
                width, height = struct.unpack_from("<HH", data, 18)
            else:
                width, height = struct.unpack_from("<ii", data, 18)
            return _Header("BMP", abs(width), abs(height))  # negative height = top-down rows
        if len(data) > 2 and data[0:1] == b"P" and data[1:2] in b"123456fF":
            return _probe_pnm(data)
    except (struct.error, IndexError, KeyError, ValueError):
        # A header too short to hold its own fields: the file is cut off.
        return _Header(_kind_of(data), complete=False)
    return None


def _kind_of(data: bytes) -> str:
    for magic, kind in (
        (b"\x89PNG", "PNG"),
        (b"\xff\xd8", "JPEG"),
        (b"RIFF", "WebP"),
        (b"II*", "TIFF"),
        (b"MM\x00", "TIFF"),
        (b"GIF", "GIF"),
        (b"BM", "BMP"),
    ):
        if data.startswith(magic):
            return kind
    return "image"


def _probe_pnm(data: bytes) -> _Header | None:
    lines = data[2:256].split(b"\n")
    tokens = b" ".join(line.split(b"#")[0] for line in lines).split()
    try:
        return _Header("PNM", int(tokens[0]), int(tokens[1]))
    except (IndexError, ValueError):
        return None  # text that happens to start with "P1".."P6": let OpenCV judge it


def _probe_png(data: bytes) -> _Header:
    if data[12:16] != b"IHDR":
        raise ValueError("PNG without IHDR")
    width, height, _depth, colour_type = struct.unpack_from(">IIBB", data, 16)
    header = _Header("PNG", width, height, gray=colour_type in (0, 4))
    pos = 8
    while pos + 8 <= len(data):  # skip from chunk to chunk by length: nothing is inflated
        length, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"eXIf":
            header.orientation = _orientation(data[pos + 8 : pos + 8 + length])
            break
        if kind == b"IEND":
            break
        pos += 12 + length
    return header


def _probe_jpeg(data: bytes) -> _Header:
    header = _Header("JPEG")
    pos = 2
    while True:
        while data[pos] != 0xFF or data[pos + 1] == 0xFF:  # fill bytes between segments
            pos += 1
        marker = data[pos + 1]
        if marker == 0xD9:  # end of image before any scan: nothing to decode
            header.complete = False
            return header
        if 0xD0 <= marker <= 0xD8 or marker == 0x01:  # markers without a length field
            pos += 2
            continue
        length = struct.unpack_from(">H", data, pos + 2)[0]
        segment = data[pos + 4 : pos + 2 + length]
        if marker == 0xE1 and segment.startswith(b"Exif\x00\x00") and header.orientation == 1:
            header.orientation = _orientation(segment[6:])
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # SOFn, not DHT/DAC
            header.height, header.width = struct.unpack_from(">HH", segment, 1)
        elif marker == 0xDA:  # start of scan: entropy-coded data follows
            # FF D9 cannot occur inside entropy-coded data (FF is stuffed as FF 00), so a file
            # without it after the first scan was cut off. Older OpenCV decodes such files
            # "successfully", filling the missing rows with grey.
            header.complete = data.rfind(b"\xff\xd9", pos + 2 + length) != -1
            return header
        pos += 2 + length


def _probe_webp(data: bytes) -> _Header:
    header = _Header("WebP")
    pos = 12
    while pos + 8 <= len(data):
        kind, length = struct.unpack_from("<4sI", data, pos)
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"VP8X":
            header.width = int.from_bytes(body[4:7], "little") + 1
            header.height = int.from_bytes(body[7:10], "little") + 1
        elif kind == b"VP8 " and header.width is None:
            width, height = struct.unpack_from("<HH", body, 6)
            header.width, header.height = width & 0x3FFF, height & 0x3FFF
        elif kind == b"VP8L" and header.width is None:
            bits = int.from_bytes(body[1:5], "little")
            header.width, header.height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        elif kind == b"EXIF":
            # The spec says raw TIFF; some writers keep JPEG's "Exif\0\0" prefix. Accept both.
            header.orientation = _orientation(body.removeprefix(b"Exif\x00\x00"))
        pos += 8 + length + (length & 1)
    return header


def _orientation(tiff: bytes) -> int:
    try:
        value = _ifd0_tags(tiff).get(0x0112, 1)
    except (struct.error, IndexError, KeyError, ValueError):
        return 1  # broken EXIF is common and harmless: show the pixels as stored
    return value if 1 <= value <= 8 else 1


def _ifd0_tags(tiff: bytes) -> dict[int, int]:
    """First value of each SHORT or LONG tag in a TIFF structure's first directory."""
    order = {b"II": "<", b"MM": ">"}[tiff[:2]]
    offset = struct.unpack_from(order + "I", tiff, 4)[0]
    count = struct.unpack_from(order + "H", tiff, offset)[0]
    tags = {}
    for i in range(count):
        tag, kind = struct.unpack_from(order + "HH", tiff, offset + 2 + 12 * i)
        if kind == 3:
            tags[tag] = struct.unpack_from(order + "H", tiff, offset + 10 + 12 * i)[0]
        elif kind == 4:
            tags[tag] = struct.unpack_from(order + "I", tiff, offset + 10 + 12 * i)[0]
    return tags
