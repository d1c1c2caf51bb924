"""case.pdf of the evidence packet: a summary page, then each ad as captured, then the timeline.

Hostile ad text is drawn as text: it is XML-escaped before ReportLab's paragraph markup sees it,
and bidirectional controls are printed as visible code points (core.csv_safety). Emoji and
symbols print from an embedded symbols font (Debian's Symbola): ReportLab has no font fallback,
so text is cut into runs by which embedded font has each character; a character no embedded font
has is printed as `[U+XXXX]`, never as an empty box.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.graphics.shapes import Circle, Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
    XPreformatted,
)

from core.csv_safety import neutralise_bidi

if TYPE_CHECKING:
    from .exports import PacketPlan

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Font:
    name: str
    covers: frozenset[int]


@dataclass(frozen=True)
class PacketFonts:
    """The embedded fonts (ReportLab names) and the code points each one has."""

    text: _Font
    bold: _Font
    mono: _Font
    symbols: _Font | None


def _load(name: str, path: Path, fallback: str) -> _Font:
    try:
        font = TTFont(name, str(path))
    except Exception:  # a missing or unreadable file: the packet still exports, and says so
        logger.warning("packet font %s not usable at %s; using %s", name, path, fallback)
        return _Font(fallback, frozenset(range(0x20, 0x7F)))
    pdfmetrics.registerFont(font)
    return _Font(name, frozenset(font.face.charToGlyph))


@functools.cache
def packet_fonts() -> PacketFonts:
    symbols = _load("PacketSymbols", settings.PACKET_FONT_SYMBOLS, "Helvetica")
    return PacketFonts(
        text=_load("PacketText", settings.PACKET_FONT_TEXT, "Helvetica"),
        bold=_load("PacketBold", settings.PACKET_FONT_BOLD, "Helvetica-Bold"),
        mono=_load("PacketMono", settings.PACKET_FONT_MONO, "Courier"),
        symbols=symbols if symbols.name == "PacketSymbols" else None,
    )


# Characters drawn as nothing that need no glyph: variation selectors and joiners in emoji.
_SILENT = frozenset({0xFE0E, 0xFE0F, 0x200D})


def markup(text: str, base: _Font | None = None) -> str:
    """`text` as ReportLab paragraph markup: escaped, bidi controls visible, each character in
    an embedded font that has it (or as [U+XXXX])."""
    fonts = packet_fonts()
    base = base or fonts.text
    out: list[str] = []
    run: list[str] = []
    run_font: str | None = None

    def flush() -> None:
        if not run:
            return
        piece = escape("".join(run))
        out.append(piece if run_font is None else f'<font name="{run_font}">{piece}</font>')
        run.clear()

    for char in neutralise_bidi(text):
        code = ord(char)
        if code in _SILENT:
            continue
        if char in "\n\t" or code in base.covers:
            font = None
        elif fonts.symbols is not None and code in fonts.symbols.covers:
            font = fonts.symbols.name
        else:
            flush()
            run_font = None
            out.append(f"[U+{code:04X}]")
            continue
        if font != run_font:
            flush()
            run_font = font
        run.append(char)
    flush()
    return "".join(out)


def _styles() -> dict[str, ParagraphStyle]:
    fonts = packet_fonts()
    sheet = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=sheet["Title"], fontName=fonts.bold.name),
        "h2": ParagraphStyle("h2", parent=sheet["Heading2"], fontName=fonts.bold.name),
        "h3": ParagraphStyle("h3", parent=sheet["Heading3"], fontName=fonts.bold.name),
        "body": ParagraphStyle("b", parent=sheet["Normal"], fontName=fonts.text.name),
        "small": ParagraphStyle("s", parent=sheet["Normal"], fontName=fonts.text.name, fontSize=8),
        "ad": ParagraphStyle(
            "ad", parent=sheet["Code"], fontName=fonts.mono.name, fontSize=8, leading=10
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup(text), style)


def _wrap(text: str, width: int = 95) -> str:
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        while len(line) > width:
            lines.append(line[:width])
            line = line[width:]
        lines.append(line)
    return "\n".join(lines)


def places_drawing(points: list[tuple[str, float, float, int]]) -> Drawing | None:
    """Where the case's ads were posted: one dot per place (sized by its ads), labelled, on a
    latitude/longitude frame. No base map is drawn (the packet embeds no tiles)."""
    if not points:
        return None
    width, height, pad = 170 * mm, 90 * mm, 12 * mm
    lats = [p[1] for p in points]
    lngs = [p[2] for p in points]
    lat_min, lat_max = min(lats) - 0.5, max(lats) + 0.5
    lng_min, lng_max = min(lngs) - 0.5, max(lngs) + 0.5
    scale = min((width - 2 * pad) / (lng_max - lng_min), (height - 2 * pad) / (lat_max - lat_min))
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, strokeColor=colors.grey, fillColor=None))
    font = packet_fonts().text.name
    for name, lat, lng, count in sorted(points, key=lambda p: -p[3])[:40]:
        x = pad + (lng - lng_min) * scale
        y = pad + (lat - lat_min) * scale
        radius = min(10.0, 2.5 + count**0.5)
        drawing.add(Circle(x, y, radius, fillColor=colors.HexColor("#c0392b"), strokeWidth=0))
        label = f"{neutralise_bidi(name)[:40]} ({count})"
        drawing.add(String(x + radius + 2, y - 3, label, fontName=font, fontSize=7))
    drawing.add(
        String(
            4,
            4,
            f"lat {lat_min:.1f} to {lat_max:.1f}, lng {lng_min:.1f} to {lng_max:.1f}",
            fontName=font,
            fontSize=6,
        )
    )
    return drawing


def _table(rows: list[list[str]], widths: list[float], styles: dict[str, Any]) -> Table:
    cells = [[Paragraph(markup(c), styles["small"]) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _timeline(plan: PacketPlan) -> Iterable[str]:
    for event in plan.case_events:
        who = event.actor.get_username() if event.actor else "the system"
        text = f": {event.text}" if event.text else ""
        yield f"{event.at:%Y-%m-%d %H:%M} UTC · {who} · {event.kind_label}{text}"


def case_pdf(plan: PacketPlan) -> bytes:
    """The readable summary of the packet (the evidence files and the manifest are the record)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        title=f"Case {plan.case.number}",
    )
    doc.build(case_story(plan))
    return buffer.getvalue()


def case_story(plan: PacketPlan) -> list[Any]:
    """The PDF's flowables: the summary page, then each ad as captured."""
    case = plan.case
    styles = _styles()
    exported = timezone.now()
    story: list[Any] = [
        _p(f"Case {case.number}: {case.title}", styles["title"]),
        _p(
            f"Unit: {case.unit or '-'} · Status: {case.get_status_display()} · Exported "
            f"{exported:%Y-%m-%d %H:%M} UTC by {plan.user.get_username()} · "
            f"Justification: {plan.justification}",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
    ]
    if case.summary:
        story += [_p(case.summary, styles["body"]), Spacer(1, 3 * mm)]
    story.append(_p("Summary", styles["h2"]))
    story.append(_p(plan.visibility.sentence(plan.user, len(plan.ads)), styles["body"]))
    story.append(
        _p(
            f"{len(plan.ads)} ad(s) · {len(plan.identifiers)} identifier(s) · "
            f"{len(plan.networks)} network(s) · {len(plan.images)} image(s): "
            f"{plan.original_count} original(s), "
            f"{len(plan.images) - plan.original_count} blurred cop(ies)",
            styles["body"],
        )
    )
    if plan.identifiers:
        story.append(_p("Identifiers", styles["h3"]))
        rows = [["Kind", "Value", "Ads in this packet"]] + [
            [kind, value, str(count)] for kind, value, count in plan.identifiers[:200]
        ]
        story.append(_table(rows, [30 * mm, 100 * mm, 40 * mm], styles))
    if plan.networks:
        story.append(_p("Networks", styles["h3"]))
        rows = [["Network", "Ads (yours)", "Max risk", "Places", "Seen"]]
        for network in plan.networks:
            seen = (
                f"{network.first_seen_at:%Y-%m-%d} to {network.last_seen_at:%Y-%m-%d}"
                if network.first_seen_at and network.last_seen_at
                else "undated"
            )
            risk = f"{network.max_risk:.2f}" if network.max_risk is not None else "not scored"
            places = ", ".join(str(c) for c in (network.cities or [])[:6]) or "unknown"
            rows.append([f"Network {network.pk}", str(network.size), risk, places, seen])
        story.append(_table(rows, [25 * mm, 22 * mm, 20 * mm, 63 * mm, 40 * mm], styles))
    drawing = places_drawing(plan.places)
    if drawing is not None:
        story += [_p("Where the ads were posted", styles["h3"]), drawing]
        story.append(
            _p(
                "Each dot is a place named by the ads (geocoded), sized by its number of ads; "
                "positions by latitude and longitude, without a base map.",
                styles["small"],
            )
        )
    story.append(_p("Timeline", styles["h3"]))
    for line in _timeline(plan):
        story.append(_p(line, styles["small"]))
    story.append(PageBreak())
    story.append(_p(f"The {len(plan.ads)} ad(s) as captured", styles["h2"]))
    for ad in plan.ads:
        score = plan.scores.get(ad.pk)
        head = (
            f"Ad {ad.pk} · {ad.source.name} · posted "
            f"{f'{ad.posted_at:%Y-%m-%d %H:%M} UTC' if ad.posted_at else 'undated'} · "
            f"captured {ad.captured_at:%Y-%m-%d %H:%M} UTC"
        )
        story.append(_p(head, styles["h3"]))
        if score is not None:
            risk = f"{score.risk:.2f}" if score.risk is not None else "not scored"
            minor = f"{score.minor:.2f}" if score.minor is not None else "not scored"
            story.append(
                _p(f"Risk {risk} · possible minor {minor} · {score.reason}", styles["body"])
            )
        # XPreformatted keeps the ad's line breaks; its markup is ours alone (the text is escaped).
        story.append(
            XPreformatted(markup(_wrap(ad.document[:6000]), packet_fonts().mono), styles["ad"])
        )
        story.append(Spacer(1, 4 * mm))
    return story
