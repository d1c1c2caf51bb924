"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds -> one AdRecord per item.

XML is parsed with defusedxml: entity declarations (billion laughs), external entities and
external DTDs are refused with a clear error. Each record's `raw` is the item's own bytes, sliced
from the feed exactly as received, so the evidence is what the source published, not our
re-serialisation of it.
"""

from __future__ import annotations

import copy
import logging
import xml.etree.ElementTree as ET  # noqa: S405 - only for types and tostring; parsing is defused
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ads.connectors.http import FetchError, SafeFetcher
from ads.connectors.results import PollResult, bounded_external_id
from ads.connectors.text import clean_text, html_to_text, parse_date
from ads.records import AdRecord

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

DEFAULT_MAX_ITEMS = 500
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"


class FeedError(Exception):
    """The document is not a feed we can read safely."""


@dataclass(frozen=True)
class _Spans:
    """Byte offsets where each element starts and ends in the original document."""

    starts: dict[ET.Element, int]
    ends: dict[ET.Element, int]


class _SpanRecordingParser(DefusedXMLParser):
    """defusedxml's parser, also noting each element's byte span for exact `raw` slices."""

    def __init__(self) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.spans = _Spans({}, {})
        expat = self.parser
        on_start: Callable[..., ET.Element] = expat.StartElementHandler
        on_end: Callable[..., ET.Element] = expat.EndElementHandler

        def start(tag: str, attrs: list[str]) -> ET.Element:
            offset = expat.CurrentByteIndex
            element = on_start(tag, attrs)
            self.spans.starts[element] = offset
            return element

        def end(tag: str) -> ET.Element:
            offset = expat.CurrentByteIndex
            element = on_end(tag)
            self.spans.ends[element] = offset
            return element

        expat.StartElementHandler = start
        expat.EndElementHandler = end


def _parse_xml(data: bytes) -> tuple[ET.Element, _Spans]:
    parser = _SpanRecordingParser()
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise FeedError(f"refused unsafe XML ({exc.__class__.__name__}): {exc}") from exc
    except ET.ParseError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from exc
    return root, parser.spans


def _raw_slice(data: bytes, element: ET.Element, spans: _Spans) -> bytes:
    start = spans.starts.get(element)
    end_tag = spans.ends.get(element)
    if start is not None and end_tag is not None and end_tag >= start:
        # The end offset points at "</item"; the slice runs to that tag's closing ">".
        close = data.find(b">", end_tag)
        if close != -1:
            return data[start : close + 1]
    return ET.tostring(element)


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _http_url(value: str, base: str) -> str:
    """An absolute http(s) URL, or "" for anything else (javascript:, data:, mailto:...)."""
    value = clean_text(value)
    if not value:
        return ""
    absolute = urljoin(base, value)
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


def _atom_text(element: ET.Element | None) -> str:
    """The plain text of an Atom text construct (type text, html or xhtml)."""
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "xhtml":
        fragment = copy.deepcopy(element)
        for node in fragment.iter():
            if isinstance(node.tag, str) and node.tag.startswith(XHTML):
                node.tag = node.tag[len(XHTML) :]
        fragment.tag = "div"
        return html_to_text(ET.tostring(fragment, encoding="unicode", method="html"))
    if kind in ("html", "text/html"):
        return html_to_text(_text(element))
    return clean_text(_text(element))


def _record(
    *,
    item_id: str,
    link: str,
    title: str,
    body: str,
    date_text: str,
    language: str,
    images: list[str],
    raw: bytes,
    content_type: str,
    line: int,
    now: datetime | None,
) -> AdRecord | None:
    external_id = bounded_external_id(clean_text(item_id) or link)
    if not external_id:
        return None
    return AdRecord(
        external_id=external_id,
        title=title,
        body=body,
        url=link,
        posted_at=parse_date(date_text, now=now),
        language=clean_text(language),
        raw=raw,
        content_type=content_type,
        line=line,
        image_urls=tuple(dict.fromkeys(u for u in images if u)),
    )


def _rss_item(item: ET.Element, ns: str, *, base: str) -> tuple[str, str, str, str, str, list[str]]:
    """(id, link, title, body, date text, image urls) of an RSS 2.0 or 1.0 item."""
    link = _http_url(item.findtext(f"{ns}link") or "", base)
    guid = item.findtext(f"{ns}guid") or item.get(f"{RDF}about") or ""
    title = html_to_text(item.findtext(f"{ns}title") or "")
    body = html_to_text(
        item.findtext(f"{CONTENT}encoded") or item.findtext(f"{ns}description") or ""
    )
    date_text = item.findtext(f"{ns}pubDate") or item.findtext(f"{DC}date") or ""
    images = [
        _http_url(enc.get("url", ""), base)
        for enc in item.findall(f"{ns}enclosure")
        if enc.get("type", "").startswith("image/")
    ]
    images += [
        _http_url(media.get("url", ""), base)
        for media in item.iter()
        if media.tag in (f"{MEDIA}content", f"{MEDIA}thumbnail")
        and media.get("medium", "image") == "image"
    ]
    return guid, link, title, body, date_text, images


def _atom_entry(entry: ET.Element, *, base: str) -> tuple[str, str, str, str, str, list[str]]:
    base = urljoin(base, entry.get(XML_BASE, ""))
    link = ""
    images: list[str] = []
    for candidate in entry.findall(f"{ATOM}link"):
        rel = candidate.get("rel", "alternate")
        if rel == "alternate" and not link:
            link = _http_url(candidate.get("href", ""), base)
        elif rel == "enclosure" and candidate.get("type", "").startswith("image/"):
            images.append(_http_url(candidate.get("href", ""), base))
    content = entry.find(f"{ATOM}content")
    body = _atom_text(content) if content is not None else _atom_text(entry.find(f"{ATOM}summary"))
    date_text = entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated") or ""
    title = _atom_text(entry.find(f"{ATOM}title"))
    return entry.findtext(f"{ATOM}id") or "", link, title, body, date_text, images


def parse_feed(
    data: bytes,
    *,
    feed_url: str,
    max_items: int = DEFAULT_MAX_ITEMS,
    now: datetime | None = None,
) -> PollResult:
    """Records for the items of an RSS or Atom document; raises FeedError if it is not one."""
    root, spans = _parse_xml(data)
    result = PollResult()
    base = urljoin(feed_url, root.get(XML_BASE, ""))

    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise FeedError("RSS document without a <channel>")
        items, ns, content_type = channel.findall("item"), "", "application/rss+xml"
        language = channel.findtext("language") or ""
    elif root.tag == f"{RDF}RDF":
        items, ns, content_type = root.findall(f"{RSS1}item"), RSS1, "application/rdf+xml"
        channel = root.find(f"{RSS1}channel")
        language = channel.findtext(f"{DC}language") or "" if channel is not None else ""
    elif root.tag == f"{ATOM}feed":
        items, ns, content_type = root.findall(f"{ATOM}entry"), ATOM, "application/atom+xml"
        language = root.get(XML_LANG, "")
    else:
        raise FeedError(f"root element {root.tag!r} is not rss, rdf:RDF or atom:feed")

    if len(items) > max_items:
        logger.warning(
            "connector feed %s has %d items; keeping the first %d", feed_url, len(items), max_items
        )
    for line, item in enumerate(items[:max_items], start=1):
        if ns == ATOM:
            fields = _atom_entry(item, base=base)
            item_language = item.get(XML_LANG, language)
        else:
            fields = _rss_item(item, ns, base=base)
            item_language = item.findtext(f"{DC}language") or language
        item_id, link, title, body, date_text, images = fields
        record = _record(
            item_id=item_id,
            link=link,
            title=title,
            body=body,
            date_text=date_text,
            language=item_language,
            images=images,
            raw=_raw_slice(data, item, spans),
            content_type=content_type,
            line=line,
            now=now,
        )
        if record is None:
            result.add_error(feed_url, f"item {line} has neither an id/guid nor an http(s) link")
        else:
            result.records.append(record)
    return result


def poll_feed(settings: dict[str, object], *, fetcher: SafeFetcher) -> PollResult:
    """Fetch the feed named in `settings["feed_url"]` and turn its items into records."""
    feed_url = str(settings["feed_url"])
    max_items = int(settings.get("max_items", DEFAULT_MAX_ITEMS))  # type: ignore[call-overload]
    try:
        fetched = fetcher.fetch(feed_url, accept=FEED_ACCEPT)
    except FetchError as exc:
        return PollResult(errors=[{"url": exc.url, "reason": exc.reason}])
    try:
        return parse_feed(fetched.body, feed_url=fetched.final_url, max_items=max_items)
    except FeedError as exc:
        return PollResult(errors=[{"url": fetched.final_url, "reason": str(exc)}])
