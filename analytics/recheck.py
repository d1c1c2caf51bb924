"""Recheck stored text links once the shingle counts have matured.

A text shared by many posters (a site's disclaimer page, a stock phrase) is only known to be
common once enough of them have been counted (`ShingleFrequency`), so the first posters of such a
text link before the guard can refuse them. This is the linking stage's form of the in-memory
`Linker.recheck_text_links()`: every stored text link is weighed again under the counts as they
stand, with the same rule (`writes_alike`), the links that no longer hold are deleted and the
networks they held together are split (`_split_networks`, as after a revision). Run by beat
(CELERY_BEAT_SCHEDULE "text links rechecked"), by `manage.py links_recheck`, and worth running
after a bulk load.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from analytics.linking import area_codes, shared_content, writes_alike

from .models import AdSignature, Link, LinkKind, ShingleFrequency
from .stages import (
    ADVISORY_LOCK_KEY,
    LinkResult,
    _chunks,
    _phones_of,
    _signatures_of,
    _similarity,
    _split_networks,
    _StoredFrequencies,
    networks_refresh,
)

logger = logging.getLogger(__name__)

# Text links weighed per transaction: the lock is held for one chunk at a time.
RECHECK_CHUNK = 2000


@dataclass
class RecheckResult:
    checked: int = 0
    dropped: int = 0
    split: int = 0


def _shingles_of(ad_ids: set[int]) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for chunk in _chunks(sorted(ad_ids)):
        for ad_id, raw in AdSignature.objects.filter(
            ad_id__in=chunk, shingles__isnull=False
        ).values_list("ad_id", "shingles"):
            out[ad_id] = np.frombuffer(bytes(raw), dtype="<u4").astype(np.uint32)
    return out


def _counts(shingles: dict[int, np.ndarray]) -> _StoredFrequencies:
    wanted = sorted({int(h) for values in shingles.values() for h in values.tolist()})
    counts: dict[int, int] = {}
    for chunk in _chunks(wanted):
        for shingle, posters in ShingleFrequency.objects.filter(shingle__in=chunk).values_list(
            "shingle", "posters"
        ):
            counts[shingle] = len(posters)
    return _StoredFrequencies(counts)


def _still_holds(
    a: int,
    b: int,
    shingles: dict[int, np.ndarray],
    phones: dict[int, list[str]],
    sigs: dict[int, np.ndarray],
    frequency: _StoredFrequencies,
) -> bool:
    mine, theirs = shingles.get(a), shingles.get(b)
    if mine is None or theirs is None or not len(mine) or not len(theirs):
        return True  # nothing to weigh: the link stands as the estimate made it
    pa, pb = phones.get(a, []), phones.get(b, [])
    # Both ads are counted by now: the pair holds one poster (the same phones) or two.
    counted = (2 if set(pa) != set(pb) else 1) if pa and pb else int(bool(pa or pb))
    distinct = bool(pa and pb and not set(pa) & set(pb))
    return writes_alike(
        shared_content(mine, theirs, frequency, counted_pair=counted),
        corroborated=bool(area_codes(pa) & area_codes(pb)),
        distinct_phones=distinct,
        similarity=_similarity(sigs[a], sigs[b]) if a in sigs and b in sigs else 1.0,
    )


def links_recheck_text(*, chunk: int = RECHECK_CHUNK) -> RecheckResult:
    """Weigh every stored text link again; delete those the counts no longer justify."""
    result = RecheckResult()
    last = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            rows = list(
                Link.objects.filter(kind=LinkKind.TEXT, pk__gt=last)
                .order_by("pk")
                .values_list("pk", "ad_a_id", "ad_b_id")[:chunk]
            )
            if not rows:
                break
            last = rows[-1][0]
            ads = {ad for _, a, b in rows for ad in (a, b)}
            shingles = _shingles_of(ads)
            phones = _phones_of(ads)
            sigs = _signatures_of(ads)[0]
            frequency = _counts(shingles)
            stale = [
                (pk, a, b)
                for pk, a, b in rows
                if not _still_holds(a, b, shingles, phones, sigs, frequency)
            ]
            result.checked += len(rows)
            if not stale:
                continue
            Link.objects.filter(pk__in=[pk for pk, _, _ in stale]).delete()
            result.dropped += len(stale)
            linked = LinkResult()
            _split_networks(sorted({ad for _, a, b in stale for ad in (a, b)}), linked)
            result.split += len(linked.split)
            if linked.touched:
                networks_refresh(network_ids=sorted(linked.touched))
    logger.info(
        "text links rechecked: %d weighed, %d dropped, %d networks split",
        result.checked,
        result.dropped,
        result.split,
    )
    return result
