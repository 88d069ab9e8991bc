"""Image files and frame sources. No Qt here: this layer is plain numpy + OpenCV."""

from .images import ImageLoadError, fit_for_live, load_image, working_size
from .samples import bundled_samples, default_sample
from .sources import Frame, FrameSource, SourceError

__all__ = [
    "Frame",
    "FrameSource",
    "ImageLoadError",
    "SourceError",
    "bundled_samples",
    "default_sample",
    "fit_for_live",
    "load_image",
    "working_size",
]
