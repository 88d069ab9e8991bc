"""Synthetic test images, generated so every demo works without files or a camera.

Everything here is deterministic: the same arguments give bit-identical arrays, so the bundled
sample PNGs (``resources/tools/make_samples.py``) and the moving test pattern can be regenerated and
compared in tests. All images are float32 in [0, 1]; colour images are RGB ``(H, W, 3)``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def zone_plate(height: int = 480, width: int = 640, *, phase: float = 0.0) -> np.ndarray:
    """An RGB zone plate, float32 in [0, 1]: spatial frequency grows with the radius.

    Every direction and frequency appears somewhere, so blur, edge and aliasing effects of a
    kernel all show at once. ``phase`` (radians) shifts the rings; the colour channels are
    offset so channel-mixing steps are visible too.
    """
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    y -= height / 2
    x -= width / 2
    scale = np.pi / (2.0 * max(height, width))
    radius2 = (x * x + y * y) * scale
    channels = [0.5 + 0.5 * np.cos(radius2 + phase + shift) for shift in (0.0, 0.6, 1.2)]
    return np.stack(channels, axis=2).astype(np.float32)


def siemens_star(
    height: int = 480, width: int = 640, *, spokes: int = 36, oversample: int = 4
) -> np.ndarray:
    """A grey Siemens star ``(H, W)``, float32 in [0, 1].

    Black and white sectors converge on the centre, so the spatial frequency rises towards it:
    the radius at which a blur turns the spokes into flat grey reads off its resolution
    directly. The image is rendered ``oversample`` times larger and area-averaged down so the
    sector edges are anti-aliased instead of stair-stepped.

    Parameters
    ----------
    height, width : int
        Output size in pixels.
    spokes : int
        Number of black/white sector pairs.
    oversample : int
        Supersampling factor per axis; 1 renders hard edges.
    """
    if spokes < 1 or oversample < 1:
        raise ValueError("spokes and oversample must be at least 1")
    big_h, big_w = height * oversample, width * oversample
    y, x = np.mgrid[0:big_h, 0:big_w].astype(np.float32)
    # Sample at pixel centres so the star is symmetric about the image centre.
    y = (y + 0.5) / oversample - height / 2
    x = (x + 0.5) / oversample - width / 2
    angle = np.arctan2(y, x)
    star = (np.sin(spokes * angle) >= 0).astype(np.float32)
    # A grey disc outside the largest inscribed circle frames the star and gives flat areas.
    outside = (x * x + y * y) > (0.48 * min(height, width)) ** 2
    star[outside] = 0.5
    if oversample > 1:
        star = cv2.resize(star, (width, height), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(star, dtype=np.float32)


def edges_chart(height: int = 480, width: int = 640) -> np.ndarray:
    """An RGB chart of edges, text, a checkerboard and gradients, float32 in [0, 1].

    Each region shows a different kernel property: the checkerboard and lines show edge
    response in every orientation, the text shows how fast legibility goes under a blur, the
    ramps show that a smoothing kernel leaves linear gradients untouched and the colour bars
    show per-channel (depthwise) filtering. Drawn on an 8-bit canvas because OpenCV's
    anti-aliased text and lines need one.
    """
    canvas = np.full((height, width, 3), 235, np.uint8)
    unit = max(4, min(height, width) // 24)  # keeps the layout proportional at any size

    # Checkerboard, top left.
    cells = 8
    yy, xx = np.mgrid[0 : cells * unit, 0 : cells * unit] // unit
    board = np.where((yy + xx) % 2 == 0, 20, 235).astype(np.uint8)
    bh, bw = min(board.shape[0], height), min(board.shape[1], width // 2)
    canvas[:bh, :bw] = board[:bh, :bw, None]

    # Horizontal grey ramp and three colour ramps across the bottom.
    ramp = np.linspace(0, 255, width, dtype=np.float32).astype(np.uint8)
    band = max(2, height // 16)
    top = height - 4 * band
    canvas[top : top + band] = ramp[None, :, None]
    # The canvas is RGB throughout, so colours given to cv2 drawing calls below are RGB too.
    for i, channel in enumerate((0, 1, 2)):
        rows = slice(top + (i + 1) * band, top + (i + 2) * band)
        canvas[rows] = 0
        canvas[rows, :, channel] = ramp[None, :]

    # Vertical ramp on the right edge.
    vramp = np.linspace(255, 0, max(top, 1), dtype=np.float32).astype(np.uint8)
    canvas[:top, width - unit :] = vramp[:top, None, None]

    # Fan of lines: every orientation at a few thicknesses.
    cx, cy = int(width * 0.72), int(height * 0.3)
    radius = int(min(width, height) * 0.22)
    for k in range(24):
        angle = math.pi * k / 24
        end = (int(cx + radius * math.cos(angle)), int(cy - radius * math.sin(angle)))
        cv2.line(canvas, (cx, cy), end, (10, 10, 10), 1 + k % 3, cv2.LINE_AA)

    # Line pairs of decreasing spacing: where they merge under a blur is its resolution.
    x0, y0 = unit, cells * unit + unit
    for gap in (8, 6, 4, 3, 2):
        for j in range(4):
            x = x0 + j * 2 * gap
            cv2.line(canvas, (x, y0), (x, y0 + 3 * unit), (0, 0, 0), 1, cv2.LINE_8)
        x0 += 8 * gap + unit

    # Text in three sizes, and a filled disc with a hard edge.
    font = cv2.FONT_HERSHEY_SIMPLEX
    text_y = y0 + 3 * unit + int(1.8 * unit)
    for scale, label in (
        (1.2, "Separable 3x3"),
        (0.7, "depthwise + pointwise"),
        (0.45, "The quick brown fox jumps over the lazy dog 0123456789"),
    ):
        cv2.putText(
            canvas,
            label,
            (unit, text_y),
            font,
            scale * unit / 20,
            (0, 0, 0),
            max(1, round(scale * 2)),
            cv2.LINE_AA,
        )
        text_y += int(unit * 2.0 * max(scale, 0.55))
    cv2.circle(
        canvas, (int(width * 0.72), int(height * 0.62)), unit * 2, (200, 30, 30), -1, cv2.LINE_8
    )
    return canvas.astype(np.float32) / np.float32(255.0)


class MovingPattern:
    """A synthetic moving scene: frame ``n`` is a pure function of ``n`` and the settings.

    A zone plate whose rings drift, a coloured disc on a Lissajous path, a dark bar sweeping
    left to right and the frame number in the corner. Together they carry every spatial
    frequency, hard edges moving at sub-pixel speeds and an unambiguous frame identity, which
    is what a live convolution view needs to show latency, blur and aliasing.

    Parameters
    ----------
    height, width : int
        Frame size in pixels.
    fps : float
        Nominal frame rate; motion is defined in seconds, so it looks the same at any rate.
    seed : int
        Picks colours and phases; the same seed always gives the same sequence.
    """

    def __init__(self, height: int, width: int, *, fps: float = 30.0, seed: int = 0) -> None:
        if height < 1 or width < 1:
            raise ValueError(f"pattern size must be positive, got {width}x{height}")
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.height, self.width, self.fps, self.seed = height, width, float(fps), seed
        rng = np.random.default_rng(seed)
        self._shifts = rng.uniform(0.0, 2.0 * np.pi, 3)
        self._disc_colour = rng.uniform(0.2, 1.0, 3).astype(np.float32)
        self._phases = rng.uniform(0.0, 2.0 * np.pi, 2)
        # The zone plate is cos(r² + phase): with cos and sin of the fixed radius grid kept,
        # cos(a + b) = cos a cos b - sin a sin b makes every channel of a frame one weighted
        # sum of two planes (cv2.addWeighted, outside the GIL) instead of trig over the whole
        # grid. Three sums and a merge took 1.1 ms at 1280x720, one cv2.transform of the
        # two-channel grid 7.4 ms: the capture thread's share of every live frame.
        y, x = np.mgrid[0:height, 0:width].astype(np.float64)
        y -= height / 2
        x -= width / 2
        radius2 = (x * x + y * y) * (np.pi / (2.0 * max(height, width)))
        self._cos = np.cos(radius2).astype(np.float32)
        self._sin = np.sin(radius2).astype(np.float32)
        self._x = np.arange(width, dtype=np.float32)

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as float32 RGB ``(H, W, 3)`` in [0, 1]."""
        t = index / self.fps
        phase = 2.0 * math.pi * 0.25 * t
        # Channel c is 0.8 * (0.5 + 0.5 * cos(r² + phase + shift_c)); the 0.8 keeps the disc
        # and bar distinguishable from the brightest rings.
        # The amplitude is a hair under the offset so rounding never dips below 0.
        amplitude = 0.4 * (1.0 - 2.0**-20)
        rows = [
            [amplitude * math.cos(phase + shift), -amplitude * math.sin(phase + shift), 0.4]
            for shift in self._shifts
        ]
        planes = [cv2.addWeighted(self._cos, a, self._sin, b, c) for a, b, c in rows]
        image = cv2.merge(planes)
        self._draw_bar(image, t)
        self._draw_disc(image, t)
        self._draw_counter(image, index)
        return image

    def _draw_bar(self, image: np.ndarray, t: float) -> None:
        bar_w = max(2.0, self.width / 40)
        period = self.width + bar_w
        left = (t * self.width / 4) % period - bar_w  # crosses the frame in four seconds
        # Fraction of each pixel column the bar covers: a sub-pixel edge, not a jumping one.
        # Only the few columns it touches are darkened (a full-frame multiply cost as much as
        # the rest of the frame).
        first = max(0, math.floor(left))
        last = min(self.width, math.ceil(left + bar_w))
        if first >= last:
            return
        x = self._x[first:last]
        cover = np.clip(np.minimum(x + 1, left + bar_w) - np.maximum(x, left), 0, 1)
        image[:, first:last] *= 1.0 - 0.9 * cover[None, :, None]

    def _draw_disc(self, image: np.ndarray, t: float) -> None:
        h, w = self.height, self.width
        radius = max(2.0, min(h, w) / 8)
        cx = w / 2 + 0.35 * w * math.sin(2 * math.pi * 0.13 * t + self._phases[0])
        cy = h / 2 + 0.30 * h * math.sin(2 * math.pi * 0.19 * t + self._phases[1])
        x0, x1 = max(0, int(cx - radius - 1)), min(w, int(cx + radius + 2))
        y0, y1 = max(0, int(cy - radius - 1)), min(h, int(cy + radius + 2))
        if x0 >= x1 or y0 >= y1:
            return
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dist = np.sqrt((xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2)
        alpha = np.clip(radius + 0.5 - dist, 0.0, 1.0)[..., None]  # one-pixel soft rim
        patch = image[y0:y1, x0:x1]
        patch[...] = patch * (1 - alpha) + self._disc_colour * alpha

    def _draw_counter(self, image: np.ndarray, index: int) -> None:
        text = str(index)
        scale = max(0.4, min(self.height, self.width) / 400)
        thickness = max(1, round(scale * 2))
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        pad = max(2, th // 3)
        box_h, box_w = min(th + base + 2 * pad, self.height), min(tw + 2 * pad, self.width)
        # OpenCV only draws text on 8-bit images: render a mask, then blend it in.
        mask = np.zeros((box_h, box_w), np.uint8)
        cv2.putText(
            mask,
            text,
            (pad, pad + th),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            255,
            thickness,
            cv2.LINE_AA,
        )
        alpha = mask.astype(np.float32)[..., None] / np.float32(255.0)
        patch = image[:box_h, :box_w]
        patch[...] = patch * 0.3 * (1 - alpha) + alpha  # dimmed box, white digits
