"""What a design made from a deeper model layer runs on: that layer's real input, or not.

"Use this layer" on a layer that does not read the image (C other than 1 or 3) names the layer
in the design (``Design.layer_input``, e.g. ``"model.onnx › conv3"``) and registers here how to
compute its input. :func:`layer_input` then gives the pipeline, for each frame, the model's
own activations at that layer (through onnxruntime, built on first use in the worker thread),
or None; without onnxruntime, or for a design whose model is not open, the pipeline runs on
the channel designer's synthesized channels (``Design.channels`` = the layer's C) instead,
and :func:`input_note` says which of the two the views show. No Qt here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from ..io.model_activations import RUNTIME_HINT, runtime_available

_lock = threading.Lock()
_factories: dict[str, Callable] = {}
_built: dict[str, Callable] = {}
_failures: dict[str, str] = {}
_reasons: dict[str, str] = {}


def key_for(model_name: str, layer_name: str) -> str:
    return f"{model_name} › {layer_name}"


def register(key: str, factory: Callable | None, reason: str = "") -> None:
    """``factory()`` builds the frame -> activations callable (raising a user sentence);
    None with a ``reason`` when the layer's input cannot be computed at all."""
    with _lock:
        _factories[key] = factory
        _built.pop(key, None)
        _failures.pop(key, None)
        _reasons[key] = reason


def forget_all() -> None:
    """Drop every registration (tests; a fresh window)."""
    with _lock:
        _factories.clear()
        _built.clear()
        _failures.clear()
        _reasons.clear()


def _feed(key: str):
    with _lock:
        if key in _built or key in _failures or _factories.get(key) is None:
            return _built.get(key)
        factory = _factories[key]
    try:
        feed = factory()
    except Exception as error:  # a model onnxruntime cannot run: say so, use the fallback
        with _lock:
            _failures[key] = str(error)
        return None
    with _lock:
        _built[key] = feed
    return feed


def layer_input(image: np.ndarray, key: str) -> np.ndarray | None:
    """The layer's real input activations for ``image``, or None (then the fallback runs)."""
    if not key or not runtime_available():
        return None
    feed = _feed(key)
    if feed is None:
        return None
    try:
        return feed(image)
    except Exception as error:
        with _lock:
            _built.pop(key, None)
            _failures[key] = f"onnxruntime failed on this frame: {error}"
        return None


def input_note(key: str) -> str:
    """What the views show as the input of a design made from layer ``key`` ("" for none)."""
    if not key:
        return ""
    layer = key.split(" › ")[-1]
    with _lock:
        reason = _reasons.get(key)
    if reason:
        return f"synthesized channels, not {layer}'s real input ({reason})"
    if not runtime_available():
        return f"synthesized channels, not {layer}'s real input (for it: {RUNTIME_HINT})"
    with _lock:
        known, failure = key in _factories, _failures.get(key)
    if failure:
        return f"synthesized channels, not {layer}'s real input ({failure})"
    if not known:
        model = key.split(" › ")[0]
        return f"synthesized channels: open {model} in the Model dock for {layer}'s real input"
    return f"{layer}'s real input (the model run up to it by onnxruntime)"
