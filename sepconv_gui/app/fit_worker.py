"""Fitting a normal bank to depthwise-separable off the GUI thread, with progress and cancel.

A bank of P = 512 outputs over C = 256 channels at 31×31 takes one SVD per channel of a
512 × 961 matrix: tens of seconds on a busy laptop, so "Fit depthwise-separable" never runs
on the GUI thread. :class:`FitJob` runs one function in a QThread of its own (a
:class:`~.threads.ThreadWorker`, as :class:`~.sweep_worker.SweepWorker` is); cancelling sets
a flag checked between channels, so the thread always ends by itself and is never terminated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal, Slot

from .design_fit import FitPoint, channel_singular_values, fit_depthwise, tradeoff_points
from .state import Design
from .threads import ThreadWorker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tradeoff:
    """The trade-off of one design's normal bank: what the plot shows and what it was for."""

    design: Design
    channels: int
    points: list[FitPoint]


def bank_key(design: Design, channels: int) -> tuple:
    """What a normal bank depends on: a trade-off stays valid while this stays the same."""
    if design.normal_kind == "equivalent":
        return ("equivalent",)  # a fit changes this bank: there is nothing fixed to plot
    shape = design.kernel_array().shape
    bank = design.normal_bank if design.normal_kind == "file" else None
    return (design.normal_kind, design.normal_seed, bank, design.out_channels, channels, shape)


def tradeoff_job(design: Design, channels: int):
    """The work of one trade-off: a function of (should_stop, progress) for :class:`FitJob`."""

    def work(should_stop, progress):
        bank = design.normal_weights(channels)
        values = channel_singular_values(bank, should_stop, progress)
        if values is None:
            return None
        return Tradeoff(design, channels, tradeoff_points(values, bank.shape))

    return work


def pick_job(design: Design, channels: int, multiplier: int):
    """The work of making the fit at ``multiplier`` a design: returns (design, error)."""

    def work(should_stop, progress):
        progress(0, 1)
        fitted = fit_depthwise(design, multiplier, channels)
        progress(1, 1)
        return fitted

    return work


class FitJob(ThreadWorker):
    """Runs ``work(should_stop, progress)`` in a thread of its own.

    Signals: ``progress(done, total)``; ``finished(result)`` (None when cancelled);
    ``failed(message)`` for anything it raised (a DesignError, a MemoryError...).
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable, name: str = "depthwise-separable fit") -> None:
        super().__init__(name)
        self.work = work

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(self._cancel.is_set, self.progress.emit)
        except MemoryError:
            self.failed.emit("not enough memory for this bank; lower P, C or the kernel size")
        except Exception as error:  # the user reads it; the window carries on
            log.exception("depthwise-separable fit failed")
            self.failed.emit(str(error) or type(error).__name__)
        else:
            self.finished.emit(None if self.cancelled else result)
        finally:
            self._thread.quit()
