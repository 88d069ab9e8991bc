"""sepconv-gui: see separable convolutions, and measure what they save."""

# The one place the version is written: pyproject.toml reads it (dynamic), Help > About shows
# it, and tests/test_docs.py holds CHANGELOG.md and the AppStream release list to it.
__version__ = "0.1.0"
