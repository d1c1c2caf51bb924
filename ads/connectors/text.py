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
# Elements that stand as paragraphs (a blank line around them) or as lines (a line break).
_PARAGRAPHS = (
    "p",
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
    "dl",
    "hr",
)
_LINES = ("br", "div", "li", "tr", "dd", "dt", "header", "footer", "address", "figcaption")
# Private markers for breaks while the source's own whitespace (meaningless in HTML) collapses.
_LINE_MARK = "\u2028"
_PARA_MARK = "\u2029"
_HTML_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0]+")
_PARA_RUN = re.compile(r"[ \u2028\u2029]*\u2029[ \u2028\u2029]*")
_LINE_RUN = re.compile(r"[ \u2028]*\u2028[ \u2028]*")
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
    html = html.replace("\x00", "").replace(_LINE_MARK, " ").replace(_PARA_MARK, " ")
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(_INVISIBLE):
        tag.decompose()
    for tag in soup.find_all(_PARAGRAPHS):
        tag.insert_before(_PARA_MARK)
        tag.insert_after(_PARA_MARK)
    for tag in soup.find_all(_LINES):
        tag.insert_before(_LINE_MARK)
        tag.insert_after(_LINE_MARK)
    text = _HTML_SPACE.sub(" ", soup.get_text())
    text = _LINE_RUN.sub("\n", _PARA_RUN.sub("\n\n", text))
    return clean_text(text)


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
