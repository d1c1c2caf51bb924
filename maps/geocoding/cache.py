"""Caching in front of any geocoder: an in-process LRU, then an optional shared cache.

Ads repeat the same few hundred location strings, so most look-ups hit. The shared cache (for
example Django's cache, anything with get/set) lets Celery workers share remote answers so a
self-hosted Nominatim is not asked the same question by every worker.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol

from maps.geocoding.context import Hint
from maps.geocoding.text import MAX_RAW_CHARS
from maps.geocoding.types import Geocoder, Location
from maps.geocoding.urlhints import url_place_phrases

logger = logging.getLogger(__name__)


class CacheBackend(Protocol):
    """The two methods used of Django's cache API."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: Any = ...) -> Any: ...


class CachedGeocoder:
    """Wraps a geocoder; same interface, same version, answers remembered.

    Keys include the inner geocoder's version, so a new gazetteer or rule set never reads an
    answer computed by the old one. Only the URL's place-like parts go into the key: two ads on
    the same site section share an answer even though their listing ids differ.
    """

    def __init__(
        self,
        inner: Geocoder,
        *,
        maxsize: int = 50_000,
        cache: CacheBackend | None = None,
        cache_timeout: int | None = 30 * 24 * 3600,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.inner = inner
        self.version = inner.version
        self.maxsize = maxsize
        self.cache = cache
        self.cache_timeout = cache_timeout
        self._lru: OrderedDict[str, Location] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.shared_hits = 0
        self.misses = 0

    def _key(self, text: str, country: str | None, url: str, hints: tuple[Hint, ...] = ()) -> str:
        raw = "\x1f".join(
            (
                self.version,
                (country or "").upper(),
                (text if isinstance(text, str) else str(text))[:MAX_RAW_CHARS],
                "/".join(url_place_phrases(url)),
                "/".join(h.key() for h in hints),
            )
        )
        return "geocode:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()

    def geocode(
        self, text: str, *, country: str | None = None, url: str = "", hints: tuple[Hint, ...] = ()
    ) -> Location:
        key = self._key(text, country, url, hints)
        with self._lock:
            found = self._lru.get(key)
            if found is not None:
                self._lru.move_to_end(key)
                self.hits += 1
                return found
        location = self._from_shared(key)
        if location is None:
            self.misses += 1
            location = self.inner.geocode(text, country=country, url=url, hints=hints)
            self._to_shared(key, location)
        else:
            self.shared_hits += 1
        with self._lock:
            self._lru[key] = location
            self._lru.move_to_end(key)
            while len(self._lru) > self.maxsize:
                self._lru.popitem(last=False)
        return location

    def _from_shared(self, key: str) -> Location | None:
        if self.cache is None:
            return None
        try:
            data = self.cache.get(key)
        except Exception:  # a cache outage must not stop geocoding
            logger.warning("geocode cache get failed", exc_info=True)
            return None
        if not isinstance(data, dict):
            return None
        try:
            return Location.from_json(data)
        except (KeyError, TypeError, ValueError):
            logger.warning("geocode cache held an unreadable entry %s", key)
            return None

    def _to_shared(self, key: str, location: Location) -> None:
        if self.cache is None:
            return
        try:
            self.cache.set(key, location.to_json(), self.cache_timeout)
        except Exception:
            logger.warning("geocode cache set failed", exc_info=True)

    def clear(self) -> None:
        """Forget the in-process answers (the shared cache is left alone)."""
        with self._lock:
            self._lru.clear()
