"""Regenerate the bundled sample images in ``resources/images``.

The synthetic samples are rendered by :mod:`sepconv_gui.io.patterns`, so they are exactly
reproducible. The photographs come from scikit-image's sample data (public domain / CC0; see
``resources/images/README.md``); scikit-image is not a dependency, so point this script
at an unpacked copy of its wheel to refresh them::

    pip download --no-deps scikit-image==0.26.0 -d /tmp/skw
    unzip -o /tmp/skw/scikit_image-0.26.0-*.whl 'skimage/data/*' -d /tmp/skw
    python3 resources/tools/make_samples.py --photos-from /tmp/skw/skimage/data

Without ``--photos-from`` the photographs already bundled are left as they are.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing it

from sepconv_gui.io import patterns
from sepconv_gui.io.samples import SAMPLES_DIR

WIDTH, HEIGHT = 640, 480
MAX_BYTES = 500_000  # keeps the repository and the wheel small
MAX_PHOTO_SIDE = 800

# The exact files the licences in resources/images/README.md were checked for (scikit-image 0.26.0).
PHOTOS = {
    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
}


def synthetic_samples() -> dict[str, np.ndarray]:
    """File name to float image in [0, 1] (RGB or grey) for every generated sample."""
    return {
        # Grey: the colour offsets of zone_plate() would triple the file for no new content.
        "zone_plate.png": patterns.zone_plate(HEIGHT, WIDTH)[..., 0],
        "siemens_star.png": patterns.siemens_star(HEIGHT, WIDTH),
        "edges_chart.png": patterns.edges_chart(HEIGHT, WIDTH),
    }


def encode_png(image: np.ndarray) -> bytes:
    """8-bit PNG bytes of a float RGB or grey image; deterministic for a given OpenCV."""
    if image.dtype != np.uint8:
        image = np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    if image.ndim == 3:
        image = image[..., ::-1]  # OpenCV writes BGR
    ok, buffer = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return buffer.tobytes()


def photo_png(source: Path) -> bytes:
    """A photograph re-encoded as a plain 8-bit PNG, without metadata, shrunk if large."""
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PHOTOS[source.name]:
        raise SystemExit(
            f"{source} is not the file whose licence was checked "
            f"(sha256 {digest}); check its licence, then update PHOTOS."
        )
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    height, width = bgr.shape[:2]
    scale = MAX_PHOTO_SIDE / max(height, width)
    if scale < 1:
        size = (round(width * scale), round(height * scale))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    return encode_png(bgr[..., ::-1].copy())


def write(path: Path, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{path.name} would be {len(data)} bytes, over {MAX_BYTES}")
    path.write_bytes(data)
    print(f"{path}  {len(data) / 1000:.0f} kB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=SAMPLES_DIR,
        help="folder to write to (default: the bundled samples folder)",
    )
    parser.add_argument(
        "--photos-from",
        type=Path,
        metavar="DIR",
        help="scikit-image's skimage/data folder, to refresh the photographs",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, image in synthetic_samples().items():
        write(args.out / name, encode_png(image))
    if args.photos_from is not None:
        for name in PHOTOS:
            write(args.out / name, photo_png(args.photos_from / name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
