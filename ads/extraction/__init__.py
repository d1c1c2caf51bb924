"""Entity extraction from ad text: phones, emails, handles, payments, URLs, ages, prices, names.

Pure library (no Django): `extract(text, region=...)` returns an `Extraction` whose lists hold
normalised values without duplicates, in order of first appearance, and whose `spans` point
into the ORIGINAL text so every value can be shown highlighted where the ad wrote it.
`resolve_region` picks the region and says which rule did; `normalise_phone` and
`normalise_email` are the one stored form of a phone and an email for every caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ads.extraction.attributes import (
    digit_groups,
    find_ages,
    find_ethnicities,
    find_names,
    find_prices,
)
from ads.extraction.contacts import find_emails, find_handles, find_urls, normalise_email
from ads.extraction.emoji_lexicon import BY_EMOJI
from ads.extraction.normalize import Normalized, normalize
from ads.extraction.payments import find_payments
from ads.extraction.phones import find_phones, normalise_phone
from ads.extraction.region import RegionChoice, resolve_region

__all__ = [
    "Extraction",
    "warm_up",
    "RegionChoice",
    "Span",
    "extract",
    "normalise_email",
    "normalise_phone",
    "read_phone",
    "resolve_region",
]

SPAN_KINDS = (
    "phone",
    "email",
    "handle",
    "url",
    "age",
    "price",
    "name",
    "emoji",
    "ethnicity",
    "payment",
)


@dataclass(frozen=True)
class Span:
    """A found entity, for highlighting in the original text (text[start:end])."""

    kind: str
    value: str
    start: int
    end: int


@dataclass
class Extraction:
    """Everything found in one ad; each list deduplicated in order of first appearance."""

    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    emojis: list[dict[str, str]] = field(default_factory=list)
    ethnicities: list[str] = field(default_factory=list)
    # "cashapp:$name", "venmo:name", "btc:<address>", "eth:0x<hex>", validated (payments.py).
    payments: list[str] = field(default_factory=list)
    # E.164 -> how the ad hid it ("number_words", "letters", "separators", "spacing"); a
    # number written several ways gets every way.
    phone_obfuscation: dict[str, list[str]] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)

    @property
    def obfuscated(self) -> bool:
        """Was any phone number hidden from a plain-digits reader?"""
        return any(self.phone_obfuscation.values())

    def to_json(self, ad_id: object) -> dict[str, Any]:
        """The CLI's line format: one JSON object per ad."""
        return {
            "id": ad_id,
            "phones": list(self.phones),
            "emails": list(self.emails),
            "ages": list(self.ages),
            "prices": [dict(p) for p in self.prices],
            "handles": list(self.handles),
            "urls": list(self.urls),
            "names": list(self.names),
            "emojis": [dict(e) for e in self.emojis],
            "ethnicities": list(self.ethnicities),
            "payments": list(self.payments),
            "phone_obfuscation": {k: list(v) for k, v in self.phone_obfuscation.items()},
            "spans": [
                {"kind": s.kind, "value": s.value, "start": s.start, "end": s.end}
                for s in self.spans
            ],
        }


def _append_unique(items: list[Any], value: Any) -> None:
    if value not in items:
        items.append(value)


_EMOJI_RE = re.compile(
    "(?:" + "|".join(re.escape(e) for e in sorted(BY_EMOJI, key=len, reverse=True)) + ")\ufe0f?"
)


def _price_label(price: dict[str, Any]) -> str:
    parts = [str(price["amount"])]
    if price.get("currency"):
        parts.append(str(price["currency"]))
    if price.get("duration"):
        parts.append("/" + str(price["duration"]))
    return " ".join(parts[:2]) + (parts[2] if len(parts) > 2 else "")


def extract(
    text: str, *, region: str | None = "US", fallback_region: str | None = None
) -> Extraction:
    """Extract every entity from `text`.

    `region` is the ISO country used to read national-format phone numbers (the ad source's
    country); numbers written internationally (+44 ..., 0044 ...) are found whatever it is.
    `region=None` finds only internationally written numbers. `fallback_region` is where a
    national number invalid in `region` is read too (`RegionChoice.fallback`).
    """
    if not isinstance(text, str):
        raise TypeError("extract() needs a str")
    norm: Normalized = normalize(text)
    result = Extraction()
    spans: list[Span] = []

    def span(kind: str, value: str, start: int, end: int) -> None:
        o_start, o_end = norm.span(start, end)
        spans.append(Span(kind, value, o_start, o_end))

    emails = find_emails(norm)
    for email in emails:
        _append_unique(result.emails, email.value)
        span("email", email.value, email.start, email.end)

    urls = find_urls(norm, emails)
    for url in urls:
        _append_unique(result.urls, url.value)
        span("url", url.value, url.start, url.end)

    handles = find_handles(norm, urls, emails)
    for handle in handles:
        _append_unique(result.handles, handle.value)
        span("handle", handle.value, handle.start, handle.end)

    phone_spans: list[tuple[int, int]] = []
    # Digits inside a handle ("wechat: ab2125550147") belong to the handle, not a phone.
    in_handle = [(h.start, h.end) for h in handles]
    for phone in find_phones(norm, region, fallback_region):
        if any(s < phone.start < e for s, e in in_handle):
            continue
        phone_spans.append((phone.start, phone.end))
        _append_unique(result.phones, phone.e164)
        ways = result.phone_obfuscation.setdefault(phone.e164, [])
        for way in phone.obfuscation:
            _append_unique(ways, way)
        span("phone", phone.e164, phone.start, phone.end)

    taken = [(e.start, e.end) for e in emails] + [(u.start, u.end) for u in urls]
    for payment in find_payments(norm, taken):
        _append_unique(result.payments, payment.value)
        span("payment", payment.value, payment.start, payment.end)

    groups = digit_groups(norm)
    age_starts: list[int] = []
    for age in find_ages(norm, groups, phone_spans):
        _append_unique(result.ages, int(age.value))  # type: ignore[call-overload]
        age_starts.append(age.start)
        span("age", str(age.value), age.start, age.end)

    for price in find_prices(norm, region, groups, phone_spans):
        value: dict[str, Any] = price.value  # type: ignore[assignment]
        _append_unique(result.prices, value)
        span("price", _price_label(value), price.start, price.end)

    handle_spans = [(h.start, h.end) for h in handles]
    phone_starts = [start for start, _ in phone_spans]
    for name in find_names(norm, handle_spans, phone_starts, age_starts):
        _append_unique(result.names, str(name.value))
        span("name", str(name.value), name.start, name.end)

    for eth in find_ethnicities(norm):
        _append_unique(result.ethnicities, str(eth.value))
        span("ethnicity", str(eth.value), eth.start, eth.end)

    # Emoji are matched on the original text: normalisation drops the variation selectors.
    for m in _EMOJI_RE.finditer(text) if not text.isascii() else ():
        entry = BY_EMOJI[m.group().rstrip("\ufe0f")]
        _append_unique(result.emojis, {"emoji": entry["emoji"], "meaning": entry["meaning"]})
        spans.append(Span("emoji", entry["emoji"], m.start(), m.end()))

    spans.sort(key=lambda s: (s.start, s.end, s.kind))
    result.spans = spans
    return result


def warm_up() -> None:
    """Load the lazy word, name and place lists now (once per process, about a second) rather
    than inside the first ad a worker extracts."""
    from ads.extraction.region import _big_cities, _places
    from ads.extraction.words import common_words, first_names, is_demonym, is_stop_word

    common_words(True), common_words(False), is_stop_word("a"), first_names()
    is_demonym("x"), _places(), _big_cities()


def read_phone(text: str, region: str | None = "US") -> str | None:
    """A phone number a person typed, in any form the extractor reads ("(702) 555-0134",
    "seven oh two 555 zero one three four", "7O2.555.O134"), as its one stored E.164 form; None
    when the text is not one number. Search, watchlists and the partner lookup call this, so
    whatever an ad could hide a number as, a person can type it as."""
    phone = normalise_phone(text, region)
    if phone is not None:
        return phone
    if not isinstance(text, str) or len(text) > 200:
        return None
    phones = extract(text, region=region).phones
    return phones[0] if len(phones) == 1 else None
