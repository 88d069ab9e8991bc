"""Model files that are bare weights, with no graph: NumPy banks and PyTorch state dicts.

:func:`~.models.load_model` picks the reader by the file's content. Each declared shape is
checked (:func:`~.models.check_bank_shape`) before the array behind it is read, as for ONNX.
A state dict stores no ``groups``; :func:`~.models.state_dict_layers` infers them.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from . import models
from .models import (
    ConvLayer,
    LayerList,
    ModelLoadError,
    bank_layer,
    check_bank_shape,
    state_dict_layers,
)


def _npy_header(stream, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Shape, Fortran order and dtype an .npy stream declares, read without reading its data."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    except Exception as error:  # numpy raises ValueError/SyntaxError/... for broken headers
        raise ModelLoadError(f"{name}: not a readable .npy array ({error})") from None
    if dtype.hasobject or dtype.kind not in "fiu":
        raise ModelLoadError(f"{name}: holds {dtype} values, not numbers")
    return tuple(shape), bool(fortran), dtype


def _as_bank_shape(name: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """(kh, kw) and (C, kh, kw) arrays are read as one output; others must be 4-D already."""
    if len(shape) == 2:
        return (1, 1) + shape
    if len(shape) == 3:
        return (1,) + shape
    return shape


def _read_npy(stream, name: str) -> np.ndarray:
    shape, _, _ = _npy_header(stream, name)
    bank_shape = _as_bank_shape(name, shape)
    check_bank_shape(name, bank_shape)
    stream.seek(0)
    try:
        array = np.lib.format.read_array(stream, allow_pickle=False)
    except Exception as error:
        raise ModelLoadError(f"{name}: the array data is damaged or cut short ({error})") from None
    return array.reshape(bank_shape)


def load_npy(path: Path) -> list[ConvLayer]:
    with path.open("rb") as stream:
        array = _read_npy(stream, path.name)
    return [bank_layer(path.stem, array, note="NumPy bank; groups taken as 1")]


def load_npz(path: Path) -> list[ConvLayer]:
    layers = LayerList(path.name)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ModelLoadError(f"{path.name}: not a readable .npz archive ({error})") from None
    with archive:
        members = [info for info in archive.infolist() if info.filename.endswith(".npy")]
        if len(members) > models.LIMITS.layers:
            raise ModelLoadError(f"{path.name}: {len(members):,} arrays is more than allowed")
        for info in members:
            name = info.filename[: -len(".npy")]
            with archive.open(info) as member:
                # A zip member stream cannot seek back; read the header, then the rest.
                shape, fortran, dtype = _npy_header(member, name)
                bank_shape = _as_bank_shape(name, shape)
                if len(bank_shape) != 4:
                    continue  # biases and other tensors sit beside the banks
                check_bank_shape(name, bank_shape)
                count = math.prod(shape)
                data = member.read(count * dtype.itemsize + 1)
            if len(data) != count * dtype.itemsize:
                raise ModelLoadError(f"{path.name}: array {name!r} is damaged or cut short")
            array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
            array = array.reshape(bank_shape)
            layers.add(bank_layer(name, array, note="NumPy bank; groups taken as 1"))
    return layers


def load_torch(path: Path, groups: dict[str, int] | None = None) -> list[ConvLayer]:
    try:
        import torch
    except ImportError:
        raise ModelLoadError(
            f"{path.name} looks like a PyTorch checkpoint; reading it needs PyTorch "
            "(pip install torch), which is not installed. Exporting the model to ONNX works "
            "without it."
        ) from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ModelLoadError(f"{path.name}: not a readable PyTorch state dict ({error})") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelLoadError(f"{path.name}: holds a {type(state).__name__}, not a state dict")
    banks = []
    for key, tensor in state.items():
        if not (isinstance(key, str) and key.endswith("weight") and hasattr(tensor, "shape")):
            continue
        if len(tensor.shape) != 4:
            continue
        check_bank_shape(key, tuple(tensor.shape))
        name = key[: -len(".weight")] if key.endswith(".weight") else key
        bias = state.get(name + ".bias")
        array = tensor.detach().to(torch.float32).numpy()
        bias_array = None if bias is None else bias.detach().to(torch.float32).numpy()
        banks.append((name, array, bias_array))
    return state_dict_layers(banks, path.name, groups)


def is_torch_zip(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith("data.pkl") for name in archive.namelist())
