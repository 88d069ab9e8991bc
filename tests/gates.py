"""Heavy work in tests without heavy work: engine calls that wait until the test lets them go."""

import threading

LONG = 30  # seconds a gated call waits at most, should a test fail to open the gate


class Gate:
    """An engine call that blocks until the test opens the gate: a "heavy" run, no sleeps.

    Calls before the ``hold_from``-th pass straight through.
    """

    def __init__(self, hold_from: int = 1) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.calls = 0
        self.hold_from = hold_from

    def hold(self) -> None:
        self.calls += 1
        if self.calls >= self.hold_from:
            self.entered.set()
            self.opened.wait(LONG)


def gate_sweep_runs(monkeypatch, gate: Gate) -> None:
    """Every timed run of a benchmark sweep first waits at ``gate``."""
    from sepconv_gui.app import sweep

    real = sweep._runner

    def runner(mode, data, algorithm):
        run = real(mode, data, algorithm)
        return lambda: (gate.hold(), run())[1]

    monkeypatch.setattr(sweep, "_runner", runner)
