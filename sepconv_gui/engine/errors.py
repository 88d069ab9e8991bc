"""The engine's own error: a call refused because it would not fit in memory or time.

Part of the engine's error contract: a call raises ``ValueError``/``TypeError`` for bad input,
:class:`ResourceError` for input that is valid but too big for this machine, and nothing else
(no ``cv2.error``, no raw ``MemoryError``).
"""

from __future__ import annotations

import functools


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


def _opencv_error_types() -> tuple[type[BaseException], ...]:
    try:
        import cv2
    except ImportError:  # pragma: no cover - cv2 is a hard dependency of the engine
        return ()
    return (cv2.error,)


_OPENCV_ERRORS = _opencv_error_types()


def keeps_the_contract(function):
    """Wrap a public entry point: single-threaded BLAS inside, documented errors outside.

    The engine refuses too-big calls up front; this is the last resort for what slips through
    anyway (an allocation the estimate missed, an OpenCV limit nobody knew of). Both become a
    ResourceError that says what to lower, instead of a MemoryError or a ``cv2.error`` that
    the app cannot tell from a bug.
    """
    from .threads import single_threaded_blas
    from .validation import finish_pending_checks, pending_check_count

    name = function.__name__

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        checks_before = pending_check_count()
        try:
            # The engine splits its own work; a BLAS pool underneath would fight it.
            with single_threaded_blas():
                try:
                    return function(*args, **kwargs)
                finally:
                    # An image's finiteness is checked beside the work: if the work failed
                    # first (or forgot the check), a non-finite image is the error to report.
                    finish_pending_checks(checks_before)
        except MemoryError as exc:
            raise ResourceError(
                f"{name} ran out of memory; lower the image size, the number of channels "
                "(C, M or P) or the kernel size"
            ) from exc
        except _OPENCV_ERRORS as exc:
            detail = " ".join(str(exc).split())[-300:]
            raise ResourceError(
                f"{name}: OpenCV refused the call ({detail}); lower the image size, the number "
                "of channels (C, M or P) or the kernel size"
            ) from exc

    return wrapper
