"""Retention: ads not linked to a case are purged after RETENTION_DAYS, evidence bytes included.

An ad is held while it (or a network it belongs to) is part of a case. "Age" is the last time the
ad was seen at its source, so an ad still online is not purged under the investigators' feet.
Evidence segments that lose captures are rewritten without them (the kept captures keep their
SHA-256), so purged bytes do not linger on disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record

from .models import Ad, AdImage, AdRevision, Entity, EntityOccurrence, Evidence

logger = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    """What a purge removed (or, on a dry run, would remove)."""

    cutoff: str
    ads: int = 0
    revisions: int = 0
    images: int = 0
    evidence: int = 0
    segments_rewritten: int = 0
    segments_deleted: int = 0
    entities: int = 0
    networks: int = 0
    held: int = 0
    sample_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def ads_expired(*, now: Any = None) -> tuple[QuerySet[Ad], QuerySet[Ad], Any]:
    """(ads to purge, old ads held by a case, cutoff)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS)
    old = Ad.objects.filter(last_seen_at__lt=cutoff)
    held = Q(cases__isnull=False) | Q(network_membership__network__cases__isnull=False)
    held_ids = old.filter(held).values("pk")
    return old.exclude(pk__in=held_ids), old.filter(pk__in=held_ids), cutoff


def _compact_segments(paths: set[str]) -> tuple[int, int]:
    """Rewrite each segment with only the captures still referenced; delete empty ones."""
    storage = storages["evidence"]
    rewritten = deleted = 0
    for path in paths:
        kept = list(Evidence.objects.filter(path=path).order_by("offset"))
        if not kept:
            if storage.exists(path):
                storage.delete(path)
            deleted += 1
            continue
        blobs = [e.read() for e in kept]
        name = storage.save(path.replace(".bin", "-c.bin"), ContentFile(b"".join(blobs)))
        offset = 0
        for evidence, blob in zip(kept, blobs, strict=True):
            evidence.path, evidence.offset = name, offset
            offset += len(blob)
        Evidence.objects.bulk_update(kept, ["path", "offset"])
        storage.delete(path)
        rewritten += 1
    return rewritten, deleted


def _purge_orphan_entities(entity_ids: set[int]) -> int:
    """Identifiers (raw phones, emails...) seen only in purged ads go too, with every keyed token
    derived from them (PartnerIdentifierToken cascades)."""
    orphans = Entity.objects.filter(pk__in=entity_ids, occurrences__isnull=True)
    count = orphans.count()
    orphans.delete()
    return count


def _purge_networks(network_ids: set[int]) -> int:
    """Networks left without members are deleted (their queue items cascade); the others lose the
    template text, which may quote a purged ad, until linking rebuilds it."""
    if not network_ids:
        return 0
    network_model = apps.get_model("analytics", "Network")
    networks = network_model.objects.filter(pk__in=network_ids)
    empty = networks.filter(memberships__isnull=True)
    count = empty.count()
    empty.delete()
    networks.update(template={}, reshaped=True)
    return count


def ads_purge_expired(
    *, dry_run: bool = False, actor: Any = None, batch_size: int = 1000
) -> PurgeReport:
    """Purge expired ads and their evidence; audited. A dry run only reports."""
    expired, held, cutoff = ads_expired()
    report = PurgeReport(cutoff=cutoff.isoformat(), held=held.count())
    report.sample_ids = list(expired.order_by("pk").values_list("pk", flat=True)[:20])
    if dry_run:
        report.ads = expired.count()
        report.revisions = AdRevision.objects.filter(ad__in=expired).count()
        report.images = AdImage.objects.filter(ad__in=expired).count()
        kept = Ad.objects.exclude(pk__in=expired.values("pk"))
        report.evidence = (
            Evidence.objects.filter(Q(revisions__ad__in=expired) | Q(images__ad__in=expired))
            .distinct()
            .exclude(revisions__ad__in=kept)
            .exclude(images__ad__in=kept)
            .count()
        )
        return report
    while True:
        ids = list(expired.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            evidence_ids = set(
                AdRevision.objects.filter(ad_id__in=ids).values_list("evidence_id", flat=True)
            )
            # An ad's images go with it; their bytes too unless another ad shows the same file.
            images = AdImage.objects.filter(ad_id__in=ids, evidence__isnull=False)
            evidence_ids |= set(images.values_list("evidence_id", flat=True))
            report.revisions += AdRevision.objects.filter(ad_id__in=ids).count()
            report.images += AdImage.objects.filter(ad_id__in=ids).count()
            entity_ids = set(
                EntityOccurrence.objects.filter(ad_id__in=ids).values_list("entity_id", flat=True)
            )
            network_ids = set(
                Ad.objects.filter(pk__in=ids, network_membership__isnull=False).values_list(
                    "network_membership__network_id", flat=True
                )
            )
            Ad.objects.filter(pk__in=ids).delete()
            report.entities += _purge_orphan_entities(entity_ids)
            report.networks += _purge_networks(network_ids)
            orphans = Evidence.objects.filter(
                pk__in=evidence_ids, revisions__isnull=True, images__isnull=True
            )
            paths = set(orphans.values_list("path", flat=True))
            report.evidence += orphans.count()
            orphans.delete()
            rewritten, deleted = _compact_segments(paths)
            report.segments_rewritten += rewritten
            report.segments_deleted += deleted
            report.ads += len(ids)
    audit_record(actor=actor, action=Action.PURGE, object_type="ad", detail=report.to_json())
    logger.info("retention purge: %s", report.to_json())
    return report
