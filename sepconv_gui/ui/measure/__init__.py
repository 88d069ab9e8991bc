"""Measurement widgets: cost table, live timing plots, benchmark sweep panel."""
