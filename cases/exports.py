"""Evidence packets (ZIP: raw captures, manifest, PDF, custody chain, VERIFY.txt) and safe CSVs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Q, QuerySet

from ads.media import image_render
from ads.models import (
    Ad,
    AdImage,
    AdImageStatus,
    AdRevision,
    EntityKind,
    EntityOccurrence,
    Evidence,
)
from analytics.models import AdScore, Network
from analytics.selectors import score_basis
from audit.models import AuditEvent
from core.csv_safety import safe_row

from .models import Case, CaseEvent, QueueItem, QueueItemEvent
from .packet_pdf import case_pdf

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# The identifiers a packet and ads.csv list (names and images are not identifiers to pivot on).
IDENTIFIER_KINDS = [EntityKind.PHONE, EntityKind.EMAIL, EntityKind.HANDLE, EntityKind.URL]

VERIFY_TEXT = """How to verify this evidence packet
==================================

1. Every captured page is in evidence/, named by the SHA-256 of its bytes with an extension for
   its type (.json, .csv, .html ...), exactly as stored when it was captured. Images are in
   evidence/ too when the exporter revealed them on the platform (within the reveal time) or
   chose originals at export, with a justification; both are in the audit trail. Every other
   image is in images/ as a blurred copy, named by the SHA-256 of the original it was made from
   (the manifest lists the copy's own hash too): the original stays on the platform.
   MANIFEST.csv lists each file with its SHA-256, size, capture time, ad, revision and source URL.

2. Re-hash every file and compare with the manifest:

     Linux:    sha256sum -c SHA256SUMS
     macOS:    shasum -a 256 -c SHA256SUMS
     Windows:  Get-FileHash -Algorithm SHA256 evidence\\<file>   (PowerShell; compare by eye)

   SHA256SUMS covers every other file in this packet too (case.pdf, MANIFEST.csv, ads.csv,
   CHAIN_OF_CUSTODY.json). A single differing hash means that file was altered after export.

3. CHAIN_OF_CUSTODY.json lists who did what and when, each event naming its record and what
   changed: the platform's audit events for this case (each with its HMAC digest; an auditor
   checks the whole chain on the platform with `manage.py verify_audit_chain --checkpoints DIR`),
   the case timeline and the triage history of the queue items that led to it.

4. This packet holds the ads its exporter may see. Members of other units may see more or fewer
   of the case's ads: case.pdf and CHAIN_OF_CUSTODY.json ("visibility") say how many each member
   sees.

5. case.pdf is a readable summary for people; the evidence/ files and the manifest are the record.
"""

# Packet file extensions by stored content type (anything else is .bin).
_EXTENSIONS = {
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/xml": ".xml",
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
    "text/xml": ".xml",
    "text/csv": ".csv",
    "text/html": ".html",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def file_extension(content_type: str) -> str:
    return _EXTENSIONS.get(content_type.split(";", 1)[0].strip().lower(), ".bin")


def case_ads(*, case: Case, user: User) -> QuerySet[Ad]:
    """The case's ads and its networks' ads, as far as the user may see them."""
    return (
        Ad.objects.visible_to(user)
        .filter(Q(cases=case) | Q(network_membership__network__cases=case))
        .distinct()
        .select_related("source")
        .order_by("pk")
    )


@dataclass(frozen=True)
class CaseVisibility:
    """How much of a case each member sees: members of other units may see other ads."""

    total: int
    members: list[tuple[str, int]]

    @property
    def differs(self) -> bool:
        return any(count != self.total for _, count in self.members)

    def sentence(self, user: User, seen: int) -> str:
        """What the packet's reader must know about whose view of the case it holds."""
        if not self.differs:
            return f"Every member sees the same {self.total} ad(s) of this case."
        each = "; ".join(f"{name}: {count}" for name, count in self.members)
        return (
            f"This case looks different to each member: members see only the ads of their own "
            f"units. The case holds {self.total} ad(s); this packet holds the {seen} that "
            f"{user.get_username()} may see. Ads each member sees: {each}."
        )


def case_visibility(*, case: Case) -> CaseVisibility:
    """The number of the case's ads each member may see (`case_ads` for each member)."""
    members = list(case.members.order_by("username"))
    return CaseVisibility(
        total=Ad.objects.filter(Q(cases=case) | Q(network_membership__network__cases=case))
        .distinct()
        .count(),
        members=[(m.get_username(), case_ads(case=case, user=m).count()) for m in members],
    )


def _record(object_type: str, object_id: str) -> str:
    return f"{object_type.replace('_', ' ')} {object_id}".strip()


def _chain_of_custody(case: Case, visibility: CaseVisibility) -> dict[str, Any]:
    audit = AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).order_by("pk")
    items = QueueItem.objects.filter(case=case).values_list("pk", flat=True)
    return {
        "case": case.number,
        "visibility": {
            "ads_in_case": visibility.total,
            "ads_each_member_sees": dict(visibility.members),
            "looks_different_to_members": visibility.differs,
        },
        "audit_events": [
            {
                "id": e.pk,
                "at": e.at.isoformat(),
                "actor": e.actor_username,
                "role": e.actor_role,
                "action": e.action,
                "what": e.get_action_display(),
                "record": _record(e.object_type, e.object_id),
                "changed": e.detail,
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
                "record": f"case {case.number}",
                "kind": e.kind,
                "what": e.kind_label,
                "changed": e.text,
                "detail": e.detail,
            }
            for e in CaseEvent.objects.filter(case=case).select_related("actor")
        ],
        "queue_item_events": [
            {
                "item": e.item_id,
                "record": f"queue item {e.item_id}",
                "at": e.at.isoformat(),
                "actor": e.actor.get_username() if e.actor else None,
                "kind": e.kind,
                "what": e.get_kind_display(),
                "from": e.from_status,
                "to": e.to_status,
                "changed": (
                    f"status {e.from_status or '-'} -> {e.to_status}"
                    if e.from_status != e.to_status
                    else e.text
                ),
                "text": e.text,
                "detail": e.detail,
            }
            for e in QueueItemEvent.objects.filter(item_id__in=list(items)).select_related("actor")
        ],
    }


class ImageChoice(models.TextChoices):
    """What a packet carries of each image (docs/security.md, "Evidence packets")."""

    BLURRED = "blurred", "Blurred copies, except images I revealed in the last few minutes"
    ORIGINALS = "originals", "Originals of every image (each is recorded as revealed by me)"


@dataclass
class PacketImage:
    """One image of a packet: the original (revealed or chosen at export) or a blurred copy."""

    image: AdImage
    original: bool
    why: str  # "revealed", "chosen at export", "blurred copy"


@dataclass
class PacketPlan:
    """What one packet for one exporter holds, decided (and audited) before it is built."""

    case: Case
    user: User
    justification: str
    ads: list[Ad]
    scores: dict[int, AdScore]
    images: list[PacketImage]
    identifiers: list[tuple[str, str, int]]
    networks: list[Network]
    places: list[tuple[str, float, float, int]]
    case_events: list[CaseEvent]
    visibility: CaseVisibility

    @property
    def original_count(self) -> int:
        return sum(1 for i in self.images if i.original)

    def audit_detail(self) -> dict[str, Any]:
        """What the export event records: the ads and which images went out in which form."""
        return {
            "format": "evidence-packet",
            "ads": [ad.pk for ad in self.ads],
            "images_original": [i.image.pk for i in self.images if i.original],
            "images_blurred": [i.image.pk for i in self.images if not i.original],
            "visibility": {"ads_in_case": self.visibility.total, "seen": len(self.ads)},
        }


def packet_plan(
    *, case: Case, user: User, justification: str, revealed: set[int], choice: str
) -> PacketPlan:
    """The packet's contents for `user`: only ads (and so images, captures and identifiers) the
    user may see; each image as its original when the user revealed it (`revealed`: ids whose
    reveal is still current) or chose originals, else as a blurred copy."""
    from analytics.selectors import networks_as_seen
    from maps.models import AdLocation

    ads = list(case_ads(case=case, user=user))
    ids = [a.pk for a in ads]
    images = [
        PacketImage(
            image=image,
            original=choice == ImageChoice.ORIGINALS or image.pk in revealed,
            why=(
                "revealed"
                if image.pk in revealed
                else "chosen at export"
                if choice == ImageChoice.ORIGINALS
                else "blurred copy"
            ),
        )
        for image in AdImage.objects.visible_to(user)
        .filter(ad_id__in=ids, status=AdImageStatus.STORED)
        .select_related("evidence", "ad__source")
        .order_by("ad_id", "position", "pk")
    ]
    identifiers = [
        (EntityKind(kind).label, value, count)
        for kind, value, count in EntityOccurrence.objects.filter(
            ad_id__in=ids, entity__kind__in=IDENTIFIER_KINDS
        )
        .values_list("entity__kind", "entity__value")
        .annotate(n=Count("ad_id", distinct=True))
        .order_by("-n", "entity__kind", "entity__value")
    ]
    places: dict[str, list[Any]] = {}
    for name, lat, lng in (
        AdLocation.objects.filter(ad_id__in=ids, lat__isnull=False, lng__isnull=False)
        .exclude(name="")
        .values_list("name", "lat", "lng")
    ):
        places.setdefault(name, [name, lat, lng, 0])[3] += 1
    return PacketPlan(
        case=case,
        user=user,
        justification=justification,
        ads=ads,
        scores={s.ad_id: s for s in AdScore.objects.filter(ad_id__in=ids)},
        images=images,
        identifiers=identifiers,
        networks=networks_as_seen(
            user=user, networks=list(case.networks.visible_to(user).order_by("pk"))
        ),
        places=[tuple(p) for p in places.values()],  # type: ignore[misc]
        case_events=list(CaseEvent.objects.filter(case=case).select_related("actor")),
        visibility=case_visibility(case=case),
    )


def _pack(files: dict[str, bytes], evidence: Evidence, case: Case) -> str:
    """Cut one capture out of its segment file into `files` (once), re-hashed; its name."""
    ext = file_extension(evidence.content_type)
    name = f"evidence/{evidence.sha256}{ext}"
    altered = f"evidence/ALTERED-{evidence.sha256}{ext}"
    if name in files or altered in files:
        return name if name in files else altered
    data = evidence.read()
    actual = hashlib.sha256(data).hexdigest()
    if actual != evidence.sha256:
        # Never ship altered evidence silently: the packet says so and the log shouts.
        logger.error("case %s: evidence %s hashes to %s", case.number, evidence.sha256, actual)
        name = altered
    files[name] = data
    return name


def _pack_blurred(files: dict[str, bytes], image: AdImage) -> tuple[str, bytes]:
    """A blurred JPEG copy of an image (the original stays on the platform); name and bytes."""
    assert image.evidence is not None
    name = f"images/blurred-{image.evidence.sha256}.jpg"
    if name not in files:
        files[name] = image_render(image=image, blurred=True)
    return name, files[name]


MANIFEST_HEADER = [
    "file",
    "sha256",
    "size",
    "content_type",
    "kind",
    "original_sha256",
    "captured_at",
    "ad_id",
    "revision",
    "source",
    "url",
]


def case_evidence_packet(*, plan: PacketPlan) -> bytes:
    """The ZIP for court or a partner agency: captures, images, hashes, PDF, ads.csv, custody
    chain, VERIFY.txt. Each capture is cut out of its evidence segment file and re-hashed."""
    case = plan.case
    ids = [a.pk for a in plan.ads]
    revisions = AdRevision.objects.filter(ad_id__in=ids).select_related("evidence", "ad__source")
    files: dict[str, bytes] = {}
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(MANIFEST_HEADER)
    for rev in revisions.order_by("ad_id", "number"):
        name = _pack(files, rev.evidence, case)
        ev = rev.evidence
        writer.writerow(
            safe_row(
                [name, ev.sha256, ev.size, ev.content_type, "capture", "", rev.captured_at]
                + [rev.ad.pk, rev.number, rev.ad.source.name, rev.url]
            )
        )
    for entry in plan.images:
        image, ev = entry.image, entry.image.evidence
        if ev is None:
            continue
        common = [image.fetched_at, image.ad.pk, image.revision, image.ad.source.name]
        if entry.original:
            name = _pack(files, ev, case)
            row = [name, ev.sha256, ev.size, ev.content_type, f"image ({entry.why})", ""]
        else:
            name, data = _pack_blurred(files, image)
            digest = hashlib.sha256(data).hexdigest()
            row = [name, digest, len(data), "image/jpeg", "blurred copy", ev.sha256]
        writer.writerow(safe_row(row + common + [image.source_url]))
    files["MANIFEST.csv"] = manifest.getvalue().encode()
    files["ads.csv"] = csv_text(CASE_CSV_HEADER, case_csv_rows(plan.ads)).encode()
    files["case.pdf"] = case_pdf(plan)
    files["CHAIN_OF_CUSTODY.json"] = json.dumps(
        _chain_of_custody(case, plan.visibility), indent=2, default=str
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
    logger.info(
        "case %s: evidence packet with %d ads, %d images (%d originals)",
        case.number,
        len(plan.ads),
        len(plan.images),
        plan.original_count,
    )
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
    basis = score_basis()  # what backs `risk`, as the pages and the API say it
    for item in items:
        yield [
            item.pk,
            item.kind,
            item.status,
            item.priority,
            item.risk,
            basis if item.risk is not None else "",
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
    "risk_basis",
    "minor",
    "possible_minor",
    "size",
    "location",
    "title",
    "indicators",
    "assignee",
    "last_seen_at",
]


def case_csv_rows(ads: list[Ad]) -> Iterable[list[Any]]:
    """One row per ad: where and when, its risk (2 decimals) and the identifiers found in it."""
    ids = [ad.pk for ad in ads]
    risks: dict[int, float | None] = {}
    versions: dict[int, str] = {}
    for ad_id, risk, version in AdScore.objects.filter(ad_id__in=ids).values_list(
        "ad_id", "risk", "model_version"
    ):
        risks[ad_id], versions[ad_id] = risk, version
    bases = {version: score_basis(version) for version in set(versions.values())}
    found: dict[int, list[str]] = {}
    for ad_id, kind, value in (
        EntityOccurrence.objects.filter(ad_id__in=ids, entity__kind__in=IDENTIFIER_KINDS)
        .values_list("ad_id", "entity__kind", "entity__value")
        .distinct()
        .order_by("ad_id", "entity__kind", "entity__value")
    ):
        found.setdefault(ad_id, []).append(f"{kind}:{value}")
    for ad in ads:
        risk = risks.get(ad.pk)
        yield [
            ad.pk,
            ad.source.name,
            ad.external_id,
            ad.url,
            ad.title,
            ad.location_text,
            ad.posted_at.isoformat() if ad.posted_at else "",
            ad.captured_at.isoformat(),
            f"{risk:.2f}" if risk is not None else "",
            bases[versions[ad.pk]] if risk is not None else "",
            "; ".join(found.get(ad.pk, [])),
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
    "risk",
    "risk_basis",
    "identifiers",
]
