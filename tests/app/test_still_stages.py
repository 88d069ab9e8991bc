"""A still's first pass skips the intermediate stages nobody shows; the result it ends with
(the refinement) has them all, also for modes reused from an earlier design."""

import zlib

import numpy as np

from sepconv_gui.app.processing import Processor, lacks_stages
from sepconv_gui.app.state import Design
from sepconv_gui.app.workers import Inbox
from sepconv_gui.io.sources import Frame

DESIGN = Design(
    kernel=((1.0, 0.0, 0.0), (0.0, 2.0, 0.0), (0.0, 0.0, 0.0)),  # rank 2: two-stage spatial
    preset="custom",
    out_channels=4,
    pointwise="random",
)
INTERMEDIATE = {"spatial": "vertical", "depthwise": "depthwise"}


def still(name: str) -> np.ndarray:
    return np.random.default_rng(zlib.crc32(name.encode())).random((16, 20, 3)).astype("f4")


def kept(result) -> set[str]:
    return {m for m, stage in INTERMEDIATE.items() if stage in result.results[m].stages}


def test_a_still_job_keeps_stages_only_when_a_view_wants_them():
    inbox = Inbox(DESIGN)
    inbox.put_frame(Frame(still("a"), 0, 0.0), still=True)
    job = inbox.take(0)
    assert job.repeats > 1 and not job.keep_stages
    inbox.want_stages(True)
    inbox.put_frame(Frame(still("a"), 0, 0.0), still=True)
    assert inbox.take(0).keep_stages


def test_the_refined_still_has_every_stage():
    processor = Processor()
    first, _ = processor.first_pass(
        still("b"), DESIGN, generation=0, frame_key=1, repeats=3, keep_stages=False
    )
    assert kept(first) == set() and not first.final
    refined = processor.refine(first, 3)
    assert refined.final and kept(refined) == set(INTERMEDIATE)
    assert not any(lacks_stages(run) for run in refined.results.values())


def test_a_mode_reused_without_stages_gets_them_in_the_next_refinement():
    processor = Processor()
    first, _ = processor.first_pass(
        still("c"), DESIGN, generation=0, frame_key=1, repeats=3, keep_stages=False
    )
    # The user edits again before this still was refined: its refinement never runs.
    edited = DESIGN.with_changes(pointwise_seed=5)  # spatial does not read the pointwise
    second, _ = processor.first_pass(
        still("c"), edited, generation=1, frame_key=1, repeats=3, keep_stages=False
    )
    assert second.fresh == ("normal", "depthwise")  # spatial reused, as first computed it
    assert second.results["spatial"] is first.results["spatial"] and not second.final
    refined = processor.refine(second, 3)
    assert kept(refined) == set(INTERMEDIATE)
    np.testing.assert_allclose(
        refined.results["spatial"].output, first.results["spatial"].output, rtol=1e-6
    )
