import pytest

from sepconv_gui.engine import threads


@pytest.fixture(autouse=True)
def no_other_load(monkeypatch):
    """Engine tests split work the same way on a busy machine as on an idle one: the count
    of other runnable threads (threads.usable_threads) reads as zero unless a test says."""
    monkeypatch.setattr(threads, "_others_running", lambda: 0)
    monkeypatch.setattr(threads, "_load_reading", (-1.0, None))
