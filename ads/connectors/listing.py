"""HTML listing pages described by CSS selectors -> one AdRecord per ad page.

Settings (validated by `validate_listing_settings`)::

    {
        "listing_url": "https://classifieds.example/city/jobs/",
        "item_link": "a.ad-link",          # links to ad pages on a listing page
        "next_page": "a.next",             # optional: link to the next listing page
        "max_pages": 3,                    # listing pages to walk (1..50, default 1)
        "max_items": 100,                  # ad pages to fetch per poll (1..1000, default 100)
        "images": "#gallery img",          # optional: img elements whose src the media stage keeps
        "same_host_only": True,            # default: never follow links off the listing's host
        "fields": {
            "title": "h1",                              # text of the first match
            "body": "#postingbody",
            "posted_at": "time@datetime",               # an attribute of the first match
            "location_text": ".location",
            "language": "html@lang",
            "external_id": "@url-regex:/(\\d+)\\.html$",  # group 1 (or the match) of the ad URL
        },
    }

A missing field is an empty value. A page that cannot be fetched or parsed becomes an error with
its URL and the reason, and the poll goes on with the rest.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import soupsieve
from bs4 import BeautifulSoup, Tag

from ads.connectors.http import Fetched, FetchError, SafeFetcher
from ads.connectors.results import PollResult, bounded_external_id
from ads.connectors.text import clean_text, html_to_text, parse_date
from ads.records import AdRecord

logger = logging.getLogger(__name__)

FIELD_NAMES = ("title", "body", "posted_at", "location_text", "language", "external_id")
SETTING_NAMES = (
    "listing_url",
    "item_link",
    "next_page",
    "max_pages",
    "max_items",
    "images",
    "same_host_only",
    "fields",
)
MAX_PAGES_LIMIT = 50
MAX_ITEMS_LIMIT = 1000
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
URL_REGEX_PREFIX = "@url-regex:"
_ATTRIBUTE = re.compile(r"^[A-Za-z_:][-\w:.]*$")


@dataclass(frozen=True)
class FieldSpec:
    """Where one field comes from: a selector's text or attribute, or a regex on the ad URL."""

    selector: str = ""
    attribute: str = ""
    url_regex: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, spec: str) -> FieldSpec:
        """Read a spec string; raises ValueError with a sentence saying what is wrong."""
        spec = spec.strip()
        if not spec:
            raise ValueError("is empty")
        if spec.startswith(URL_REGEX_PREFIX):
            pattern = spec[len(URL_REGEX_PREFIX) :]
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"has an invalid regular expression {pattern!r}: {exc}") from exc
            return cls(url_regex=compiled)
        selector, attribute = spec, ""
        if "@" in spec:
            left, right = spec.rsplit("@", 1)
            if _ATTRIBUTE.match(right) and left.strip():
                selector, attribute = left.strip(), right
        check_selector(selector)
        return cls(selector=selector, attribute=attribute)

    def extract(self, soup: BeautifulSoup, url: str) -> str:
        if self.url_regex is not None:
            match = self.url_regex.search(url)
            if match is None:
                return ""
            return match.group(1) if self.url_regex.groups else match.group(0)
        element = soup.select_one(self.selector)
        if element is None:
            return ""
        if self.attribute:
            value = element.get(self.attribute)
            if isinstance(value, list):
                value = " ".join(value)
            return clean_text(value or "")
        return html_to_text(element.decode())


def check_selector(selector: str) -> None:
    """Raise ValueError if `selector` is not a CSS selector soupsieve understands."""
    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, TypeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise ValueError(f"is not a valid CSS selector {selector!r}: {reason}") from exc


def _int_setting(settings: dict[str, object], name: str, default: int, limit: int) -> int | str:
    """The integer setting, or a problem sentence."""
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{name} must be a whole number"
    if not 1 <= value <= limit:
        return f"{name} must be between 1 and {limit}"
    return value


def validate_listing_settings(settings: dict[str, object]) -> list[str]:
    """Human-readable problems with HTML listing settings; empty when they can be polled."""
    problems: list[str] = []
    for name in sorted(set(settings) - set(SETTING_NAMES)):
        problems.append(f"unknown setting {name!r}")
    listing_url = settings.get("listing_url")
    if not isinstance(listing_url, str) or not listing_url.strip():
        problems.append("listing_url is required")
    else:
        parts = urlsplit(listing_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append("listing_url must be an http or https URL with a host")
    for name, required in (("item_link", True), ("next_page", False), ("images", False)):
        value = settings.get(name)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name} must be a CSS selector")
            continue
        try:
            check_selector(value)
        except ValueError as exc:
            problems.append(f"{name} {exc}")
    for name, default, limit in (
        ("max_pages", 1, MAX_PAGES_LIMIT),
        ("max_items", 100, MAX_ITEMS_LIMIT),
    ):
        checked = _int_setting(settings, name, default, limit)
        if isinstance(checked, str):
            problems.append(checked)
    if not isinstance(settings.get("same_host_only", True), bool):
        problems.append("same_host_only must be true or false")
    fields = settings.get("fields", {})
    if not isinstance(fields, dict):
        problems.append("fields must map field names to selectors")
        return problems
    for name, spec in fields.items():
        if name not in FIELD_NAMES:
            problems.append(f"unknown field {name!r} (known: {', '.join(FIELD_NAMES)})")
        elif not isinstance(spec, str):
            problems.append(f"field {name!r} must be a selector string")
        else:
            try:
                FieldSpec.parse(spec)
            except ValueError as exc:
                problems.append(f"field {name!r} {exc}")
    return problems


def _soup(fetched: Fetched) -> BeautifulSoup:
    if fetched.content_type not in HTML_TYPES:
        raise ValueError(f"expected an HTML page, got {fetched.content_type!r}")
    # NUL bytes make lxml stop early; the evidence keeps them, the parse does not need them.
    return BeautifulSoup(fetched.body.replace(b"\x00", b""), "lxml")


def _same_site(url: str, hosts: set[str]) -> bool:
    return (urlsplit(url).hostname or "").lower() in hosts


def _links(soup: BeautifulSoup, selector: str, base: str) -> list[str]:
    """Absolute http(s) URLs, without fragments, of the elements `selector` matches."""
    urls: list[str] = []
    for element in soup.select(selector):
        href = element.get("href")
        if not href:
            inner = element.find("a", href=True)
            href = inner.get("href") if isinstance(inner, Tag) else None
        if not isinstance(href, str) or not href.strip():
            continue
        absolute = urldefrag(urljoin(base, href.strip())).url
        if urlsplit(absolute).scheme in ("http", "https") and absolute not in urls:
            urls.append(absolute)
    return urls


def image_urls(soup: BeautifulSoup, selector: str, base: str) -> tuple[str, ...]:
    """Absolute http(s) URLs of the images `selector` matches (the media stage reads them too).

    Only a configured selector is used: every <img> would bring the site's logo and icons, the
    same in every ad, and tie unrelated ads together.
    """
    urls: list[str] = []
    for element in soup.select(selector):
        # Lazy-loading galleries put a data: placeholder in src and the real address in data-src.
        for name in ("src", "data-src", "data-original"):
            src = element.get(name)
            if not isinstance(src, str) or not src.strip():
                continue
            absolute = urljoin(base, src.strip())
            if urlsplit(absolute).scheme in ("http", "https"):
                if absolute not in urls:
                    urls.append(absolute)
                break
    return tuple(urls)


def parse_ad_page(
    fetched: Fetched,
    *,
    fields: dict[str, FieldSpec],
    images: str = "",
    line: int | None = None,
    now: datetime | None = None,
) -> AdRecord:
    """One AdRecord from a fetched ad page; missing fields are empty, never an error."""
    soup = _soup(fetched)
    url = fetched.final_url
    values = {name: spec.extract(soup, url) for name, spec in fields.items()}
    return AdRecord(
        external_id=bounded_external_id(values.get("external_id") or url),
        title=values.get("title", ""),
        body=values.get("body", ""),
        url=url,
        posted_at=parse_date(values.get("posted_at", ""), now=now),
        location_text=values.get("location_text", ""),
        language=values.get("language", ""),
        raw=fetched.body,
        content_type="text/html",
        line=line,
        image_urls=image_urls(soup, images, url) if images else (),
    )


def poll_listing(settings: dict[str, object], *, fetcher: SafeFetcher) -> PollResult:
    """Walk the listing pages, fetch each ad page once, and extract the configured fields."""
    listing_url = str(settings["listing_url"]).strip()
    item_link = str(settings["item_link"])
    next_page = settings.get("next_page")
    max_pages = int(settings.get("max_pages", 1))  # type: ignore[call-overload]
    max_items = int(settings.get("max_items", 100))  # type: ignore[call-overload]
    images = str(settings.get("images") or "")
    same_host_only = bool(settings.get("same_host_only", True))
    raw_fields = settings.get("fields", {})
    fields = {
        name: FieldSpec.parse(str(spec))
        for name, spec in (raw_fields.items() if isinstance(raw_fields, dict) else ())
    }
    hosts = {(urlsplit(listing_url).hostname or "").lower()}

    result = PollResult()
    ad_urls: list[str] = []
    seen_pages: set[str] = set()
    page_url: str | None = listing_url
    while page_url and len(seen_pages) < max_pages and page_url not in seen_pages:
        seen_pages.add(page_url)
        try:
            fetched = fetcher.fetch(page_url, accept=HTML_ACCEPT)
            hosts.add((urlsplit(fetched.final_url).hostname or "").lower())
            soup = _soup(fetched)
            links = _links(soup, item_link, fetched.final_url)
            next_links = _links(soup, str(next_page), fetched.final_url) if next_page else []
        except FetchError as exc:
            result.add_error(exc.url, exc.reason)
            break
        except Exception as exc:  # one unreadable page must not end the whole poll
            logger.exception("connector listing page %s could not be parsed", page_url)
            result.add_error(page_url, f"could not parse listing page: {exc}")
            break
        for link in links:
            if same_host_only and not _same_site(link, hosts):
                logger.info("connector skipping off-site ad link %s", link)
                continue
            if link not in ad_urls:
                ad_urls.append(link)
        # A "prev" link can match the selector too; the first page not yet walked is next.
        page_url = next(
            (
                u
                for u in next_links
                if u not in seen_pages and (not same_host_only or _same_site(u, hosts))
            ),
            None,
        )

    if len(ad_urls) > max_items:
        logger.warning(
            "connector listing %s found %d ads; fetching the first %d",
            listing_url,
            len(ad_urls),
            max_items,
        )
    for line, ad_url in enumerate(ad_urls[:max_items], start=1):
        try:
            fetched = fetcher.fetch(ad_url, accept=HTML_ACCEPT)
            result.records.append(parse_ad_page(fetched, fields=fields, images=images, line=line))
        except FetchError as exc:
            result.add_error(exc.url, exc.reason)
        except Exception as exc:  # one unreadable ad must not end the whole poll
            logger.exception("connector ad page %s could not be parsed", ad_url)
            result.add_error(ad_url, f"could not parse ad page: {exc}")
    return result
