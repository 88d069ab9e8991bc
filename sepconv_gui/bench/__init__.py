"""``sepconv-bench``: measure the engine against its peers on the same inputs.

Run ``sepconv-bench --help`` or ``python -m sepconv_gui.bench``; see docs/performance.md for
what the numbers mean and the results on the reference machine.
"""


def main(argv=None) -> int:
    """The ``sepconv-bench`` entry point (see launch.py for what it sets before numpy loads)."""
    from .launch import main as run

    return run(argv)


__all__ = ["main"]
