"""Turning captured markup and date strings into clean text and aware datetimes.

Shared by the feed and listing connectors. Everything here takes hostile input: NUL bytes,
control characters, broken markup and nonsense dates come out as clean text or None, never as an
exception.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup

# Elements whose text is code or metadata, never ad content.
_INVISIBLE = ("script", "style", "noscript", "template", "head", "iframe", "object")
# Elements that end a line when rendered; their text must not run into the next block's.
_BLOCKS = (
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "hr",
)
# C0/C1 controls except tab and newline; NUL in particular breaks PostgreSQL text columns.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

# Before the web carried classified ads, a date is a parsing accident or a forgery.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
# Clocks drift and time zones get mislabelled; further in the future than this is nonsense.
FUTURE_SLACK = timedelta(days=2)


def clean_text(text: str) -> str:
    """Drop control characters, collapse runs of spaces, keep paragraph breaks."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or page, with block elements on their own lines."""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    soup = BeautifulSoup(html.replace("\x00", ""), "lxml")
    for tag in soup.find_all(_INVISIBLE):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return clean_text(soup.get_text())


def parse_date(value: str, *, now: datetime | None = None) -> datetime | None:
    """An aware datetime from an RFC 822, RFC 3339/ISO 8601 date string, or None.

    Dates without a zone are taken as UTC (feeds that omit it almost always mean it). Dates
    before 1995 or more than two days ahead of `now` are treated as absent: an invented date
    would mislead an investigator more than no date.
    """
    value = clean_text(value)
    if not value:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    now = now or datetime.now(tz=UTC)
    try:
        if parsed < EARLIEST_PLAUSIBLE or parsed > now + FUTURE_SLACK:
            return None
    except OverflowError:
        return None
    return parsed
