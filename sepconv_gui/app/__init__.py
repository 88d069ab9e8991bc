"""State, controller and workers: the only layer that starts threads."""
