"""The memory estimate is an upper bound, the budget is honoured, refusals carry the numbers."""

import tracemalloc
import zlib

import numpy as np
import pytest

from sepconv_gui import engine
from sepconv_gui.bench.memory import MemoryCase, measure
from sepconv_gui.engine import (
    ResourceError,
    depthwise_separable_conv,
    estimate_memory,
    normal_conv,
    spatial_separable_conv,
)
from sepconv_gui.engine import algorithms, memory, validation


@pytest.fixture(autouse=True)
def default_budget():
    engine.set_memory_budget(None)
    yield
    engine.set_memory_budget(None)


def seeded(*case):
    return np.random.default_rng(zlib.crc32(repr(case).encode()))


def traced_peak(call):
    """Peak bytes numpy (and Python) allocated during ``call``, as tracemalloc sees them."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        call()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


NORMAL_CASES = [
    (algorithm, channels, outputs, size, border)
    for algorithm in ("direct", "gemm", "kn2row", "fft")
    for channels, outputs in ((1, 1), (3, 8), (130, 4))
    for size in ((1, 1), (3, 3), (4, 2), (11, 11))
    for border in ("wrap", "reflect")
]


@pytest.mark.parametrize("algorithm, channels, outputs, size, border", NORMAL_CASES)
def test_normal_estimate_bounds_what_numpy_allocates(algorithm, channels, outputs, size, border):
    rng = seeded("normal", algorithm, channels, outputs, size, border)
    image = rng.random((40, 56, channels))  # float64: the float32 copy is part of the call
    weights = rng.standard_normal((outputs, channels) + size)
    peak = traced_peak(lambda: normal_conv(image, weights, algorithm=algorithm, border=border))
    predicted = estimate_memory(
        "normal", 40, 56, channels, outputs, *size, algorithm=algorithm, border=border
    )
    assert 0 < peak <= predicted


@pytest.mark.parametrize("channels", [1, 3, 130])
@pytest.mark.parametrize("rank", [1, 3])
@pytest.mark.parametrize("size", [(1, 5), (4, 4), (15, 9)])
@pytest.mark.parametrize("border", ["wrap", "constant"])
@pytest.mark.parametrize("keep", [False, True])
def test_spatial_estimate_bounds_what_numpy_allocates(channels, rank, size, border, keep):
    rng = seeded("spatial", channels, rank, size, border)
    image = rng.random((40, 56, channels))
    column, row = rng.standard_normal((rank, size[0])), rng.standard_normal((rank, size[1]))
    peak = traced_peak(
        lambda: spatial_separable_conv(image, column, row, border=border, keep_stages=keep)
    )
    predicted = estimate_memory(
        "spatial", 40, 56, channels, channels, *size, rank=rank, border=border, keep_stages=keep
    )
    assert 0 < peak <= predicted


@pytest.mark.parametrize(
    "channels, multiplier, outputs", [(1, 1, 1), (3, 1, 3), (3, 4, 9), (40, 4, 130)]
)
@pytest.mark.parametrize("size", [(3, 3), (2, 5), (11, 11)])
@pytest.mark.parametrize("rank_one", [False, True])
@pytest.mark.parametrize("border", ["wrap", "replicate"])
@pytest.mark.parametrize("shared", [False, True])
def test_depthwise_estimate_bounds_what_numpy_allocates(
    channels, multiplier, outputs, size, rank_one, border, shared
):
    rng = seeded("depthwise", channels, multiplier, outputs, size, rank_one, border)
    maps = channels * multiplier
    image = rng.random((40, 56, channels))
    if rank_one:
        depth = np.einsum(
            "ki,kj->kij", rng.standard_normal((maps, size[0])), rng.standard_normal((maps, size[1]))
        )
    else:
        depth = rng.standard_normal((maps,) + size)
    if shared:
        depth[:] = depth[0]
    point = rng.standard_normal((outputs, maps))
    peak = traced_peak(lambda: depthwise_separable_conv(image, depth, point, border=border))
    predicted = estimate_memory(
        "depthwise", 40, 56, channels, outputs, *size, multiplier, border=border
    )
    assert 0 < peak <= predicted


@pytest.mark.parametrize(
    "case",
    [
        MemoryCase("normal", 200, 260, 8, 16, 9, algorithm="fft", border="wrap"),
        MemoryCase("normal", 200, 260, 16, 24, 5, algorithm="gemm"),
        MemoryCase("normal", 200, 260, 4, 6, 13, algorithm="direct", border="wrap"),
        MemoryCase("spatial", 200, 260, 130, 130, 15, rank=2, border="wrap"),
        MemoryCase("spatial", 200, 260, 130, 130, 15, rank=2, border="wrap", keep_stages=True),
        MemoryCase("spatial", 200, 260, 8, 8, 3, border="reflect"),
        MemoryCase("depthwise", 200, 260, 8, 16, 15, m=4, border="wrap", keep_stages=True),
        MemoryCase("depthwise", 200, 260, 140, 16, 3, border="reflect"),
    ],
    ids=lambda case: f"{case.mode}-{case.algorithm}-{case.k}-{case.keep_stages}",
)
def test_estimate_bounds_the_peak_rss_of_a_fresh_process(case):
    # tracemalloc misses OpenCV's and the FFT library's own buffers; the process's peak
    # resident size sees everything.
    row = measure(case, timeout=600)  # a loaded machine (the suite on 2 shared cores)
    assert row["ran"] not in ("crashed", "refused"), row["note"]
    assert row["measured"] <= row["predicted"], row
    # A small call may reuse what its warm-up freed and grow by nothing (or a page less: seen
    # as -8192 bytes); a large one must show up, or the measurement itself is broken.
    if row["predicted"] > 20 * 2**20:
        assert row["measured"] > 0, row


@pytest.mark.parametrize(
    "case",
    [
        MemoryCase("normal", 240, 320, 32, 64, 3, algorithm="gemm"),
        MemoryCase("normal", 240, 320, 32, 8, 3, algorithm="direct"),  # padded once (C > 16)
        MemoryCase("normal", 480, 640, 3, 64, 3, algorithm="direct"),  # bands pad their rows
        MemoryCase("normal", 240, 320, 3, 64, 15, algorithm="fft"),
        MemoryCase("normal", 240, 320, 32, 64, 15, algorithm="fft"),
        MemoryCase("normal", 480, 640, 3, 64, 15, algorithm="fft"),  # full frame, 3 chunks
        MemoryCase("normal", 240, 320, 256, 8, 15, algorithm="fft"),  # tiles, 2+ per thread
        MemoryCase("depthwise", 240, 320, 32, 64, 15),
        MemoryCase("spatial", 480, 640, 32, 32, 15),
    ],
    ids=lambda case: f"{case.mode}-{case.algorithm}-C{case.channels}-P{case.outputs}-{case.k}",
)
def test_estimate_is_close_to_the_measured_peak_of_larger_calls(case):
    # From some ten MB up the estimate must be tight as well as safe (issue 7: within 25 % of
    # the measured peak RSS; 30 % here for the page-level noise of a loaded machine): a term
    # counted twice, or a buffer the path no longer allocates, shows up here.
    row = measure(case, timeout=600)
    assert row["ran"] not in ("crashed", "refused"), row["note"]
    assert row["measured"] > 8 * 2**20, row
    assert row["measured"] <= row["predicted"] <= 1.3 * row["measured"], row


def test_a_refusal_says_how_much_it_needs_and_what_to_lower():
    engine.set_memory_budget(10**6)
    image = np.zeros((300, 400, 3), np.float32)
    with pytest.raises(ResourceError) as caught:
        normal_conv(image, np.ones((8, 3, 5, 5)), algorithm="gemm", border="reflect")
    error = caught.value
    needed = estimate_memory(
        "normal", 300, 400, 3, 8, 5, 5, algorithm="gemm", border="reflect", copies_input=False
    )
    assert error.needed_bytes == needed and error.budget_bytes == 10**6
    message = str(error)
    assert memory.describe_bytes(needed) in message and "1.0 MB" in message
    assert "lower the image size, P or C" in message
    assert "set_memory_budget" in message and "SEPCONV_MEMORY_BUDGET" in message


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda im: spatial_separable_conv(im, np.ones((2, 9)), np.ones((2, 9))), "rank"),
        (lambda im: depthwise_separable_conv(im, np.ones((48, 3, 3)), np.ones((64, 48))), "C*M"),
        (lambda im: normal_conv(im, np.ones((64, 3, 3, 3))), "P or C"),
    ],
)
def test_refused_before_allocating(call, words):
    engine.set_memory_budget(2 * 10**6)
    image = np.zeros((1000, 1200, 3), np.float32)
    caught = []

    def refused():
        with pytest.raises(ResourceError, match=words) as error:
            call(image)
        caught.append(error.value)

    peak = traced_peak(refused)
    # Refused up front: at most the input's finiteness check (one byte per value) ran.
    assert peak < image.size + 2**20
    assert caught[0].needed_bytes > 10 * caught[0].budget_bytes


def test_auto_picks_an_algorithm_that_fits():
    rng = seeded("auto-fits")
    image = rng.random((120, 160, 3), dtype=np.float32)
    weights = rng.standard_normal((8, 3, 15, 15)).astype(np.float32)
    free_choice = normal_conv(image, weights).algorithm
    needs = {
        name: estimate_memory(
            "normal",
            120,
            160,
            3,
            8,
            15,
            15,
            algorithm=name,
            border="reflect101",
            copies_input=False,
            copies_weights=False,
        )
        for name in algorithms.CHOSEN
    }
    smaller = [name for name in needs if needs[name] < needs[free_choice]]
    assert smaller, needs  # the test needs a choice that stops fitting
    engine.set_memory_budget(needs[free_choice] - 1)
    result = normal_conv(image, weights)
    assert result.algorithm in smaller
    assert needs[result.algorithm] <= engine.memory_budget()
    engine.set_memory_budget(min(needs.values()) - 1)
    with pytest.raises(ResourceError):
        normal_conv(image, weights)


def test_budget_from_the_environment_and_from_code(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: 8 * 10**9)
    monkeypatch.delenv(memory.ENV_BUDGET, raising=False)
    assert engine.memory_budget() == int(8 * 10**9 * memory.BUDGET_FRACTION)
    for text, expected in [
        ("1K", 1024),
        ("2.5M", int(2.5 * 2**20)),
        ("3G", 3 * 2**30),
        ("777", 777),
    ]:
        monkeypatch.setenv(memory.ENV_BUDGET, text)
        assert engine.memory_budget() == expected
    engine.set_memory_budget(5000)
    assert engine.memory_budget() == 5000  # code wins over the environment
    engine.set_memory_budget(None)
    monkeypatch.setenv(memory.ENV_BUDGET, "lots")
    with pytest.warns(RuntimeWarning, match="not a size"):
        assert engine.memory_budget() == int(8 * 10**9 * memory.BUDGET_FRACTION)
    monkeypatch.delenv(memory.ENV_BUDGET)
    monkeypatch.setattr(memory, "available_memory", lambda: None)
    assert engine.memory_budget() == memory.FALLBACK_BUDGET
    with pytest.raises(ValueError, match="whole number of bytes"):
        engine.set_memory_budget(-1)


def test_available_memory_reads_meminfo():
    value = memory.available_memory()
    with open("/proc/meminfo") as meminfo:
        total = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    assert value is not None and 0 < value <= total * 1024


def test_depthwise_filters_into_one_buffer_without_copies():
    # The channels-first maps buffer, the input's planes and the output, and nothing the size
    # of the maps again (a list of maps joined by a merge would double it).
    rng = seeded("one-buffer")
    height, width, channels, multiplier, outputs = 200, 260, 8, 4, 16
    image = rng.random((height, width, channels), dtype=np.float32)
    depth = rng.standard_normal((channels * multiplier, 5, 5)).astype(np.float32)
    point = rng.standard_normal((outputs, channels * multiplier)).astype(np.float32)
    peak = traced_peak(lambda: depthwise_separable_conv(image, depth, point))
    plane = height * width * 4
    assert peak <= plane * (channels + channels * multiplier + outputs) + 2**20


def test_spatial_without_stages_allocates_only_its_output():
    rng = seeded("fused")
    image = rng.random((300, 400, 3), dtype=np.float32)
    cases = [
        ([1, 2, 1], [1, 0, -1], 0),  # one 2-D filter2D
        (rng.standard_normal(5), rng.standard_normal(9), 0),  # one sepFilter2D
        (rng.standard_normal(7), rng.standard_normal(11), 1),  # two passes: an intermediate
    ]
    for column, row, intermediates in cases:
        peak = traced_peak(lambda: spatial_separable_conv(image, column, row))
        # Besides the output: each seam between two threads' row bands is filtered again
        # from a window of 2(kh - 1) rows (engine/bands.py), and the finiteness check runs
        # beside the filtering with a bool block on the calling thread and one helper.
        seams = (engine.num_threads() - 1) * 2 * (len(column) - 1) * 400 * 3 * 4
        check = 2 * validation.CHECK_BLOCK
        assert peak <= (1 + intermediates) * image.nbytes + seams + check + 2**16


def test_map_seams_are_counted_for_every_thread_count_up_to_the_cap():
    # 4 maps take 1 band each on 4 threads but 3 each on 3 (a busy machine lowers the count
    # after the estimate was made): the estimate counts the larger.
    from sepconv_gui.engine import bands, memory_paths, set_num_threads

    set_num_threads(4)
    try:
        counted = memory_paths.map_seam_windows(720, 1280, 4, 7, False)
    finally:
        set_num_threads(None)
    seams = len(bands.band_edges(720, 7, bands.bands_per_map(4, 3, 720, 7), 1280)) - 2
    assert seams > 0 and counted >= 4 * seams * 2 * 6 * 1280 * 4
