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

from .models import Link, LinkKind
from .stages import (
    ADVISORY_LOCK_KEY,
    LinkResult,
    _phones_of,
    _regions_of,
    _signatures_of,
    _similarity,
    _split_networks,
    _stored_posters,
    _StoredFrequencies,
    networks_refresh,
    pair_writes_alike,
    stored_shingles,
)

logger = logging.getLogger(__name__)

# Text links weighed per transaction: the lock is held for one chunk at a time.
RECHECK_CHUNK = 2000


@dataclass
class RecheckResult:
    checked: int = 0
    dropped: int = 0
    split: int = 0


def _still_holds(
    a: int,
    b: int,
    shingles: dict[int, np.ndarray],
    phones: dict[int, list[str]],
    sigs: dict[int, np.ndarray],
    frequency: _StoredFrequencies,
    regions: dict[int, str],
) -> bool:
    pa, pb = phones.get(a, []), phones.get(b, [])
    ra, rb = regions.get(a, ""), regions.get(b, "")
    # Both ads are counted by now, each by its phones or else its region (`_posters_of`): the
    # pair holds one poster (the same key) or two.
    keys = {key for key in (tuple(pa) or ra, tuple(pb) or rb) if key}
    return pair_writes_alike(
        shingles.get(a),
        shingles.get(b),
        pa,
        pb,
        frequency,
        counted=len(keys),
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
            shingles = stored_shingles(ads)
            phones = _phones_of(ads)
            regions = _regions_of(ads)
            sigs = _signatures_of(ads)[0]
            frequency = _StoredFrequencies.of(_stored_posters(shingles))
            stale = [
                (pk, a, b)
                for pk, a, b in rows
                if not _still_holds(a, b, shingles, phones, sigs, frequency, regions)
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
