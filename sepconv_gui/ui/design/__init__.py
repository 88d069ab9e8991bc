"""Design widgets: kernel editor and channel designer."""
