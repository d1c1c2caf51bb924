"""Scoring, indicators and linking of ads into networks."""
