"""The engine's own error: a call refused because it would not fit in memory or time.

Part of the engine's error contract: a call raises ``ValueError``/``TypeError`` for bad input,
:class:`ResourceError` for input that is valid but too big for this machine, and nothing else
(no ``cv2.error``, no raw ``MemoryError``).
"""

from __future__ import annotations


class ResourceError(RuntimeError):
    """A call refused before it allocated: it says how much it needs and what to lower.

    Attributes
    ----------
    needed_bytes : int
        The predicted peak memory of the call (0 when the limit is not about memory).
    budget_bytes : int
        The memory the engine was allowed to use (0 when not about memory).
    """

    def __init__(self, message: str, *, needed_bytes: int = 0, budget_bytes: int = 0) -> None:
        super().__init__(message)
        self.needed_bytes = needed_bytes
        self.budget_bytes = budget_bytes
