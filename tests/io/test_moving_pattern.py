"""The moving test pattern against its definition, computed here in float64 by hand."""

from __future__ import annotations

import math

import numpy as np

from sepconv_gui.io.patterns import MovingPattern

H, W, FPS = 48, 64, 2.0


def zone_plate_by_hand(pattern: MovingPattern, index: int) -> np.ndarray:
    """0.8 * (0.5 + 0.5 cos(r² + phase + shift_c)), r² scaled as the pattern documents."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    radius2 = ((x - W / 2) ** 2 + (y - H / 2) ** 2) * math.pi / (2.0 * max(H, W))
    phase = 2.0 * math.pi * 0.25 * index / FPS
    channels = [0.8 * (0.5 + 0.5 * np.cos(radius2 + phase + s)) for s in pattern._shifts]
    return np.stack(channels, axis=2)


def covered(pattern: MovingPattern, index: int) -> np.ndarray:
    """Pixels the bar, the disc or the frame counter may change (generously bounded)."""
    t = index / FPS
    mask = np.zeros((H, W), bool)
    bar_w = max(2.0, W / 40)
    left = (t * W / 4) % (W + bar_w) - bar_w
    mask[:, max(0, math.floor(left)) : max(0, math.ceil(left + bar_w))] = True
    radius = max(2.0, min(H, W) / 8)
    cx = W / 2 + 0.35 * W * math.sin(2 * math.pi * 0.13 * t + pattern._phases[0])
    cy = H / 2 + 0.30 * H * math.sin(2 * math.pi * 0.19 * t + pattern._phases[1])
    y, x = np.mgrid[0:H, 0:W] + 0.5
    mask |= (x - cx) ** 2 + (y - cy) ** 2 < (radius + 1.5) ** 2
    mask[:20, :24] = True  # the counter's box at this size (18 x 21 px for two digits)
    return mask


def test_frames_follow_the_zone_plate_formula_away_from_the_moving_parts() -> None:
    pattern = MovingPattern(H, W, fps=FPS, seed=11)
    for index in (0, 1, 3, 10):
        frame = pattern.frame(index)
        assert frame.dtype == np.float32 and frame.shape == (H, W, 3)
        assert 0.0 <= frame.min() and frame.max() <= 1.0
        free = ~covered(pattern, index)
        expected = zone_plate_by_hand(pattern, index)
        assert free.sum() > H * W // 2
        np.testing.assert_allclose(frame[free], expected[free], atol=1e-5)


def test_the_bar_darkens_exactly_the_columns_it_covers() -> None:
    pattern = MovingPattern(H, W, fps=FPS, seed=11)
    index = 3  # t = 1.5 s: the bar's left edge at 1.5 * 64 / 4 - 2 = 22 px, 2 px wide
    frame = pattern.frame(index).astype(np.float64)
    plate = zone_plate_by_hand(pattern, index)
    rows = slice(30, 40)  # below the counter; the disc is elsewhere at this time
    ratio = frame[rows, 20:26] / plate[rows, 20:26]
    # Columns 22 and 23 lie under the bar (x 0.1), 21 and 24 beside it (x 1).
    np.testing.assert_allclose(ratio.mean(axis=(0, 2)), [1, 1, 0.1, 0.1, 1, 1], atol=1e-4)


def test_a_frame_is_a_pure_function_of_its_index() -> None:
    a, b = MovingPattern(H, W, fps=FPS, seed=5), MovingPattern(H, W, fps=FPS, seed=5)
    later = a.frame(7)
    np.testing.assert_array_equal(a.frame(2), b.frame(2))
    np.testing.assert_array_equal(later, b.frame(7))
