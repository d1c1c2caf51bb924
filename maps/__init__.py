"""Geocoding and map views."""
