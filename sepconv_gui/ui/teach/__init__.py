"""Teaching aids: the opening screen, presentation mode and lessons."""
