"""Where a separable mode starts to win, from constructed sweep measurements."""

import math

import pytest

from sepconv_gui.app.crossover import crossing, find_crossover


def test_crossing_is_where_the_log_speedup_passes_one():
    # log 0.5 = -0.69 at x = 3, log 2 = +0.69 at x = 5: halfway.
    assert crossing(3, 0.5, 5, 2.0) == pytest.approx(4.0)
    # Closer to the winning side when the loss is larger.
    assert crossing(3, 0.25, 5, 2.0) == pytest.approx(3 + 2 * math.log(4) / math.log(8))


def test_wins_from_the_first_point_of_the_final_winning_run():
    found = find_crossover("depthwise", "k", [3, 5, 7, 9, 11], [0.4, 0.8, 1.5, 2.0, 3.1])
    assert found.status == "from"
    assert (found.lost_at, found.won_from) == (5, 7)
    assert found.at == pytest.approx(crossing(5, 0.8, 7, 1.5))
    assert "from k ≈ 5.7" in found.sentence and "lost at k = 5, won from k = 7" in found.sentence


def test_a_win_followed_by_a_loss_does_not_count():
    found = find_crossover("spatial", "size", [80, 160, 320, 640], [1.2, 0.9, 1.1, 1.4])
    assert found.status == "from" and (found.lost_at, found.won_from) == (160, 320)
    assert "W ≈" in found.sentence


def test_always_and_never():
    always = find_crossover("spatial", "k", [3, 5], [1.1, 2.0])
    assert always.status == "always" and "at every measured k (3 to 5)" in always.sentence
    never = find_crossover("depthwise", "k", [3, 5, 7], [0.5, 0.8, 0.9])
    assert never.status == "never" and never.lost_at == 7
    assert "never beat the" in never.sentence or "never wins" in never.sentence
    # Winning in the middle of the range but losing at its end is no crossover, and not
    # "never" either.
    mixed = find_crossover("depthwise", "k", [3, 5, 7, 9], [0.5, 1.2, 3.0, 0.9])
    assert mixed.status == "mixed" and mixed.won_at == (5, 7)
    assert "at k = 5, 7 but not at the last measured k = 9" in mixed.sentence


def test_missing_speedups_are_skipped_and_nothing_measured_says_so():
    found = find_crossover("depthwise", "k", [3, 5, 7], [float("nan"), 0.5, 2.0])
    assert found.status == "from" and found.lost_at == 5 and found.first == 5
    assert find_crossover("depthwise", "k", [3], [None]).status == "none"


def test_a_spread_straddling_one_at_the_crossing_is_called_noise():
    spreads = [(0.3, 0.5), (0.9, 1.3), (1.4, 1.6)]
    found = find_crossover("depthwise", "P", [1, 2, 4], [0.4, 0.95, 1.5], spreads)
    assert found.noisy and "within noise" in found.sentence
    clean = find_crossover("depthwise", "P", [1, 2, 4], [0.4, 0.95, 1.5], [(0.3, 0.5)] * 3)
    assert not clean.noisy
