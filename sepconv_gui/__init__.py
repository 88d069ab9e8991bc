"""sepconv-gui: see separable convolutions, and measure what they save."""

__version__ = "0.1.0"
