"""The levels a view shows are the ones map_for_display gives, for every mapping, without
making the mapped array."""

import zlib

import numpy as np
import pytest

from sepconv_gui.ui.views.display import MAPPINGS, map_for_display, mapping_levels


@pytest.mark.parametrize("mapping", MAPPINGS)
def test_levels_match_the_mapped_display(mapping):
    rng = np.random.default_rng(zlib.crc32(mapping.encode()))
    array = (rng.standard_normal((30, 40, 3)) * 2).astype(np.float32)
    assert mapping_levels(array, mapping) == map_for_display(array, mapping)[1]


def test_a_clipped_view_spans_zero_to_one_whatever_the_values():
    array = np.array([[-3.0, 7.0]], np.float32)
    assert mapping_levels(array, "clip") == (0.0, 1.0)
