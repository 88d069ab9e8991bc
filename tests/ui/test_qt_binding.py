"""Guards against a Qt binding that breaks the app in ways a widget test would not show."""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    values = Signal(object)


def test_signals_carrying_bools_keep_their_reference_counts(qapp):
    # PySide6 6.12.0 released a reference to every bool in an object signal's payload; on
    # Python 3.11 the interpreter then aborts. pyqtgraph's view signals carry such lists.
    received = []
    emitter = Emitter()
    emitter.values.connect(received.append)
    before = sys.getrefcount(False), sys.getrefcount(True)
    for _ in range(50):
        emitter.values.emit([True, False])
    received.clear()
    assert (sys.getrefcount(False), sys.getrefcount(True)) == before
