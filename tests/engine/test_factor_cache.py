"""The depthwise mode remembers the rank-1 answer (SVD) of its last few kernel banks."""

import zlib

import numpy as np

from sepconv_gui.engine import depthwise_separable_conv


def test_remembered_rank_one_answers_belong_to_their_own_bank():
    # The rank-1 factors of the last few depthwise banks are kept; a bank of the same shape
    # with other values, or one that is not rank 1, must get its own answer.
    from sepconv_gui.engine import reference as ref

    rng = np.random.default_rng(zlib.crc32(b"factor-cache"))
    image = rng.random((20, 24, 3), dtype=np.float32)
    point = rng.standard_normal((4, 3))
    banks = [
        np.einsum("ki,kj->kij", rng.standard_normal((3, 5)), rng.standard_normal((3, 5)))
        for _ in range(2)
    ] + [rng.standard_normal((3, 5, 5))]
    for bank in banks + banks[::-1]:
        result = depthwise_separable_conv(image, bank, point, border="reflect")
        rank_one = bank is not banks[2]
        assert result.algorithm.startswith("sepfilter" if rank_one else "filter2d")
        expected = ref.depthwise(image, bank, point, "reflect")[1]
        np.testing.assert_allclose(result.output, expected, atol=1e-4)
