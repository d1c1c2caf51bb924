"""The extraction stage: entities with their spans, stored for linking, watchlists, map and API."""

from __future__ import annotations

import logging

from django.utils import timezone

from .extraction import extract, resolve_region
from .models import Ad, Entity, EntityKind, EntityOccurrence

logger = logging.getLogger(__name__)

# extract-2: payment identifiers are stored as entities too.
EXTRACTOR_VERSION = "extract-2"
ENTITY_KINDS = {
    EntityKind.PHONE,
    EntityKind.EMAIL,
    EntityKind.HANDLE,
    EntityKind.URL,
    EntityKind.NAME,
    EntityKind.PAYMENT,
}


def ads_extract_entities(ads: list[Ad]) -> str:
    """Pipeline stage: extract entities from each ad's current text and replace its occurrences."""
    now = timezone.now()
    found: dict[int, list[tuple[str, str, int, int]]] = {}
    for ad in ads:
        document = ad.document
        choice = resolve_region(url=ad.url, text=document, source=ad.source.default_country or None)
        result = extract(document, region=choice.region, fallback_region=choice.fallback)
        data = result.to_json(ad.pk)
        data.pop("id")
        data["region"], data["region_rule"] = choice.region, choice.rule
        data["obscured_phone"] = result.obfuscated
        ad.extracted = data
        found[ad.pk] = [
            (s.kind, s.value[:500], s.start, s.end) for s in result.spans if s.kind in ENTITY_KINDS
        ]
    wanted = {(kind, value) for spans in found.values() for kind, value, _, _ in spans}
    by_key: dict[tuple[str, str], Entity] = {}
    for kind in {k for k, _ in wanted}:
        values = [v for k, v in wanted if k == kind]
        by_key.update(
            {(e.kind, e.value): e for e in Entity.objects.filter(kind=kind, value__in=values)}
        )
    # Inserted in key order: two batches inserting the same new entities wait on each other's
    # unique-index entries in one order, never in a cycle (docs/operations.md, lock order).
    missing = [
        Entity(kind=k, value=v, first_seen_at=now, last_seen_at=now)
        for k, v in sorted(wanted)
        if (k, v) not in by_key
    ]
    if missing:
        Entity.objects.bulk_create(missing, ignore_conflicts=True)
        for kind in {e.kind for e in missing}:
            values = [e.value for e in missing if e.kind == kind]
            by_key.update(
                {(e.kind, e.value): e for e in Entity.objects.filter(kind=kind, value__in=values)}
            )
    revisions = {ad.pk: ad.revision_count for ad in ads}
    _drop_replaced_occurrences(found, by_key, revisions)
    EntityOccurrence.objects.bulk_create(
        [
            EntityOccurrence(
                entity=by_key[(kind, value)],
                ad_id=ad_id,
                revision=revisions[ad_id],
                start=start,
                end=end,
            )
            for ad_id, spans in found.items()
            for kind, value, start, end in spans
        ]
    )
    if by_key:
        Entity.objects.filter(pk__in=[e.pk for e in by_key.values()]).update(last_seen_at=now)
    Ad.objects.bulk_update(ads, ["extracted"])
    return EXTRACTOR_VERSION


def _drop_replaced_occurrences(
    found: dict[int, list[tuple[str, str, int, int]]],
    by_key: dict[tuple[str, str], Entity],
    revisions: dict[int, int],
) -> None:
    """Delete the occurrences this extraction replaces: those of the ads' current revision (a
    re-run writes them again) and older ones of identifiers the current text still has. An
    identifier that only an earlier revision had is kept, marked by that revision, so a new
    revision never hides the old phone (issue #18)."""
    kept_now = {
        ad_id: {by_key[(kind, value)].pk for kind, value, _, _ in spans}
        for ad_id, spans in found.items()
    }
    stale = [
        pk
        for pk, ad_id, entity_id, revision in EntityOccurrence.objects.filter(
            ad_id__in=list(revisions)
        ).values_list("pk", "ad_id", "entity_id", "revision")
        if revision >= revisions[ad_id] or entity_id in kept_now.get(ad_id, set())
    ]
    for start in range(0, len(stale), 5000):
        EntityOccurrence.objects.filter(pk__in=stale[start : start + 5000]).delete()
