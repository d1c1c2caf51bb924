"""Evidence packets (ZIP: raw captures, manifest, PDF, custody chain, VERIFY.txt) and safe CSVs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.db.models import Q, QuerySet
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Preformatted, SimpleDocTemplate, Spacer

from ads.models import Ad, AdImage, AdImageStatus, AdRevision, Evidence
from analytics.models import AdScore
from audit.models import AuditEvent
from core.csv_safety import safe_row

from .models import Case, CaseEvent, QueueItem, QueueItemEvent

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

VERIFY_TEXT = """How to verify this evidence packet
==================================

1. Every captured page and every image the ads showed is in evidence/, named by the SHA-256 of
   its bytes, exactly as stored when it was captured (images unblurred: handle them accordingly).
   MANIFEST.csv lists each file with its SHA-256, size, capture time, ad, revision and source URL.

2. Re-hash every file and compare with the manifest:

     Linux:    sha256sum -c SHA256SUMS
     macOS:    shasum -a 256 -c SHA256SUMS
     Windows:  Get-FileHash -Algorithm SHA256 evidence\\<file>   (PowerShell; compare by eye)

   SHA256SUMS covers every other file in this packet too (case.pdf, MANIFEST.csv,
   CHAIN_OF_CUSTODY.json). A single differing hash means that file was altered after export.

3. CHAIN_OF_CUSTODY.json lists who did what and when: the platform's audit events for this case
   (each with its HMAC digest, verifiable on the platform with `manage.py audit_verify`), the
   case timeline and the triage history of the queue items that led to it.

4. case.pdf is a readable summary for people; the evidence/ files and the manifest are the record.
"""


def case_ads(*, case: Case, user: User) -> QuerySet[Ad]:
    """The case's ads and its networks' ads, as far as the user may see them."""
    return (
        Ad.objects.visible_to(user)
        .filter(Q(cases=case) | Q(network_membership__network__cases=case))
        .distinct()
        .select_related("source")
        .order_by("pk")
    )


def _chain_of_custody(case: Case) -> dict[str, Any]:
    audit = AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).order_by("pk")
    items = QueueItem.objects.filter(case=case).values_list("pk", flat=True)
    return {
        "case": case.number,
        "audit_events": [
            {
                "id": e.pk,
                "at": e.at.isoformat(),
                "actor": e.actor_username,
                "role": e.actor_role,
                "action": e.action,
                "justification": e.justification,
                "outcome": e.outcome,
                "digest": e.digest,
                "prev_digest": e.prev_digest,
            }
            for e in audit
        ],
        "case_timeline": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor.get_username() if e.actor else None,
                "kind": e.kind,
                "text": e.text,
            }
            for e in CaseEvent.objects.filter(case=case).select_related("actor")
        ],
        "queue_item_events": [
            {
                "item": e.item_id,
                "at": e.at.isoformat(),
                "actor": e.actor.get_username() if e.actor else None,
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "text": e.text,
                "detail": e.detail,
            }
            for e in QueueItemEvent.objects.filter(item_id__in=list(items)).select_related("actor")
        ],
    }


def _pdf(case: Case, ads: list[Ad], scores: dict[int, AdScore], exported_by: User) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=f"Case {case.number}"
    )
    story: list[Any] = [
        Paragraph(escape(f"Case {case.number}: {case.title}"), styles["Title"]),
        Paragraph(
            escape(
                f"Unit: {case.unit or '-'} · Status: {case.get_status_display()} · "
                f"Exported {timezone.now():%Y-%m-%d %H:%M} UTC by {exported_by.get_username()}"
            ),
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    if case.summary:
        story += [Paragraph(escape(case.summary), styles["Normal"]), Spacer(1, 4 * mm)]
    story.append(Paragraph(f"{len(ads)} ad(s)", styles["Heading2"]))
    for ad in ads:
        score = scores.get(ad.pk)
        head = (
            f"Ad {ad.pk} · {ad.source.name} · posted {ad.posted_at or '-'} · "
            f"captured {ad.captured_at:%Y-%m-%d %H:%M}"
        )
        story.append(Paragraph(escape(head), styles["Heading3"]))
        if score is not None:
            story.append(
                Paragraph(
                    escape(
                        f"Risk {score.risk if score.risk is not None else '-'} · possible minor "
                        f"{score.minor if score.minor is not None else '-'} · {score.reason}"
                    ),
                    styles["Normal"],
                )
            )
        # Preformatted draws text as-is (no markup is interpreted), which suits hostile ad text.
        story.append(Preformatted(ad.document[:6000], styles["Code"], maxLineLength=95))
        story.append(Spacer(1, 4 * mm))
    story += [PageBreak(), Paragraph("Case timeline", styles["Heading2"])]
    for event in CaseEvent.objects.filter(case=case).select_related("actor"):
        who = event.actor.get_username() if event.actor else "system"
        story.append(
            Paragraph(
                escape(f"{event.at:%Y-%m-%d %H:%M} {who}: {event.kind} {event.text}"),
                styles["Normal"],
            )
        )
    doc.build(story)
    return buffer.getvalue()


def _pack(files: dict[str, bytes], evidence: Evidence, case: Case) -> str:
    """Cut one capture out of its segment file into `files` (once), re-hashed; its name."""
    name = f"evidence/{evidence.sha256}"
    if name in files or f"evidence/ALTERED-{evidence.sha256}" in files:
        return name if name in files else f"evidence/ALTERED-{evidence.sha256}"
    data = evidence.read()
    actual = hashlib.sha256(data).hexdigest()
    if actual != evidence.sha256:
        # Never ship altered evidence silently: the packet says so and the log shouts.
        logger.error("case %s: evidence %s hashes to %s", case.number, evidence.sha256, actual)
        name = f"evidence/ALTERED-{evidence.sha256}"
    files[name] = data
    return name


def case_evidence_packet(*, case: Case, user: User) -> bytes:
    """The ZIP for court or a partner agency: raw bytes, hashes, PDF, custody chain, VERIFY.txt.

    Each capture is cut out of its evidence segment file and re-hashed before it is packed.
    """
    ads = list(case_ads(case=case, user=user))
    scores = {s.ad_id: s for s in AdScore.objects.filter(ad_id__in=[a.pk for a in ads])}
    revisions = AdRevision.objects.filter(ad_id__in=[a.pk for a in ads]).select_related(
        "evidence", "ad__source"
    )
    files: dict[str, bytes] = {}
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(
        [
            "file",
            "sha256",
            "size",
            "content_type",
            "captured_at",
            "ad_id",
            "revision",
            "source",
            "url",
        ]
    )
    images = AdImage.objects.filter(
        ad_id__in=[a.pk for a in ads], status=AdImageStatus.STORED
    ).select_related("evidence", "ad__source")
    # Captured pages, then the images the ads showed: (evidence, captured, ad, revision, url).
    captures = [
        (rev.evidence, rev.captured_at, rev.ad, rev.number, rev.url)
        for rev in revisions.order_by("ad_id", "number")
    ] + [
        (image.evidence, image.fetched_at, image.ad, image.revision, image.source_url)
        for image in images.order_by("ad_id", "position", "pk")
    ]
    for evidence, captured_at, ad, revision, url in captures:
        name = _pack(files, evidence, case)
        writer.writerow(
            safe_row(
                [
                    name,
                    evidence.sha256,
                    evidence.size,
                    evidence.content_type,
                    captured_at.isoformat(),
                    ad.pk,
                    revision,
                    ad.source.name,
                    url,
                ]
            )
        )
    files["MANIFEST.csv"] = manifest.getvalue().encode()
    files["case.pdf"] = _pdf(case, ads, scores, user)
    files["CHAIN_OF_CUSTODY.json"] = json.dumps(
        _chain_of_custody(case), indent=2, default=str
    ).encode()
    files["VERIFY.txt"] = VERIFY_TEXT.encode()
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, data in sorted(files.items())
        if name != "VERIFY.txt"
    )
    files["SHA256SUMS"] = sums.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{case.number}/{name}", data)
    logger.info("case %s: evidence packet with %d ads", case.number, len(ads))
    return out.getvalue()


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """CSV whose cells a spreadsheet will not execute (formula injection)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def queue_csv_rows(items: Iterable[QueueItem]) -> Iterable[list[Any]]:
    for item in items:
        yield [
            item.pk,
            item.kind,
            item.status,
            item.priority,
            item.risk,
            item.minor,
            item.possible_minor,
            item.size,
            item.location,
            item.title,
            item.indicator_codes.strip(),
            item.assignee.get_username() if item.assignee else "",
            item.last_seen_at.isoformat(),
        ]


QUEUE_CSV_HEADER = [
    "item",
    "kind",
    "status",
    "priority",
    "risk",
    "minor",
    "possible_minor",
    "size",
    "location",
    "title",
    "indicators",
    "assignee",
    "last_seen_at",
]


def case_csv_rows(ads: Iterable[Ad]) -> Iterable[list[Any]]:
    for ad in ads:
        yield [
            ad.pk,
            ad.source.name,
            ad.external_id,
            ad.url,
            ad.title,
            ad.location_text,
            ad.posted_at.isoformat() if ad.posted_at else "",
            ad.captured_at.isoformat(),
        ]


CASE_CSV_HEADER = [
    "ad",
    "source",
    "external_id",
    "url",
    "title",
    "location",
    "posted_at",
    "captured_at",
]
