"""Source facts: the structured fields a source states about an ad, validated and normalised.

A file or partner row often carries fields of its own beside the ad's text: the poster's age, a
phone number, an email, social links, a category, image URLs. They are what the source *states*,
not what extraction *finds* in the text, and are kept apart as such (`Ad.source_facts`), shown
on the ad page as "stated by the source" and read by later stages through `Ad.stated`.

Validation is strict because a fact can link ads: an age is 12..99 written in digits (an age
under 18 is kept: scoring reads it as a possible minor), a phone is
a number `phonenumbers` accepts for the source's country (or written internationally), an email
or handle goes through the extraction package's own normalisers (one normaliser per kind), and
filler (a social site's home page, "N/A", "none") never becomes a fact. A value that is neither
valid nor filler is reported as a warning for its line.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict
from urllib.parse import urlsplit

from ads.extraction.contacts import find_emails, find_handles
from ads.extraction.normalize import normalize
from ads.extraction.phones import find_phones

# The canonical names of the stated fields read into facts, in the order they are shown.
STATED_FIELDS = ("age", "phone", "email", "social", "category")
# Column or key names (lowercased) that mean each stated field.
STATED_ALIASES: dict[str, str] = {
    "age": "age",
    "ages": "age",
    "poster_age": "age",
    "phone": "phone",
    "phones": "phone",
    "phone_number": "phone",
    "phone_numbers": "phone",
    "email": "email",
    "emails": "email",
    "email_address": "email",
    "social": "social",
    "social_link": "social",
    "social_links": "social",
    "links": "social",
    "category": "category",
}
# A stated age under 18 is kept, never dropped: it is the strongest evidence of a possible minor.
MIN_AGE, MAX_AGE = 12, 99
MAX_ITEMS = 20  # values kept per field and row: a cell is a short list, never a corpus
MAX_CELL_CHARS = 20_000
FILLER = frozenset(
    {
        "",
        "-",
        "--",
        "?",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "nan",
        "unknown",
        "not given",
        "not specified",
        "no",
        "0",
        "[]",
        "{}",
    }
)
# Social sites by host (without "www."/"m."), and path segments that name a page of the site,
# not an account. A link with no account segment is the site's home page: filler.
SOCIAL_HOSTS: dict[str, str] = {
    "instagram.com": "instagram",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "snapchat.com": "snapchat",
    "tiktok.com": "tiktok",
    "onlyfans.com": "onlyfans",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "kik.me": "kik",
    "reddit.com": "reddit",
    "linktr.ee": "linktree",
}
_NOT_ACCOUNTS = frozenset(
    {
        "add",
        "explore",
        "hashtag",
        "home",
        "i",
        "intent",
        "login",
        "p",
        "pages",
        "profile.php",
        "reel",
        "reels",
        "search",
        "share",
        "sharer",
        "sharer.php",
        "signup",
        "stories",
        "u",
        "user",
        "watch",
    }
)
_ACCOUNT = re.compile(r"@?([A-Za-z0-9_.\-]{2,40})")
_DOMAIN = re.compile(r"[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,4}\.[a-z]{2,12}(?:/|$)")
_SPLIT = re.compile(r"[;,|\n\r]+")
_AGE = re.compile(r"[0-9]{1,3}")
_VALUE_KEYS = ("value", "name", "number", "phone", "email", "url", "text")


class SourceFacts(TypedDict, total=False):
    """What `Ad.source_facts` holds: each list deduplicated, in the source's order."""

    ages: list[int]
    phones: list[str]  # E.164
    emails: list[str]  # lowercased, as extraction normalises them
    handles: list[str]  # "platform:handle", as extraction writes them
    links: list[str]  # social or personal links that name an account or a page
    category: str
    image_urls: list[str]


# Each fact kind, for counting and display: (key in SourceFacts, label on the ad page).
FACT_LABELS = (
    ("ages", "Age"),
    ("phones", "Phone"),
    ("emails", "Email"),
    ("handles", "Social handle"),
    ("links", "Link"),
    ("category", "Category"),
    ("image_urls", "Image URL"),
)


@dataclass(frozen=True)
class StatedFacts:
    """Everything a source stated about an ad: its columns (url, title, posted date, location)
    and its validated facts. The documented accessor for scoring, linking and geocoding."""

    url: str = ""
    title: str = ""
    posted_at: datetime | None = None
    location: str = ""
    ages: tuple[int, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    category: str = ""
    image_urls: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(
        cls,
        facts: Mapping[str, Any] | None,
        *,
        url: str = "",
        title: str = "",
        posted_at: datetime | None = None,
        location: str = "",
    ) -> StatedFacts:
        facts = facts if isinstance(facts, Mapping) else {}

        def strings(key: str) -> tuple[str, ...]:
            values = facts.get(key)
            return tuple(str(v) for v in values) if isinstance(values, list) else ()

        ages = tuple(int(a) for a in facts.get("ages") or () if isinstance(a, int))
        category = str(facts.get("category") or "")
        listed: list[tuple[str, str]] = []
        for key, label in FACT_LABELS:
            if key == "category":
                listed.extend([(label, category)] if category else [])
            elif key == "ages":
                listed.extend((label, str(a)) for a in ages)
            else:
                listed.extend((label, v) for v in strings(key))
        return cls(
            url=url,
            title=title,
            posted_at=posted_at,
            location=location,
            ages=ages,
            phones=strings("phones"),
            emails=strings("emails"),
            handles=strings("handles"),
            links=strings("links"),
            category=category,
            image_urls=strings("image_urls"),
            rows=tuple(listed),
        )


def _short(value: str) -> str:
    return repr(value[:40])


def _item_text(item: Any) -> str | None:
    if isinstance(item, bool) or item is None:
        return None
    if isinstance(item, float) and item.is_integer():
        return str(int(item))  # spreadsheets turn 25 into 25.0
    if isinstance(item, str | int | float):
        return str(item).strip()
    if isinstance(item, Mapping):
        inner = _inner(item)
        return None if isinstance(inner, Mapping) else _item_text(inner)
    return None


def _items(value: Any) -> list[str]:
    """The values of one cell: a scalar, a list (JSON or Python literal, as exports write them),
    or text separated by commas, semicolons, bars or line breaks."""
    if isinstance(value, str):
        text = value.strip()[:MAX_CELL_CHARS]
        if text[:1] in "[{" and text[-1:] in "]}":
            parsed: Any = None
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                try:
                    parsed = ast.literal_eval(text)  # literals only: never runs code
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    parsed = None
            if parsed is not None:
                return _items(parsed if isinstance(parsed, list) else [parsed])
        return [piece.strip() for piece in _SPLIT.split(text) if piece.strip()]
    if isinstance(value, list | tuple):
        found: list[str] = []
        for item in value[: MAX_ITEMS * 2]:
            inner = _inner(item)
            # An object may wrap a list of values ({"name": ["7025550143"]}): one level is read.
            values = inner if isinstance(inner, list | tuple) else [inner]
            found.extend(v for v in (_item_text(v) for v in values[:MAX_ITEMS]) if v)
        return found
    single = _item_text(value)
    return [single] if single else []


def _inner(item: Any) -> Any:
    """The value an object wraps (its first key among _VALUE_KEYS), or the item itself."""
    if isinstance(item, Mapping):
        for key in _VALUE_KEYS:
            if key in item:
                return item[key]
    return item


def _add(values: list[Any], value: Any) -> None:
    if value not in values and len(values) < MAX_ITEMS:
        values.append(value)


def _ages(items: Iterable[str], bad: list[str]) -> list[int]:
    ages: list[int] = []
    for item in items:
        if _AGE.fullmatch(item) and MIN_AGE <= int(item) <= MAX_AGE:
            _add(ages, int(item))
        else:
            bad.append(item)
    return ages


def _phones(items: Iterable[str], region: str | None, bad: list[str]) -> list[str]:
    phones: list[str] = []
    for item in items:
        found = find_phones(normalize(item), region)
        if not found:
            bad.append(item)
        for match in found:
            _add(phones, match.e164)
    return phones


def _emails(items: Iterable[str], bad: list[str]) -> list[str]:
    emails: list[str] = []
    for item in items:
        found = find_emails(normalize(item))
        if not found:
            bad.append(item)
        for match in found:
            _add(emails, match.value)
    return emails


def _handle(platform: str, account: str) -> str:
    """The handle as extraction would write it had the ad's text named it ("platform:name",
    through the same normaliser), so a stated account and one found in a text are one value."""
    for found in find_handles(normalize(f"{platform}: {account}"), [], []):
        if found.value.startswith(f"{platform}:"):
            return found.value
    return f"{platform}:{account.lower()}"


def _social(
    items: Iterable[str], bad: list[str], *, filler: list[str]
) -> tuple[list[str], list[str]]:
    """Handles ("platform:name") and links from social cells; home pages are filler."""
    handles: list[str] = []
    links: list[str] = []
    for item in items:
        lowered = item.lower()
        if "://" in lowered or lowered.startswith("www.") or _DOMAIN.match(lowered):
            link = item if "://" in item else f"https://{item}"
            try:
                parts = urlsplit(link)
                host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
            except ValueError:  # an invalid port or IPv6 literal
                bad.append(item)
                continue
            if parts.scheme.lower() not in ("http", "https") or not host:
                bad.append(item)
                continue
            segments = [s for s in parts.path.split("/") if s]
            platform = SOCIAL_HOSTS.get(host)
            if platform is None:
                _add(links, f"{parts.scheme.lower()}://{host}{parts.path or '/'}")
                continue
            if platform == "snapchat" and segments[:1] == ["add"]:
                segments = segments[1:]
            if platform == "reddit" and segments[:1] in (["user"], ["u"]):
                segments = segments[1:]
            account = segments[0] if segments else ""
            match = _ACCOUNT.fullmatch(account)
            if not match or account.lower() in _NOT_ACCOUNTS:
                filler.append("social")
                continue
            _add(handles, _handle(platform, match.group(1)))
            _add(links, f"https://{host}/{account}")
            continue
        found = [
            h for h in find_handles(normalize(item), [], []) if not h.value.startswith("unknown:")
        ]
        if not found:
            bad.append(item)
        for handle in found:
            _add(handles, handle.value)
    return handles, links


def _warning(name: str, bad: list[str], reason: str) -> str:
    more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    return f"{name} {_short(bad[0])}{more} {reason}; not kept"


def facts_from_stated(
    stated: Iterable[tuple[str, Any]],
    *,
    region: str | None,
    image_urls: Iterable[str] = (),
) -> tuple[SourceFacts, list[str], list[str]]:
    """Validate a row's stated fields into facts; return (facts, warnings, filler fields).

    `region` is the source's country, for national-format phone numbers.
    """
    facts: SourceFacts = {}
    warnings: list[str] = []
    filler: list[str] = []
    by_field: dict[str, list[str]] = {}
    for name, value in stated:
        for item in _items(value):
            if item.lower() in FILLER:
                filler.append(name)
            else:
                by_field.setdefault(name, []).append(item)
    bad: dict[str, list[str]] = {name: [] for name in STATED_FIELDS}
    ages = _ages(by_field.get("age", ()), bad["age"])
    phones = _phones(by_field.get("phone", ()), region, bad["phone"])
    emails = _emails(by_field.get("email", ()), bad["email"])
    handles, links = _social(by_field.get("social", ()), bad["social"], filler=filler)
    for key, values in (
        ("ages", ages),
        ("phones", phones),
        ("emails", emails),
        ("handles", handles),
        ("links", links),
    ):
        if values:
            facts[key] = values  # type: ignore[literal-required]
    reasons = {
        "age": f"is not a whole number from {MIN_AGE} to {MAX_AGE}",
        "phone": f"is not a valid phone number for {region or 'an international format'}",
        "email": "is not an email address",
        "social": "names no account on a known platform and is not a link",
    }
    warnings.extend(
        _warning(name, bad[name], reason) for name, reason in reasons.items() if bad[name]
    )
    if items := by_field.get("category"):
        facts["category"] = ", ".join(dict.fromkeys(items))[:100]
    images = list(dict.fromkeys(image_urls))[:MAX_ITEMS]
    if images:
        facts["image_urls"] = images
    return facts, warnings, filler
