"""Geocoding through geopy against a self-hosted Nominatim or Photon.

There is deliberately no default server: ad text is evidence and must not be sent to a public
service. The caller passes the base URL of the organisation's own instance.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from geopy import exc as geopy_exc
from geopy.geocoders import Nominatim, Photon

from maps.geocoding.context import Hint
from maps.geocoding.tables import CITY_ALIASES, REGION_ALIASES, STATE_NAME_ALIASES
from maps.geocoding.text import SEPARATORS, clean_text, normalise_phrase, tokenize
from maps.geocoding.types import (
    PRECISION_CITY,
    PRECISION_COUNTRY,
    PRECISION_NEIGHBOURHOOD,
    PRECISION_POINT,
    PRECISION_REGION,
    PRECISION_UNKNOWN,
    SOURCE_NOMINATIM,
    SOURCE_PHOTON,
    GeocoderUnavailableError,
    Location,
)

logger = logging.getLogger(__name__)

BACKENDS = ("nominatim", "photon")

# OSM place types to our precision scale. Anything unlisted is treated as a point (a POI).
_PRECISION_BY_TYPE: dict[str, str] = {
    "country": PRECISION_COUNTRY,
    "state": PRECISION_REGION,
    "region": PRECISION_REGION,
    "province": PRECISION_REGION,
    "state_district": PRECISION_REGION,
    "county": PRECISION_REGION,
    "administrative": PRECISION_REGION,
    "city": PRECISION_CITY,
    "town": PRECISION_CITY,
    "village": PRECISION_CITY,
    "municipality": PRECISION_CITY,
    "suburb": PRECISION_NEIGHBOURHOOD,
    "neighbourhood": PRECISION_NEIGHBOURHOOD,
    "quarter": PRECISION_NEIGHBOURHOOD,
    "city_district": PRECISION_NEIGHBOURHOOD,
    "district": PRECISION_NEIGHBOURHOOD,
    "borough": PRECISION_NEIGHBOURHOOD,
    "hamlet": PRECISION_NEIGHBOURHOOD,
    "locality": PRECISION_NEIGHBOURHOOD,
}


def ad_text_to_query(text: str) -> str:
    """Rewrite ad shorthand into something a general geocoder understands.

    "Philly" becomes "Philadelphia, PA, US" and separators become commas; the rest passes
    through as written.
    """
    tokens = tokenize(clean_text(text))
    if not tokens:
        return ""
    parts: list[list[str]] = [[]]
    for tok in tokens:
        if tok.sep_before and parts[-1]:
            parts.append([])
        parts[-1].append(tok)
    out: list[str] = []
    for part in parts:
        key = normalise_phrase([t.word for t in part])
        if key in CITY_ALIASES:
            alias = CITY_ALIASES[key]
            out.append(f"{alias.city}, {alias.admin1}, {alias.country}")
        elif key in REGION_ALIASES:
            out.append(REGION_ALIASES[key].name)
        elif key in STATE_NAME_ALIASES:
            out.append(STATE_NAME_ALIASES[key])
        else:
            out.append(" ".join(t.original for t in part))
    return ", ".join(p for p in out if p and p not in SEPARATORS)


class GeopyGeocoder:
    """A Geocoder backed by a self-hosted Nominatim or Photon through geopy."""

    def __init__(
        self,
        *,
        backend: str = "nominatim",
        base_url: str,
        timeout: float = 5.0,
        user_agent: str = "anti-trafficking-geocoder",
        url_gazetteer: Any = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}")
        if not base_url:
            raise ValueError("base_url is required: point it at your own Nominatim or Photon")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must look like http(s)://host[:port][/path]")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.backend = backend
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.version = f"{backend}:{parts.netloc}{parts.path.rstrip('/')}"
        # A URL hint needs a gazetteer to tell a city slug from "escorts"; optional.
        self.url_gazetteer = url_gazetteer
        domain = parts.netloc + parts.path.rstrip("/")
        cls = Nominatim if backend == "nominatim" else Photon
        # proxies={} keeps a self-hosted geocoder on the direct route, never an HTTP_PROXY.
        self._client = cls(
            domain=domain, scheme=parts.scheme, timeout=timeout, user_agent=user_agent, proxies={}
        )

    @property
    def source(self) -> str:
        return SOURCE_NOMINATIM if self.backend == "nominatim" else SOURCE_PHOTON

    def geocode(
        self, text: str, *, country: str | None = None, url: str = "", hints: tuple[Hint, ...] = ()
    ) -> Location:
        """Ask the remote service. Hints are not sent: the service has no way to weigh them."""
        query = ad_text_to_query(text)
        location = self._ask(query, country) if query else None
        if location is None and url and self.url_gazetteer is not None:
            from_url = self.url_gazetteer.geocode("", country=country, url=url)
            if from_url.precision != PRECISION_UNKNOWN:
                return from_url
        return location or Location.unknown(source=self.source, note="No match from geocoder.")

    def _ask(self, query: str, country: str | None) -> Location | None:
        try:
            if self.backend == "nominatim":
                result = self._client.geocode(
                    query,
                    exactly_one=True,
                    addressdetails=True,
                    country_codes=country.lower() if country else None,
                )
            else:
                result = self._client.geocode(query, exactly_one=True)
        except geopy_exc.GeocoderQueryError as err:
            logger.info("geocoder rejected query: %s", err)
            return None
        except (geopy_exc.GeopyError, OSError) as err:
            raise GeocoderUnavailableError(f"{self.backend} at {self.base_url}: {err}") from err
        if result is None:
            return None
        raw = result.raw if isinstance(result.raw, dict) else {}
        if self.backend == "nominatim":
            return self._from_nominatim(result.latitude, result.longitude, raw)
        loc = self._from_photon(result.latitude, result.longitude, raw)
        if country and loc.country and loc.country != country.upper():
            return None
        return loc

    def _from_nominatim(self, lat: float, lng: float, raw: dict[str, Any]) -> Location:
        kind = str(raw.get("addresstype") or raw.get("type") or "")
        precision = _PRECISION_BY_TYPE.get(kind, PRECISION_POINT)
        address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
        country = str(address.get("country_code") or "").upper()
        iso = str(address.get("ISO3166-2-lvl4") or "")
        admin1 = iso.split("-", 1)[1] if "-" in iso else ""
        try:
            importance = float(raw.get("importance") or 0.0)
        except (TypeError, ValueError):
            importance = 0.0
        return Location(
            lat=float(lat),
            lng=float(lng),
            precision=precision,
            name=str(raw.get("display_name") or ""),
            source=SOURCE_NOMINATIM,
            country=country,
            admin1=admin1,
            confidence=round(min(0.9, 0.5 + 0.4 * max(0.0, min(1.0, importance))), 2),
            note=f"Nominatim type '{kind}'." if kind else "",
        )

    def _from_photon(self, lat: float, lng: float, raw: dict[str, Any]) -> Location:
        props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
        kind = str(props.get("type") or props.get("osm_value") or "")
        precision = _PRECISION_BY_TYPE.get(kind, PRECISION_POINT)
        if kind == "street":
            precision = PRECISION_NEIGHBOURHOOD
        name_parts = [props.get(k) for k in ("name", "city", "state", "country")]
        name = ", ".join(dict.fromkeys(str(p) for p in name_parts if p))
        return Location(
            lat=float(lat),
            lng=float(lng),
            precision=precision,
            name=name,
            source=SOURCE_PHOTON,
            country=str(props.get("countrycode") or "").upper(),
            confidence=0.7,
            note=f"Photon type '{kind}'." if kind else "",
        )
