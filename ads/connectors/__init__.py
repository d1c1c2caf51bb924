"""Connectors that poll online sources and hand ingestion `AdRecord`s.

    fetcher = SafeFetcher(user_agent="...", rate_limiter=RedisRateLimiter(redis_client))
    result = poll("rss", {"feed_url": "https://example.org/ads.xml"}, fetcher=fetcher)
    result.records  # list[AdRecord]
    result.errors   # [{"url": ..., "reason": ...}], one per page that yielded nothing

Kinds: "rss" (RSS 2.0, RSS 1.0 and Atom; see feeds.py) and "html" (listing pages described by
CSS selectors; see listing.py). `validate_settings` returns the problems an admin form shows.
All network access goes through `SafeFetcher` (http.py): robots.txt, rate limits, timeouts, size
caps, retries and the refusal of private addresses live there, once.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from ads.connectors.feeds import DEFAULT_MAX_ITEMS, poll_feed
from ads.connectors.http import Fetched, FetchError, SafeFetcher
from ads.connectors.listing import poll_listing, validate_listing_settings
from ads.connectors.results import InvalidSettings, PollError, PollResult

__all__ = [
    "KINDS",
    "FetchError",
    "Fetched",
    "InvalidSettings",
    "PollError",
    "PollResult",
    "SafeFetcher",
    "poll",
    "validate_settings",
]

FEED_SETTING_NAMES = ("feed_url", "max_items")
MAX_FEED_ITEMS_LIMIT = 5000


def validate_feed_settings(settings: dict[str, object]) -> list[str]:
    """Human-readable problems with RSS/Atom settings; empty when they can be polled."""
    problems = [
        f"unknown setting {name!r}" for name in sorted(set(settings) - set(FEED_SETTING_NAMES))
    ]
    feed_url = settings.get("feed_url")
    if not isinstance(feed_url, str) or not feed_url.strip():
        problems.append("feed_url is required")
    else:
        parts = urlsplit(feed_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append("feed_url must be an http or https URL with a host")
    max_items = settings.get("max_items", DEFAULT_MAX_ITEMS)
    if isinstance(max_items, bool) or not isinstance(max_items, int):
        problems.append("max_items must be a whole number")
    elif not 1 <= max_items <= MAX_FEED_ITEMS_LIMIT:
        problems.append(f"max_items must be between 1 and {MAX_FEED_ITEMS_LIMIT}")
    return problems


_VALIDATORS: dict[str, Callable[[dict[str, object]], list[str]]] = {
    "rss": validate_feed_settings,
    "html": validate_listing_settings,
}
_POLLERS: dict[str, Callable[..., PollResult]] = {"rss": poll_feed, "html": poll_listing}
KINDS = tuple(_POLLERS)


def validate_settings(kind: str, settings: dict[str, object]) -> list[str]:
    """Problems that stop a source of `kind` with these settings from being polled."""
    if kind not in _VALIDATORS:
        return [f"unknown connector kind {kind!r} (known: {', '.join(KINDS)})"]
    if not isinstance(settings, dict):
        return ["settings must be a JSON object"]
    return _VALIDATORS[kind](settings)


def poll(kind: str, settings: dict[str, object], *, fetcher: SafeFetcher) -> PollResult:
    """Poll one source once. Raises InvalidSettings for a misconfigured source; every
    network or content problem is reported in the result's errors instead."""
    problems = validate_settings(kind, settings)
    if problems:
        raise InvalidSettings(problems)
    return _POLLERS[kind](settings, fetcher=fetcher)
