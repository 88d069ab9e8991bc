"""Image files and frame sources. No Qt here: this layer is plain numpy + OpenCV."""
