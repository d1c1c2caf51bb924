"""The geocoder cache: an LRU in the process, a shared cache behind it, keyed by version."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache

from maps.geocoding import CachedGeocoder, GazetteerGeocoder, Location
from maps.geocoding.phones import default_gazetteer


class CountingGeocoder:
    """A real geocoder wrapped to count how often the cache lets a question through."""

    def __init__(self, inner: GazetteerGeocoder, version: str | None = None) -> None:
        self.inner = inner
        self.version = version or inner.version
        self.calls = 0

    def geocode(
        self, text: str, *, country: str | None = None, url: str = "", hints: tuple = ()
    ) -> Location:
        self.calls += 1
        return self.inner.geocode(text, country=country, url=url, hints=hints)


class BrokenCache:
    """A shared cache that is down."""

    def get(self, key: str, default: Any = None) -> Any:
        raise ConnectionError("cache down")

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        raise ConnectionError("cache down")


@pytest.fixture(scope="module")
def gazetteer() -> GazetteerGeocoder:
    return default_gazetteer()


def test_repeat_questions_are_answered_from_memory(gazetteer: GazetteerGeocoder) -> None:
    inner = CountingGeocoder(gazetteer)
    cached = CachedGeocoder(inner)
    first = cached.geocode("Philly")
    assert cached.geocode("Philly") == first
    assert inner.calls == 1
    assert cached.hits == 1 and cached.misses == 1


def test_country_and_url_city_are_part_of_the_key(gazetteer: GazetteerGeocoder) -> None:
    inner = CountingGeocoder(gazetteer)
    cached = CachedGeocoder(inner)
    assert cached.geocode("Paris").country == "FR"
    assert cached.geocode("Paris", country="US").country == "US"
    a = cached.geocode("", url="https://houston.example-classifieds.com/ad/1")
    b = cached.geocode("", url="https://houston.example-classifieds.com/ad/2")
    c = cached.geocode("", url="https://dallas.example-classifieds.com/ad/1")
    assert a == b and a.name == "Houston, TX, US"
    assert c.name == "Dallas, TX, US"
    assert inner.calls == 4  # the two Houston listings share one answer


def test_lru_forgets_the_oldest_entry(gazetteer: GazetteerGeocoder) -> None:
    inner = CountingGeocoder(gazetteer)
    cached = CachedGeocoder(inner, maxsize=2)
    cached.geocode("Philly")
    cached.geocode("NOLA")
    cached.geocode("Philly")  # Philly is now the most recent
    cached.geocode("ATL")  # evicts NOLA
    cached.geocode("Philly")
    assert inner.calls == 3
    cached.geocode("NOLA")
    assert inner.calls == 4


def test_shared_cache_serves_another_process(gazetteer: GazetteerGeocoder) -> None:
    shared = LocMemCache("geocode-test", {})
    worker_a = CachedGeocoder(CountingGeocoder(gazetteer), cache=shared)
    inner_b = CountingGeocoder(gazetteer)
    worker_b = CachedGeocoder(inner_b, cache=shared)
    answer = worker_a.geocode("Portland, Maine")
    assert worker_b.geocode("Portland, Maine") == answer
    assert inner_b.calls == 0
    assert worker_b.shared_hits == 1


def test_a_new_version_never_reads_old_answers(gazetteer: GazetteerGeocoder) -> None:
    shared = LocMemCache("geocode-test-version", {})
    CachedGeocoder(CountingGeocoder(gazetteer, version="v1"), cache=shared).geocode("NYC")
    inner = CountingGeocoder(gazetteer, version="v2")
    CachedGeocoder(inner, cache=shared).geocode("NYC")
    assert inner.calls == 1


def test_a_broken_shared_cache_does_not_stop_geocoding(gazetteer: GazetteerGeocoder) -> None:
    cached = CachedGeocoder(CountingGeocoder(gazetteer), cache=BrokenCache())
    assert cached.geocode("NOLA").name == "New Orleans, LA, US"


def test_garbage_in_the_shared_cache_is_ignored(gazetteer: GazetteerGeocoder) -> None:
    shared = LocMemCache("geocode-test-garbage", {})
    cached = CachedGeocoder(CountingGeocoder(gazetteer), cache=shared)
    key = cached._key("NOLA", None, "")
    shared.set(key, {"precision": "no-such-precision"})
    assert cached.geocode("NOLA").name == "New Orleans, LA, US"
