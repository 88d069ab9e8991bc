"""The separable modes check the image for NaN and infinity beside their filtering
(validation.FiniteCheck) and still refuse every non-finite image, with the same message."""

import warnings
import zlib

import numpy as np
import pytest

from sepconv_gui.engine import (
    depthwise_separable_conv,
    set_num_threads,
    spatial_separable_conv,
    threads,
    validation,
)

MESSAGE = r"^image contains NaN or infinity; every value must be finite \(float32 holds"


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def _calls(image):
    rng = _rng("finite-calls")
    shared = np.repeat(rng.standard_normal((1, 3, 3)), image.shape[2], axis=0)
    per_channel = rng.standard_normal((image.shape[2] * 2, 3, 3))
    return {
        "spatial filter2d": lambda: spatial_separable_conv(image, [1, 2, 1], [1, 0, -1]),
        "spatial sepfilter2d": lambda: spatial_separable_conv(image, np.ones(5), np.ones(7)),
        "spatial two passes": lambda: spatial_separable_conv(image, np.ones(5), np.ones(11)),
        "spatial rank 2": lambda: spatial_separable_conv(image, np.ones((2, 5)), np.ones((2, 5))),
        "spatial stages": lambda: spatial_separable_conv(
            image, np.ones(5), np.ones(5), keep_stages=True
        ),
        "spatial wrap": lambda: spatial_separable_conv(
            image, np.ones(5), np.ones(5), border="wrap"
        ),
        "depthwise shared": lambda: depthwise_separable_conv(
            image, shared, np.ones((4, image.shape[2]))
        ),
        "depthwise per channel": lambda: depthwise_separable_conv(
            image, per_channel, np.ones((4, image.shape[2] * 2))
        ),
    }


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_every_non_finite_value_is_refused_wherever_it_is(threads, bad, where):
    # 3 blocks of CHECK_BLOCK values and a bit: the helper and the calling thread share them.
    height, width, channels = 130, 160, 20
    assert height * width * channels > 3 * validation.CHECK_BLOCK
    image = _rng("finite-image").random((height, width, channels), dtype=np.float32)
    flat = image.reshape(-1)
    flat[{"first": 0, "middle": flat.size // 2, "last": flat.size - 1}[where]] = bad
    set_num_threads(threads)
    try:
        for name, call in _calls(image).items():
            with pytest.raises(ValueError, match=MESSAGE):
                call()
                pytest.fail(f"{name} accepted a non-finite image")
    finally:
        set_num_threads(None)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_a_finite_image_near_float32_limits_is_accepted():
    image = np.full((70, 90, 11), 3e38, dtype=np.float32)
    image[::2] = -3e38
    for call in _calls(image).values():
        call()  # outputs may overflow to inf: only the input must be finite


def test_a_float64_value_that_overflows_float32_is_refused():
    image = np.ones((120, 130, 5))
    image[-1, -1, -1] = 1e39
    for call in _calls(image).values():
        with pytest.raises(ValueError, match=MESSAGE):
            call()


def _bad_check(where: int) -> tuple[validation.FiniteCheck, int]:
    array = np.zeros(5 * validation.CHECK_BLOCK + 7, dtype=np.float32)
    block = where % 6
    array[block * validation.CHECK_BLOCK + 3] = np.nan
    return validation.FiniteCheck("image", array), block


@pytest.mark.parametrize("where", range(6))
def test_finish_checks_every_block_when_no_helper_ever_ran(where):
    check, _ = _bad_check(where)  # never started: no helper took anything
    with pytest.raises(ValueError, match="image contains NaN"):
        check.finish()


@pytest.mark.parametrize("where", range(6))
def test_finish_does_not_trust_blocks_a_helper_claimed_but_did_not_finish(where):
    # A helper the OS descheduled right after claiming: the calling thread must check that
    # block itself rather than wait or skip it.
    check, block = _bad_check(where)
    for _ in range(block + 1):
        next(check._next)
    with pytest.raises(ValueError, match="image contains NaN"):
        check.finish()


def test_finish_uses_what_a_helper_finished():
    check, block = _bad_check(2)
    check._claim()  # a helper that got a core and did everything
    assert check._bad
    check._flat = check._flat[:0]  # the calling thread can no longer look at the data
    with pytest.raises(ValueError, match="image contains NaN"):
        check.finish()


def test_integer_images_need_no_check():
    check = validation.FiniteCheck("image", np.ones((500, 500), dtype=np.uint8))
    check.start().finish()
    assert check._done == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_values_is_exact(dtype):
    huge = np.finfo(dtype).max
    values = np.full(1000, huge, dtype=dtype)
    values[::2] = -huge / 3
    assert validation.finite_values(values)  # a float64 sum of these overflows: still finite
    for bad in ([np.nan], [np.inf], [-np.inf], [np.inf, -np.inf]):
        broken = values.copy()
        broken[[5, 700][: len(bad)]] = bad
        assert not validation.finite_values(broken), bad


def test_checks_from_several_threads_at_once_keep_their_own_verdicts():
    # Every call's check shares the one pool; a NaN in one thread's image must fail that call
    # alone, and a finite image beside it must still give the right output.
    import threading

    rng = _rng("finite-threads")
    good = rng.random((140, 150, 20), dtype=np.float32)
    bad = good.copy()
    bad[-1, -1, -1] = np.nan
    column, row = np.ones(5, np.float32) / 5, np.ones(4, np.float32) / 4
    expected = spatial_separable_conv(good, column, row).output
    outcomes: dict[tuple[int, int], object] = {}
    start = threading.Barrier(4)

    def worker(slot: int) -> None:
        start.wait()
        for repeat in range(4):
            image = bad if (slot + repeat) % 2 else good
            try:
                outcomes[(slot, repeat)] = spatial_separable_conv(image, column, row).output
            except ValueError as error:
                outcomes[(slot, repeat)] = str(error)

    workers = [threading.Thread(target=worker, args=(slot,)) for slot in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert len(outcomes) == 16
    for (slot, repeat), outcome in outcomes.items():
        if (slot + repeat) % 2:
            assert isinstance(outcome, str) and outcome.startswith("image contains NaN")
        else:
            np.testing.assert_array_equal(outcome, expected)


@pytest.mark.parametrize("name", ["spatial rank 2", "depthwise per channel"])
def test_a_non_finite_image_is_still_a_value_error_when_the_work_fails_first(name):
    # The check finishes after the work; an inf reaching the pointwise matmul warns first,
    # and with warnings turned into errors that warning would otherwise escape the call.
    image = _rng(name).random((40, 50, 3), dtype=np.float32)
    image[3, 4, 1], image[5, 6, 1] = np.inf, -np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=MESSAGE):
            _calls(image)[name]()
    assert validation.pending_check_count() == 0


def test_finished_and_failed_calls_leave_no_check_behind():
    image = _rng("pending").random((40, 50, 3), dtype=np.float32)
    for call in _calls(image).values():
        call()
    image[0, 0, 0] = np.nan
    for call in _calls(image).values():
        with pytest.raises(ValueError, match=MESSAGE):
            call()
    assert validation.pending_check_count() == 0


def test_a_thread_capped_at_one_hands_no_check_to_the_pool(monkeypatch):
    # Two frames side by side (the app's frames in flight) each keep to their own thread.
    handed = []
    monkeypatch.setattr(validation, "background", handed.append)
    image = _rng("capped").random((300, 300, 3), dtype=np.float32)
    set_num_threads(2)
    try:
        validation.check_image_later(image).finish()
        assert len(handed) == 1  # uncapped: the pool gets the helper
        threads.cap_calling_thread(1)
        validation.check_image_later(image).finish()
        assert len(handed) == 1
    finally:
        threads.cap_calling_thread(None)
        set_num_threads(None)


def test_a_banded_spatial_call_checks_its_rows_on_the_band_threads(monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)  # two threads on any runner
    # Two threads each check the rows they filtered; no third thread runs beside them.
    handed, covered = [], []
    monkeypatch.setattr(validation, "background", handed.append)
    rows = validation.FiniteCheck.rows

    def spy(self, top, bottom):
        covered.append((top, bottom))
        rows(self, top, bottom)

    monkeypatch.setattr(validation.FiniteCheck, "rows", spy)
    image = _rng("banded").random((400, 300, 3), dtype=np.float32)
    set_num_threads(2)
    try:
        # One 2-D filter2D, one sepFilter2D, two 1-D passes (the horizontal one reports).
        for column, row in (
            ([1, 2, 1], [1, 0, -1]),
            (np.ones(5), np.ones(7)),
            (np.ones(3), np.ones(11)),
        ):
            covered.clear()
            spatial_separable_conv(image, column, row)
            bands = sorted(covered)  # the two threads report in either order
            assert handed == [] and bands == [(0, bands[1][0]), (bands[1][0], 400)]
            image[-1, -1, -1] = np.inf  # in the last band
            with pytest.raises(ValueError, match=MESSAGE):
                spatial_separable_conv(image, column, row)
            image[-1, -1, -1] = 0.5
    finally:
        set_num_threads(None)


@pytest.mark.parametrize("kernels", ["shared", "per channel"])
def test_a_depthwise_call_checks_the_rows_it_reads_first(monkeypatch, kernels):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)  # two threads on any runner
    # Per-channel kernels: the copy to channels first reads every row and checks it; a shared
    # kernel: the bands of the one filter call, as in the spatial mode. No third thread.
    handed, covered = [], []
    monkeypatch.setattr(validation, "background", handed.append)
    rows = validation.FiniteCheck.rows
    monkeypatch.setattr(
        validation.FiniteCheck,
        "rows",
        lambda self, a, b: (covered.append((a, b)), rows(self, a, b)),
    )
    image = _rng("depthwise rows").random((400, 300, 3), dtype=np.float32)
    rng = _rng("depthwise kernels")
    bank = rng.standard_normal((1, 3, 3)).repeat(3, axis=0) if kernels == "shared" else None
    bank = rng.standard_normal((3, 3, 3)) if bank is None else bank
    set_num_threads(2)
    try:
        depthwise_separable_conv(image, bank, np.ones((4, 3)))
        assert handed == [] and len(covered) >= 2
        assert validation._gaps(covered, 400) == []
        image[-1, -1, -1] = np.nan
        with pytest.raises(ValueError, match=MESSAGE):
            depthwise_separable_conv(image, bank, np.ones((4, 3)))
    finally:
        set_num_threads(None)


@pytest.mark.parametrize(
    "covered, gaps",
    [
        ([], [(0, 10)]),
        ([(0, 10)], []),
        ([(4, 10), (0, 4)], []),
        ([(2, 5)], [(0, 2), (5, 10)]),
        ([(0, 3), (6, 9)], [(3, 6), (9, 10)]),
        ([(0, 3), (4, 10)], [(3, 4)]),
        ([(0, 6), (3, 8)], [(8, 10)]),
    ],
)
def test_finish_checks_exactly_what_no_band_checked(covered, gaps):
    assert validation._gaps(covered, 10) == gaps

    def finish_with(row: int) -> bool:
        image = np.ones((10, 4), np.float32)
        image[row, 3] = np.nan
        check = validation.FiniteCheck("image", image)
        check._covered = [(a * 4, b * 4) for a, b in covered]
        try:
            check.finish()
        except ValueError:
            return True
        return False

    in_gaps = {row for start, stop in gaps for row in range(start, stop)}
    assert [finish_with(row) for row in range(10)] == [row in in_gaps for row in range(10)]


def test_the_exact_check_keeps_its_scratch_to_one_block(monkeypatch):
    # A NaN sends a band to np.isfinite, which writes a bool per value it is given: a band of
    # a large image at once would be tens of MB the memory estimate does not count.
    sizes = []
    isfinite = np.isfinite
    monkeypatch.setattr(
        validation.np, "isfinite", lambda values: (sizes.append(values.size), isfinite(values))[1]
    )
    values = np.ones(5 * validation._FINITE_BLOCK + 7, np.float32)
    values[-1] = np.nan
    assert not validation.finite_values(values)
    assert max(sizes) <= validation._FINITE_BLOCK and sum(sizes) == values.size
