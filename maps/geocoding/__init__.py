"""Geocoding ads: offline gazetteer by default, self-hosted Nominatim/Photon when configured.

Typical use::

    geocoder = build_geocoder()  # cached offline gazetteer
    result = geocode_ad(location_text="LV, NV", url=ad.url, phones=["+17025550123"],
                        country="US", geocoder=geocoder)
"""

from __future__ import annotations

from maps.geocoding.ad import geocode_ad
from maps.geocoding.cache import CachedGeocoder
from maps.geocoding.cli import build_geocoder, geocode_command
from maps.geocoding.gazetteer import GazetteerGeocoder, haversine_km
from maps.geocoding.phones import area_code_location, travel_cue
from maps.geocoding.remote import GeopyGeocoder
from maps.geocoding.types import (
    PRECISIONS,
    SOURCES,
    AdLocation,
    Geocoder,
    GeocoderUnavailableError,
    Location,
    PhoneLocation,
)

__all__ = [
    "PRECISIONS",
    "SOURCES",
    "AdLocation",
    "CachedGeocoder",
    "GazetteerGeocoder",
    "Geocoder",
    "GeocoderUnavailableError",
    "GeopyGeocoder",
    "Location",
    "PhoneLocation",
    "area_code_location",
    "build_geocoder",
    "geocode_ad",
    "geocode_command",
    "haversine_km",
    "travel_cue",
]
