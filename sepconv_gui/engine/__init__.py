"""The convolution engine: numpy + OpenCV only, usable from a notebook.

Images are ``(H, W)`` or ``(H, W, C)`` arrays of any real dtype, computed in float32 and
returned as float32 ``(H, W, channels)`` without rescaling. Kernels anchor at
``(kh // 2, kw // 2)`` as in OpenCV; ``flip=False`` correlates, ``flip=True`` convolves.
"""

from .algorithms import ALGORITHMS
from .convolve import depthwise_separable_conv, normal_conv, spatial_separable_conv
from .errors import ResourceError
from .cost import MODES, ConvCost, StageCost, conv_cost
from .memory import estimate_memory, memory_budget, set_memory_budget
from .kernels import MAX_KERNEL_SIZE, PRESETS, ParamSpec, PresetSpec, preset_factors, preset_kernel
from .result import ConvResult
from .threads import num_threads, set_num_threads
from .separability import KernelAnalysis, analyze_kernel, factorize_depthwise_separable
from .validation import BORDER_MODES

__all__ = [
    "ALGORITHMS",
    "BORDER_MODES",
    "MAX_KERNEL_SIZE",
    "MODES",
    "PRESETS",
    "ConvCost",
    "ConvResult",
    "KernelAnalysis",
    "ParamSpec",
    "PresetSpec",
    "ResourceError",
    "StageCost",
    "analyze_kernel",
    "conv_cost",
    "depthwise_separable_conv",
    "estimate_memory",
    "factorize_depthwise_separable",
    "memory_budget",
    "num_threads",
    "normal_conv",
    "preset_factors",
    "preset_kernel",
    "set_memory_budget",
    "set_num_threads",
    "spatial_separable_conv",
]
