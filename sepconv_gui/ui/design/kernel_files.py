"""One kernel to and from a file: a whitespace text grid or a ``.npy`` array (no Qt here).

Text is what :func:`kernel_ops.parse_block` reads (spreadsheet tabs, commas or spaces); ``.npy``
is read with ``allow_pickle=False``, so a file cannot run code when opened. Writes go to a
temporary file in the same folder that then replaces the target, so a failed write never
leaves half a kernel behind.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np

from .kernel_ops import MAX_SIDE, parse_block

MAX_FILE_BYTES = 1 << 20  # a 31×31 kernel is a few kB in either format


def load_kernel(path: str | os.PathLike) -> np.ndarray:
    """The kernel in ``path`` as float64 ``(kh, kw)``; a 1-D array is one row.

    Raises ValueError (or OSError) saying what is wrong with the file.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{path.name} is {size} bytes; a kernel file is at most 1 MB")
    data = path.read_bytes()
    if path.suffix.lower() != ".npy":
        try:
            return parse_block(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValueError(f"{path.name} is not a text file of numbers") from None
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:
        raise ValueError(f"{path.name} is not a plain .npy array ({error})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise ValueError(f"{path.name} holds {array.dtype} values; a kernel needs real numbers")
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{path.name} has shape {array.shape}; a kernel is a 2-D grid")
    if max(array.shape) > MAX_SIDE:
        raise ValueError(f"{path.name} is {array.shape[0]}×{array.shape[1]}; sides go up to 31")
    if not np.isfinite(array).all():
        raise ValueError(f"{path.name} contains NaN or infinity")
    return array


def save_kernel(path: str | os.PathLike, kernel: np.ndarray) -> None:
    """Write ``kernel`` as ``.npy`` (exact float64) or, for any other suffix, as text."""
    path = Path(path)
    kernel = np.asarray(kernel, dtype=np.float64)
    if path.suffix.lower() == ".npy":
        buffer = io.BytesIO()
        np.save(buffer, kernel, allow_pickle=False)
        data = buffer.getvalue()
    else:
        # Full precision: a saved kernel loads back bit for bit.
        data = "\n".join(" ".join(repr(float(v)) for v in row) for row in kernel).encode()
        data += b"\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["load_kernel", "save_kernel"]
