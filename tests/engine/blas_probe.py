"""What the engine tests read of the loaded BLAS libraries."""

from threadpoolctl import ThreadpoolController


def blas_threads() -> list[int]:
    """The thread count of every loaded BLAS, as threadpoolctl reads it now."""
    return [lib["num_threads"] for lib in ThreadpoolController().select(user_api="blas").info()]
