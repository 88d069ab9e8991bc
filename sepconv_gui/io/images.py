"""Image files in, float32 arrays out: the one place where pixels enter the app.

:func:`load_image` reads the file's bytes itself and decodes them with ``cv2.imdecode``, which
works for any path the OS accepts (``cv2.imread`` mishandles non-ASCII paths on Windows). It
checks the dimensions the file's header declares (:mod:`.image_headers`) before anything is
decoded, so a small file that claims billions of pixels (a decompression bomb) is refused
without allocating them.

Colour images come out RGB: OpenCV's BGR order is flipped here, once, and nowhere else.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from .image_headers import Header, probe

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
    header = probe(data)
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


def _decode(path: Path, data: bytes, header: Header | None, limit: int) -> np.ndarray:
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
