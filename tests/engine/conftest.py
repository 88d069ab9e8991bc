import pytest

from sepconv_gui.engine import algorithms, threads

from .blas_probe import blas_threads


@pytest.fixture(autouse=True)
def no_other_load(monkeypatch):
    """Engine tests split work the same way on a busy machine as on an idle one: the count
    of other runnable threads (threads.usable_threads) reads as zero unless a test says."""
    monkeypatch.setattr(threads, "_others_running", lambda: 0)
    monkeypatch.setattr(threads, "_load_reading", (-1.0, None))


@pytest.fixture
def blas_inside_gemm(monkeypatch) -> list[list[int]]:
    """The BLAS thread counts seen inside each call of the gemm algorithm (appended per call)."""
    seen: list[list[int]] = []
    original = algorithms.FUNCTIONS["gemm"]

    def spy(*args):
        seen.append(blas_threads())
        return original(*args)

    monkeypatch.setitem(algorithms.FUNCTIONS, "gemm", spy)
    return seen
