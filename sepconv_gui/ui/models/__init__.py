"""The Model dock: a trained network's layers, filters and separable fits."""
