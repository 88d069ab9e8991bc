"""Intermediate stages on demand, for a result that was made without them.

Live frames keep their intermediate arrays only while a view shows them (the Stages dock):
keeping them costs a second pass or a copy on every frame. Exporting "everything" still
promises every stage, so the modes that ran without theirs are run once more, on the same
prepared input with the same design: the engine is deterministic, so the outputs are the
ones on screen.
"""

from __future__ import annotations

from dataclasses import replace

from .pipeline import FrameResult, run_mode


def missing_stages(result: FrameResult) -> list[str]:
    """The modes of ``result`` whose intermediate stages were not kept."""
    return [
        mode for mode, conv in result.results.items() if set(conv.cost.stages) - set(conv.stages)
    ]


def with_stages(result: FrameResult) -> FrameResult:
    """``result`` itself when every mode kept its stages, else a copy whose modes have them."""
    missing = missing_stages(result)
    if not missing or result.design is None:
        return result
    results = dict(result.results)
    for mode in missing:
        results[mode] = run_mode(mode, result.image, result.design, keep_stages=True)
    return replace(result, results=results)
