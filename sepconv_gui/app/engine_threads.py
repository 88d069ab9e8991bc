"""The engine's thread cap as a user setting: remembered between runs, applied at start.

The engine splits every call over its own threads (docs/engine.md, "Threads"). On a machine
where the app's capture, processing and GUI threads, or other programs, need a core, fewer
engine threads can give more results a second; the View menu offers the choice and
AppSettings remembers it. 0 means automatic (SEPCONV_THREADS, else the available cores).
"""

from __future__ import annotations

from ..engine import set_num_threads
from ..engine.threads import MAX_DEFAULT_THREADS, available_cores, default_num_threads


def choices() -> list[int]:
    """0 (automatic), then 1 up to the cores this process may use (at most 8)."""
    return [0] + list(range(1, max(1, min(available_cores(), MAX_DEFAULT_THREADS)) + 1))


def automatic_count() -> int:
    return default_num_threads()


def apply(settings, count: int | None = None) -> int:
    """Cap the engine at ``count`` threads (saved in ``settings``), or at the saved cap when
    ``count`` is None; a saved count this machine cannot offer falls back to automatic.
    Returns the choice that applies."""
    chosen = count is not None
    if count is None:
        count = settings.engine_threads()
    if count not in choices():
        count = 0
    settings.set_engine_threads(count)
    # At start, "automatic" leaves the engine as it is (SEPCONV_THREADS, or a cap a script
    # set before opening the window); a choice in the menu always applies.
    if count or chosen:
        set_num_threads(count or None)
    return count
