"""Image views and what they show.

Panels, stage grid, difference view, pixel inspector, display arithmetic and the shared redraw
throttle.
"""
