"""A small, safe reader of the Markdown our own docs use (the investigator guide).

Headings, paragraphs, bullet and numbered lists, `code`, **bold** and links. Every character of
the text is escaped first and only these marks become tags; a link goes only to a path on this
site, an anchor or an http(s) address, so no text can become a script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

_HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+\.\s+(.*)$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_HREF = re.compile(r"^(/[^/\\]|/$|#|https?://)")


@dataclass(frozen=True)
class Heading:
    """A heading of the document, for its table of contents."""

    level: int
    text: str
    anchor: str


def _inline(text: str) -> str:
    html = escape(text)
    codes: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    html = _CODE.sub(keep_code, html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)

    def link(match: re.Match[str]) -> str:
        label, href = match.group(1), match.group(2)
        # The href was escaped with the text; a quote cannot survive into the attribute.
        if not _SAFE_HREF.match(href):
            return label
        return f'<a href="{href}">{label}</a>'

    html = _LINK.sub(link, html)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], html)


def render(text: str) -> tuple[SafeString, list[Heading]]:
    """The document as HTML, and its headings."""
    out: list[str] = []
    headings: list[Heading] = []
    paragraph: list[str] = []
    list_tag = ""

    def close_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = ""

    for line in text.splitlines():
        stripped = line.strip()
        heading = _HEADING.match(stripped)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if not stripped:
            close_paragraph()
            close_list()
        elif heading:
            close_paragraph()
            close_list()
            level, title = len(heading.group(1)), heading.group(2).strip()
            anchor = slugify(title) or f"section-{len(headings) + 1}"
            headings.append(Heading(level, title, anchor))
            out.append(f'<h{level} id="{anchor}">{_inline(title)}</h{level}>')
        elif bullet or numbered:
            close_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            item = (bullet or numbered).group(1)  # type: ignore[union-attr]
            out.append(f"<li>{_inline(item)}</li>")
        elif list_tag and line.startswith("  "):
            # A wrapped list item: join it to the item above.
            out[-1] = out[-1].removesuffix("</li>") + " " + _inline(stripped) + "</li>"
        else:
            close_list()
            paragraph.append(stripped)
    close_paragraph()
    close_list()
    return mark_safe("\n".join(out)), headings  # noqa: S308 - every text run is escaped above
