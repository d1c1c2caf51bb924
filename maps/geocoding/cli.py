"""The logic behind `manage.py geocode`, kept free of Django so it can be tested alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maps.geocoding.cache import CacheBackend, CachedGeocoder
from maps.geocoding.gazetteer import GazetteerGeocoder
from maps.geocoding.phones import default_gazetteer
from maps.geocoding.remote import GeopyGeocoder
from maps.geocoding.types import Geocoder

BACKEND_CHOICES = ("gazetteer", "nominatim", "photon")


def build_geocoder(
    *,
    backend: str = "gazetteer",
    base_url: str = "",
    timeout: float = 5.0,
    user_agent: str = "anti-trafficking-geocoder",
    cache: CacheBackend | None = None,
    maxsize: int = 50_000,
    gazetteer: GazetteerGeocoder | None = None,
) -> CachedGeocoder:
    """Build a cached geocoder for `backend`; remote backends need the self-hosted base URL."""
    if backend not in BACKEND_CHOICES:
        raise ValueError(f"backend must be one of {BACKEND_CHOICES}")
    inner: Geocoder
    if backend == "gazetteer":
        inner = gazetteer or default_gazetteer()
    else:
        inner = GeopyGeocoder(
            backend=backend,
            base_url=base_url,
            timeout=timeout,
            user_agent=user_agent,
            url_gazetteer=gazetteer,
        )
    return CachedGeocoder(inner, cache=cache, maxsize=maxsize)


def geocode_command(
    text: str,
    *,
    country: str | None = None,
    backend: str = "gazetteer",
    url: str = "",
    base_url: str = "",
    timeout: float = 5.0,
    phones: Sequence[str] = (),
    region: str = "",
    geocoder: Geocoder | None = None,
) -> dict[str, Any]:
    """Geocode one string and return the JSON-ready dict the command prints.

    `phones` (E.164) and `region` (the source's state code) are the same context the pipeline
    passes: they settle ambiguous names, and the "rule" key says what decided.
    """
    from maps.geocoding.ad import context_hints

    geocoder = geocoder or build_geocoder(backend=backend, base_url=base_url, timeout=timeout)
    hints = context_hints(
        phones=phones, gazetteer=default_gazetteer(), country=country, source_region=region
    )
    location = geocoder.geocode(text, country=country, url=url, hints=hints)
    return {**location.to_json(), "geocoder_version": geocoder.version}
