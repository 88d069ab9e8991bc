"""What an image file's container declares, read before a single pixel is decoded.

:func:`probe` reads only as much of each container as :func:`~.images.load_image` needs:
the declared size (to refuse decompression bombs before decoding), grey storage, the EXIF
orientation, and JPEG completeness. Anything not recognised here still goes to OpenCV, whose
own size limit then applies.

Pillow's lazy Image.open was weighed as a replacement (2026-11, Pillow 13) and kept out: its
WebP reader allocates the whole canvas when it opens a file, PNG's getexif() decodes every
pixel when no eXIf chunk precedes IDAT, and its bomb guard is a process-wide setting whose
error does not say the declared size. These few readers allocate nothing.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass
class Header:
    """What the container says before any pixel is decoded."""

    kind: str
    width: int | None = None
    height: int | None = None
    gray: bool = False  # stored grey (PNG colour types 0 and 4), even if decoded as BGR(A)
    orientation: int = 1  # EXIF orientation OpenCV does not apply under IMREAD_UNCHANGED
    complete: bool = True


def probe(data: bytes) -> Header | None:
    """The header of ``data``'s container; None for one not recognised here, and
    ``complete=False`` when the header is too short to hold its own fields."""
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
            return Header("TIFF", tags.get(256), tags.get(257))
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack_from("<HH", data, 6)
            return Header("GIF", width, height)
        if data[:2] == b"BM":
            if struct.unpack_from("<I", data, 14)[0] == 12:  # OS/2 core header: 16-bit sizes
                width, height = struct.unpack_from("<HH", data, 18)
            else:
                width, height = struct.unpack_from("<ii", data, 18)
            return Header("BMP", abs(width), abs(height))  # negative height = top-down rows
        if len(data) > 2 and data[0:1] == b"P" and data[1:2] in b"123456fF":
            return _probe_pnm(data)
    except (struct.error, IndexError, KeyError, ValueError):
        # A header too short to hold its own fields: the file is cut off.
        return Header(_kind_of(data), complete=False)
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


def _probe_pnm(data: bytes) -> Header | None:
    lines = data[2:256].split(b"\n")
    tokens = b" ".join(line.split(b"#")[0] for line in lines).split()
    try:
        return Header("PNM", int(tokens[0]), int(tokens[1]))
    except (IndexError, ValueError):
        return None  # text that happens to start with "P1".."P6": let OpenCV judge it


def _probe_png(data: bytes) -> Header:
    if data[12:16] != b"IHDR":
        raise ValueError("PNG without IHDR")
    width, height, _depth, colour_type = struct.unpack_from(">IIBB", data, 16)
    header = Header("PNG", width, height, gray=colour_type in (0, 4))
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


def _probe_jpeg(data: bytes) -> Header:
    header = Header("JPEG")
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


def _probe_webp(data: bytes) -> Header:
    header = Header("WebP")
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
