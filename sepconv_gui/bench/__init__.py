"""``sepconv-bench``: measure the engine against its peers on the same inputs.

Run ``sepconv-bench --help`` or ``python -m sepconv_gui.bench``; see docs/performance.md for
what the numbers mean and the results on the reference machine.
"""

from .cli import main

__all__ = ["main"]
