"""Checks the banded normal-conv paths (direct, kn2row) share: against the float64
reference, and the same numbers whatever the thread count."""

import numpy as np

from sepconv_gui.engine import normal_conv, set_num_threads
from sepconv_gui.engine import reference as ref


def scale_of(image, weights) -> float:
    """The largest magnitude an output can reach: the tolerance scales with it."""
    return float(np.abs(image).max()) * max(1.0, float(np.abs(weights).sum(axis=(1, 2, 3)).max()))


def matches_reference(image, weights, algorithm, border="reflect101", flip=False, **options):
    """Run ``algorithm`` and compare with the reference, to a tolerance scaled by the largest
    sum a kernel can make; return the result."""
    result = normal_conv(image, weights, border=border, flip=flip, algorithm=algorithm, **options)
    expected = ref.normal(image, weights, border, flip, **options)
    np.testing.assert_allclose(result.output, expected, atol=1e-5 * scale_of(image, weights))
    return result


def same_on_thread_count(image, weights, algorithm, threads):
    """The output on ``threads`` threads is bit for bit the output on one."""
    set_num_threads(1)
    try:
        alone = normal_conv(image, weights, algorithm=algorithm).output
        set_num_threads(threads)
        shared = normal_conv(image, weights, algorithm=algorithm).output
    finally:
        set_num_threads(None)
    np.testing.assert_array_equal(shared, alone)
