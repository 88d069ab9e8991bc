"""Undo and redo for design edits: one ``QUndoStack`` per window, one command per edit.

Every edit is stored as the whole design before and after it (designs are small frozen
values), so undoing never has to know how an edit was made. The steps of one gesture -- a
slider drag -- merge into one command: the editor says when a gesture starts and ends, and
while it is open each new step with the same label replaces the previous step's "after".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from ...app.state import Design

MERGE_ID = 0x5E9C  # any fixed id: only design edits merge, and only inside a gesture

LABELS = {  # the undo text for edits the channel designer sends, by the field they change
    "modes": "Change modes",
    "grayscale": "Toggle gray input",
    "multiplier": "Change depth multiplier M",
    "out_channels": "Change output channels P",
    "pointwise": "Change pointwise weights",
    "pointwise_seed": "Change pointwise seed",
    "spatial_rank": "Change spatial rank",
    "border": "Change border",
    "flip": "Toggle true convolution",
    "algorithm": "Change normal algorithm",
    "stride": "Change stride",
    "dilation": "Change dilation",
}


def describe(changes: dict) -> str:
    """A short label for an edit named only by the fields it changes."""
    if "kernel" in changes:
        return "Edit kernel"
    names = [LABELS.get(name, f"Change {name.replace('_', ' ')}") for name in changes]
    return names[0] if len(names) == 1 else "Edit design"


class DesignCommand(QUndoCommand):
    def __init__(self, history: DesignHistory, before: Design, after: Design, label: str):
        super().__init__(label)
        self.history, self.before, self.after = history, before, after
        # Merge only with steps of a gesture that is still going on when this step is made.
        self.in_gesture = history.gesture == label

    def id(self) -> int:
        return MERGE_ID if self.in_gesture else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (isinstance(other, DesignCommand) and other.in_gesture):
            return False
        if other.text() != self.text():
            return False
        self.after = other.after
        # A drag that ends where it began changed nothing: drop it from the history.
        self.setObsolete(self.after == self.before)
        return True

    def redo(self) -> None:
        self.history.apply(self.after)

    def undo(self) -> None:
        self.history.apply(self.before)


class DesignHistory(QObject):
    """Owns the stack; ``apply`` shows a design everywhere (controller and editors)."""

    def __init__(self, apply: Callable[[Design], None], parent=None) -> None:
        super().__init__(parent)
        self.apply = apply
        self.stack = QUndoStack(self)
        self.gesture = ""  # label of the drag in progress, "" when none

    def push(self, before: Design, after: Design, label: str) -> None:
        """Record and apply an edit (pushing runs its redo). No-ops are not recorded."""
        if after == before:
            return
        self.stack.push(DesignCommand(self, before, after, label))

    def begin_gesture(self, label: str) -> None:
        self.gesture = label

    def end_gesture(self) -> None:
        self.gesture = ""
        # The next edit with the same label starts a new undo step.
        top = self.stack.command(self.stack.count() - 1)
        if isinstance(top, DesignCommand):
            top.in_gesture = False
