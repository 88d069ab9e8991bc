"""Hand-built image files for the loader tests: exact bytes, no third-party encoder needed."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_raw(
    width: int, height: int, colour_type: int, depth: int, rows: bytes, extra: bytes = b""
) -> bytes:
    """A PNG whose IHDR says what we like, whatever the pixel data really holds."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + extra
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def png_grey_alpha(pixels: np.ndarray) -> bytes:
    """PNG colour type 4 (grey + alpha), 8-bit; OpenCV cannot write this one."""
    height, width = pixels.shape[:2]
    rows = b"".join(b"\x00" + pixels[y].astype(np.uint8).tobytes() for y in range(height))
    return png_raw(width, height, 4, 8, rows)


def encode(ext: str, bgr: np.ndarray, *params: int) -> bytes:
    ok, buffer = cv2.imencode(ext, bgr, list(params))
    assert ok, ext
    return buffer.tobytes()


def exif_tiff(orientation: int, byte_order: str = "<") -> bytes:
    """A minimal EXIF (TIFF) block: one directory with only the Orientation tag."""
    magic = b"II*\x00" if byte_order == "<" else b"MM\x00*"
    entry = struct.pack(byte_order + "HHIHH", 0x0112, 3, 1, orientation, 0)
    return magic + struct.pack(byte_order + "IH", 8, 1) + entry + struct.pack(byte_order + "I", 0)


def jpeg_with_exif(bgr: np.ndarray, exif: bytes) -> bytes:
    """A JPEG with an APP1 Exif segment right after SOI, where cameras put it."""
    payload = b"Exif\x00\x00" + exif
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    jpeg = encode(".jpg", bgr, cv2.IMWRITE_JPEG_QUALITY, 95)
    return jpeg[:2] + app1 + jpeg[2:]


def png_with_exif(bgra: np.ndarray, exif: bytes) -> bytes:
    """An OpenCV-written PNG with an eXIf chunk inserted right after IHDR."""
    png = encode(".png", bgra)
    return png[:33] + png_chunk(b"eXIf", exif) + png[33:]


def webp_with_exif(bgr: np.ndarray, exif: bytes) -> bytes:
    """A lossless WebP in the extended (VP8X) layout with an EXIF chunk."""
    simple = encode(".webp", bgr, cv2.IMWRITE_WEBP_QUALITY, 101)
    height, width = bgr.shape[:2]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return kind + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1)

    vp8x = chunk(
        b"VP8X",
        bytes([0x08, 0, 0, 0])
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little"),
    )
    body = b"WEBP" + vp8x + simple[12:] + chunk(b"EXIF", exif)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tiff_rgb(rgb: np.ndarray, orientation: int) -> bytes:
    """An uncompressed 8-bit RGB TIFF with an Orientation tag, little-endian."""
    height, width = rgb.shape[:2]
    entries = [
        (256, 3, 1, width),
        (257, 3, 1, height),
        (258, 3, 3, None),
        (259, 3, 1, 1),
        (262, 3, 1, 2),
        (273, 4, 1, None),
        (274, 3, 1, orientation),
        (277, 3, 1, 3),
        (278, 3, 1, height),
        (279, 4, 1, rgb.nbytes),
        (284, 3, 1, 1),
    ]
    bits_at = 8 + 2 + 12 * len(entries) + 4
    data_at = bits_at + 6
    out = b"II*\x00" + struct.pack("<IH", 8, len(entries))
    for tag, kind, count, value in entries:
        value = {258: bits_at, 273: data_at}.get(tag, value)
        if kind == 3 and count == 1:
            out += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, count, value)
    return out + struct.pack("<I", 0) + struct.pack("<HHH", 8, 8, 8) + rgb.tobytes()


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small valid JPEG whose SOF0 header is rewritten to claim ``width`` × ``height``."""
    data = bytearray(encode(".jpg", np.zeros((8, 8, 3), np.uint8)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def marked_bgr(height: int = 48, width: int = 64) -> np.ndarray:
    """Grey image with a red block in the top-left corner, to see where "up" went."""
    bgr = np.full((height, width, 3), 128, np.uint8)
    bgr[: height // 3, : width // 3] = (0, 0, 255)
    return bgr
