"""A design as runnable code: self-contained OpenCV, PyTorch or Keras snippets.

``to_code(design, target, channels=C)`` returns Python source that defines ``run(image)``:
``image`` is the H×W×C float32 array the app's modes run on (after its grayscale or channel
synthesis step), and the result maps each mode the design enables — ``"normal"``,
``"spatial"``, ``"depthwise"`` — to its H×W×P float32 output (spatial-separable keeps the C
channels), equal to the app's for the same border mode and flip setting.

Weights are inline: nested lists when small, otherwise base64 of little-endian float64 bytes,
so each snippet is one file that needs only its library and numpy.

Borders. Every snippet pads the input explicitly, then runs "valid" (unpadded) layers, so it
anchors kernels exactly as the app does (even sizes included: the anchor is at
``(kh // 2, kw // 2)``, mirrored for a true convolution). The padding used:

========== ======================= ========================== =============================
app border OpenCV                  PyTorch ``F.pad`` mode     Keras ``keras.ops.pad`` mode
========== ======================= ========================== =============================
reflect101 BORDER_REFLECT_101      ``"reflect"``              ``"reflect"``
reflect    BORDER_REFLECT          (none: ``numpy.pad``       ``"symmetric"``
                                   ``"symmetric"``)
replicate  BORDER_REPLICATE        ``"replicate"``            (``numpy.pad`` ``"edge"``)
wrap       BORDER_WRAP             ``"circular"``             (``numpy.pad`` ``"wrap"``)
constant   BORDER_CONSTANT, 0      ``"constant"``, 0 (= the   ``"constant"``, 0 (= Keras'
                                   layers' ``padding=k//2``)  ``padding="same"``, odd k)
========== ======================= ========================== =============================

(Keras' TensorFlow backend pads only constant/reflect/symmetric, so the other two use numpy.)
"""

from __future__ import annotations

import base64

import numpy as np

from .design_weights import channels_for
from .state import Design

TARGETS = ("opencv", "pytorch", "keras")
INLINE_LIMIT = 2048  # values; larger weights are inlined as base64
_OPENCV_BORDER = {
    "reflect101": "cv2.BORDER_REFLECT_101",
    "reflect": "cv2.BORDER_REFLECT",
    "replicate": "cv2.BORDER_REPLICATE",
    "wrap": "cv2.BORDER_WRAP",
    "constant": "cv2.BORDER_CONSTANT",
}
_NUMPY_MODE = {
    "reflect101": "reflect",
    "reflect": "symmetric",
    "replicate": "edge",
    "wrap": "wrap",
    "constant": "constant",
}
_TORCH_MODE = {"reflect101": "reflect", "replicate": "replicate", "wrap": "circular"}
_KERAS_MODE = {"reflect101": "reflect", "reflect": "symmetric", "constant": "constant"}


def _literal(name: str, array: np.ndarray, comment: str) -> str:
    array = np.asarray(array, dtype=np.float64)
    if array.size <= INLINE_LIMIT:
        body = f"np.array({array.tolist()!r})"
    else:
        data = base64.b64encode(array.astype("<f8").tobytes()).decode("ascii")
        body = f'np.frombuffer(base64.b64decode("{data}"), dtype="<f8").reshape({array.shape})'
    return f"# {comment}\n{name} = {body}\n"


def _weights(design: Design, channels: int) -> str:
    parts = []
    if "normal" in design.modes:
        bank = design.normal_weights(channels)
        parts.append(_literal("NORMAL", bank, f"normal bank (P, C, kh, kw) = {bank.shape}"))
    if "spatial" in design.modes:
        column, row = design.spatial_factors()
        parts.append(_literal("COLUMN", column, f"spatial: r = {len(column)} column factors"))
        parts.append(_literal("ROW", row, "spatial: the matching row factors"))
    if "depthwise" in design.modes:
        depth = design.depthwise_kernels(channels)
        parts.append(
            _literal(
                "DEPTHWISE",
                depth,
                f"(C*M, kh, kw) = {depth.shape}: map c*M + m is input channel c's m-th kernel",
            )
        )
        point = design.pointwise_weights(channels)
        parts.append(_literal("POINTWISE", point, f"(P, C*M) = {point.shape}"))
    return "\n".join(parts)


def _header(design: Design, target: str, channels: int, imports: str, notes: str) -> str:
    p = design.out_channels
    return (
        f'"""sepconv-gui design as {target} code: run(image) -> dict of mode -> output.\n\n'
        f"image: H x W x C float32 with C = {channels} (the input the app's modes run on).\n"
        f"Outputs: H x W x P float32, P = {p} (spatial-separable: H x W x C).\n"
        f"Border: the app's {design.border!r}; "
        f"{'true convolution (flip on)' if design.flip else 'correlation (flip off)'}.\n"
        f"{notes}"
        '"""\n\n'
        f"{imports}\n\n"
        f"C, M, P = {channels}, {design.multiplier}, {p}\n"
        f"FLIP = {design.flip}\n\n"
        f"{_weights(design, channels)}\n\n"
        "def _pads(kh, kw):\n"
        "    # (top, bottom, left, right): the anchor is (kh // 2, kw // 2) for correlation;\n"
        "    # a true convolution turns the kernel 180 degrees, which mirrors the anchor.\n"
        "    top, left = (kh - 1 - kh // 2, kw - 1 - kw // 2) if FLIP else (kh // 2, kw // 2)\n"
        "    return top, kh - 1 - top, left, kw - 1 - left\n\n\n"
        "def _turn(kernel):\n"
        "    return kernel[..., ::-1, ::-1] if FLIP else kernel\n\n\n"
        "def _turn1(factor):\n"
        "    return factor[::-1] if FLIP else factor\n\n\n"
    )


def _run(design: Design, blocks: dict[str, str], prologue: str) -> str:
    body = [prologue]
    for mode in design.modes:
        body.append(blocks[mode])
    body.append("    return out\n")
    return "def run(image):\n" + "".join(body)


def _opencv(design: Design, channels: int) -> str:
    notes = (
        "OpenCV correlates (cv2.filter2D does not flip its kernel). Each map is a\n"
        "correlation of the explicitly padded plane, anchored at (0, 0): a 'valid' result.\n"
        "Depthwise-separable: C*M maps, map c*M + m = input channel c with its m-th kernel,\n"
        "then each of the P outputs is a weighted sum of all C*M maps.\n"
    )
    imports = (
        "import base64  # noqa: F401 (used when weights are large)\n\n"
        "import cv2\nimport numpy as np"
    )
    helpers = (
        f"BORDER = {_OPENCV_BORDER[design.border]}\n\n\n"
        "def _pad(plane, kh, kw):\n"
        "    top, bottom, left, right = _pads(kh, kw)\n"
        "    return cv2.copyMakeBorder(plane, top, bottom, left, right, BORDER, value=0)\n\n\n"
        "def _correlate(plane, kernel):\n"
        "    kernel = np.ascontiguousarray(_turn(kernel), dtype=np.float32)\n"
        "    kh, kw = kernel.shape\n"
        "    full = cv2.filter2D(_pad(plane, kh, kw), cv2.CV_32F, kernel, anchor=(0, 0))\n"
        "    return full[: plane.shape[0], : plane.shape[1]]\n\n\n"
    )
    blocks = {
        "normal": (
            "    normal = np.zeros((h, w, P), np.float32)\n"
            "    for p in range(P):\n"
            "        for c in range(C):\n"
            "            normal[:, :, p] += _correlate(planes[c], NORMAL[p, c])\n"
            '    out["normal"] = normal\n'
        ),
        "spatial": (
            "    spatial = np.zeros((h, w, C), np.float32)\n"
            "    kh, kw = COLUMN.shape[1], ROW.shape[1]\n"
            "    for c in range(C):\n"
            "        padded = _pad(planes[c], kh, kw)\n"
            "        for column, row in zip(COLUMN, ROW):  # one vertical + horizontal pair each\n"
            "            kx = np.ascontiguousarray(_turn1(row), dtype=np.float32)\n"
            "            ky = np.ascontiguousarray(_turn1(column), dtype=np.float32)\n"
            "            pass_pair = cv2.sepFilter2D(padded, cv2.CV_32F, kx, ky, anchor=(0, 0))\n"
            "            spatial[:, :, c] += pass_pair[:h, :w]\n"
            '    out["spatial"] = spatial\n'
        ),
        "depthwise": (
            "    maps = np.stack(\n"
            "        [_correlate(planes[k // M], DEPTHWISE[k]) for k in range(C * M)], axis=2\n"
            "    )\n"
            "    mix = POINTWISE.astype(np.float32)\n"
            '    out["depthwise"] = (maps.reshape(-1, C * M) @ mix.T).reshape(h, w, P)\n'
        ),
    }
    prologue = (
        "    image = np.asarray(image, dtype=np.float32)\n"
        "    h, w = image.shape[:2]\n"
        "    planes = [np.ascontiguousarray(image[:, :, c]) for c in range(C)]\n"
        "    out = {}\n"
    )
    return (
        _header(design, "OpenCV", channels, imports, notes)
        + helpers
        + _run(design, blocks, prologue)
    )


def _torch(design: Design, channels: int) -> str:
    notes = (
        "PyTorch's conv2d correlates. Shapes and groups, the part most often got wrong:\n"
        "  normal     F.conv2d(x, NORMAL)            weight (P, C, kh, kw), groups=1\n"
        "  depthwise  F.conv2d(x, W, groups=C)       weight (C*M, 1, kh, kw): with groups=C,\n"
        "             output channel c*M + m sees input channel c only, so the depth multiplier\n"
        "             M = out_channels / in_channels (nn.Conv2d(C, C*M, k, groups=C))\n"
        "  pointwise  F.conv2d(maps, W)              weight (P, C*M, 1, 1)\n"
        "  spatial    per pair: (C, 1, kh, 1) then (C, 1, 1, kw) kernels, groups=C\n"
    )
    if design.border in _TORCH_MODE or design.border == "constant":
        mode = _TORCH_MODE.get(design.border, "constant")
        pad = (
            "def _pad(x, kh, kw):\n"
            "    top, bottom, left, right = _pads(kh, kw)\n"
            f"    return F.pad(x, (left, right, top, bottom), mode={mode!r})\n\n\n"
        )
    else:  # OpenCV's BORDER_REFLECT (edge pixel repeated) has no F.pad mode
        pad = (
            "def _pad(x, kh, kw):\n"
            "    top, bottom, left, right = _pads(kh, kw)\n"
            "    # F.pad has no 'symmetric' mode (OpenCV BORDER_REFLECT): pad in numpy.\n"
            "    data = np.pad(x.numpy(), ((0, 0), (0, 0), (top, bottom), (left, right)),\n"
            '                  mode="symmetric")\n'
            "    return torch.from_numpy(data)\n\n\n"
        )
    helpers = pad + (
        "def _tensor(array):\n"
        "    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))\n\n\n"
    )
    blocks = {
        "normal": (
            "    kh, kw = NORMAL.shape[2:]\n"
            "    y = F.conv2d(_pad(x, kh, kw), _tensor(_turn(NORMAL)))\n"
            '    out["normal"] = y[0].permute(1, 2, 0).numpy()\n'
        ),
        "spatial": (
            "    kh, kw = COLUMN.shape[1], ROW.shape[1]\n"
            "    padded = _pad(x, kh, kw)\n"
            "    y = 0\n"
            "    for column, row in zip(COLUMN, ROW):\n"
            "        vertical = _tensor(_turn1(column)).reshape(1, 1, kh, 1).repeat(C, 1, 1, 1)\n"
            "        horizontal = _tensor(_turn1(row)).reshape(1, 1, 1, kw).repeat(C, 1, 1, 1)\n"
            "        y = y + F.conv2d(F.conv2d(padded, vertical, groups=C), horizontal, groups=C)\n"
            '    out["spatial"] = y[0].permute(1, 2, 0).numpy()\n'
        ),
        "depthwise": (
            "    kh, kw = DEPTHWISE.shape[1:]\n"
            "    depth = _tensor(_turn(DEPTHWISE)).reshape(C * M, 1, kh, kw)\n"
            "    maps = F.conv2d(_pad(x, kh, kw), depth, groups=C)  # (1, C*M, H, W)\n"
            "    y = F.conv2d(maps, _tensor(POINTWISE).reshape(P, C * M, 1, 1))\n"
            '    out["depthwise"] = y[0].permute(1, 2, 0).numpy()\n'
        ),
    }
    prologue = "    x = _tensor(image).permute(2, 0, 1)[None]  # (1, C, H, W)\n    out = {}\n"
    imports = (
        "import base64  # noqa: F401 (used when weights are large)\n\n"
        "import numpy as np\nimport torch\nimport torch.nn.functional as F"
    )
    return (
        _header(design, "PyTorch", channels, imports, notes)
        + helpers
        + "@torch.no_grad()\n"
        + _run(design, blocks, prologue)
    )


def _keras(design: Design, channels: int) -> str:
    notes = (
        "Keras 3 (any backend), channels last; Keras convolutions correlate. Weight layouts:\n"
        "  normal     Conv2D(P, (kh, kw))                     kernel (kh, kw, C, P)\n"
        "  depthwise  DepthwiseConv2D((kh, kw), depth_multiplier=M)  kernel (kh, kw, C, M);\n"
        "             output channel c*M + m is input channel c with kernel [:, :, c, m]\n"
        "  pointwise  Conv2D(P, 1)                            kernel (1, 1, C*M, P)\n"
        "  spatial    per pair: DepthwiseConv2D((kh, 1)) then ((1, kw)), multiplier 1\n"
        "All layers use padding='valid' after the explicit padding below.\n"
    )
    if design.border in _KERAS_MODE:
        mode = _KERAS_MODE[design.border]
        pad_body = (
            "    widths = [[0, 0], [top, bottom], [left, right], [0, 0]]\n"
            f"    return ops.pad(x, widths, mode={mode!r})\n"
        )
    else:
        mode = _NUMPY_MODE[design.border]
        pad_body = (
            "    # keras.ops.pad on the TensorFlow backend lacks this mode: pad in numpy.\n"
            "    widths = ((0, 0), (top, bottom), (left, right), (0, 0))\n"
            f"    return np.pad(ops.convert_to_numpy(x), widths, mode={mode!r})\n"
        )
    helpers = (
        "def _pad(x, kh, kw):\n"
        "    top, bottom, left, right = _pads(kh, kw)\n" + pad_body + "\n\n"
        "def _apply(layer, x, kernel):\n"
        "    layer.build(tuple(x.shape))\n"
        "    layer.set_weights([np.ascontiguousarray(kernel, dtype=np.float32)])\n"
        "    return layer(x)\n\n\n"
    )
    blocks = {
        "normal": (
            "    kh, kw = NORMAL.shape[2:]\n"
            "    layer = layers.Conv2D(P, (kh, kw), padding='valid', use_bias=False)\n"
            "    y = _apply(layer, _pad(x, kh, kw), _turn(NORMAL).transpose(2, 3, 1, 0))\n"
            '    out["normal"] = ops.convert_to_numpy(y)[0]\n'
        ),
        "spatial": (
            "    kh, kw = COLUMN.shape[1], ROW.shape[1]\n"
            "    padded = _pad(x, kh, kw)\n"
            "    y = 0\n"
            "    for column, row in zip(COLUMN, ROW):\n"
            "        vertical = np.tile(_turn1(column).reshape(kh, 1, 1, 1), (1, 1, C, 1))\n"
            "        horizontal = np.tile(_turn1(row).reshape(1, kw, 1, 1), (1, 1, C, 1))\n"
            "        v = _apply(layers.DepthwiseConv2D((kh, 1), use_bias=False), padded,\n"
            "                   vertical)\n"
            "        y = y + _apply(layers.DepthwiseConv2D((1, kw), use_bias=False), v,\n"
            "                       horizontal)\n"
            '    out["spatial"] = ops.convert_to_numpy(y)[0]\n'
        ),
        "depthwise": (
            "    kh, kw = DEPTHWISE.shape[1:]\n"
            "    kernel = _turn(DEPTHWISE).reshape(C, M, kh, kw).transpose(2, 3, 0, 1)\n"
            "    depth = layers.DepthwiseConv2D((kh, kw), depth_multiplier=M, use_bias=False)\n"
            "    maps = _apply(depth, _pad(x, kh, kw), kernel)  # (1, H, W, C*M)\n"
            "    point = layers.Conv2D(P, 1, use_bias=False)\n"
            "    y = _apply(point, maps, POINTWISE.T.reshape(1, 1, C * M, P))\n"
            '    out["depthwise"] = ops.convert_to_numpy(y)[0]\n'
        ),
    }
    prologue = (
        "    x = ops.convert_to_tensor(np.asarray(image, dtype=np.float32)[None])\n    out = {}\n"
    )
    imports = (
        "import base64  # noqa: F401 (used when weights are large)\n\n"
        "import numpy as np\nfrom keras import layers, ops"
    )
    return (
        _header(design, "Keras", channels, imports, notes)
        + helpers
        + _run(design, blocks, prologue)
    )


def to_code(design: Design, target: str, channels: int | None = None) -> str:
    """Python source defining ``run(image)`` for ``target`` ("opencv", "pytorch", "keras").

    ``channels`` is the input channel count C (default: ``design_weights.channels_for``).
    Raises ValueError for an unknown target and DesignError when the design's weights do
    not fit C.
    """
    if target not in TARGETS:
        raise ValueError(f"target {target!r} is unknown; use one of {', '.join(TARGETS)}")
    if channels is None:
        channels = channels_for(design)
    design.check_channels(channels)
    build = {"opencv": _opencv, "pytorch": _torch, "keras": _keras}[target]
    return build(design, channels)
