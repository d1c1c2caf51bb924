"""The queue stage, last in the pipeline: flagged ads and networks become queue items.

It also keeps queue items following the networks that linking merged, split or dissolved (the
stage does it between batches, and cases.tasks.networks_reshaped_sync periodically). Every write
that changes a queue item adds a QueueItemEvent in the same transaction.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Case, FloatField, Func, Max, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least, Log, Round
from django.utils import timezone

from ads.models import Ad
from analytics.models import AdNetwork, AdScore, Network

from .models import (
    Decision,
    EventKind,
    ItemKind,
    ItemStatus,
    QueueItem,
    QueueItemEvent,
    QueueItemSource,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

QUEUE_STAGE_VERSION = "queue-v2"
# A network's indicator codes are the union over at most this many of its highest-risk ads.
NETWORK_SCORE_SAMPLE = 500


# --- the queue stage ----------------------------------------------------------------------------
def queue_priority(*, risk: float | None, possible_minor: bool, size: int) -> float:
    """Risk first (0-100), a possible minor adds 40, a bigger network up to 15 (log scale).

    Recency is not folded in: it would make a stored priority stale by the hour. The queue sorts by
    priority, then by last seen, and offers a "most recent" order.
    """
    size_bonus = min(15.0, 5.0 * math.log2(max(size, 1)))
    return round(100.0 * (risk or 0.0) + (40.0 if possible_minor else 0.0) + size_bonus, 3)


def queue_priority_expression(*, risk: Any, possible_minor: Any, size: Any) -> Func:
    """`queue_priority` in SQL, for the queue's order by figures composed per viewer
    (QueueItemQuerySet.with_seen_figures); tests hold the two equal."""
    size_bonus = Least(Value(15.0), Value(5.0) * Log(Value(2.0), Greatest(size, Value(1))))
    minor_bonus = Case(When(possible_minor, then=Value(40.0)), default=Value(0.0))
    total = Value(100.0) * Coalesce(risk, Value(0.0)) + minor_bonus + size_bonus
    return Round(total, 3, output_field=FloatField())


# The queue's urgency in words, read from the priority above (the guide's glossary explains it).
URGENCY_WORDS = ((100.0, "very high"), (70.0, "high"), (50.0, "medium"), (0.0, "low"))


def urgency_words(priority: float) -> str:
    """A priority as the queue shows it: very high (100 points or more), high, medium, low."""
    return next(word for floor, word in URGENCY_WORDS if priority >= floor)


def _codes_text(codes: Iterable[str]) -> str:
    unique = sorted({c for c in codes if c})
    return f" {' '.join(unique)} " if unique else ""


def _reviewable(score: AdScore | None) -> bool:
    return score is not None and (score.flagged or score.possible_minor)


def ads_queue_for_review(ads: list[Ad]) -> str:
    """Pipeline stage "queue": flagged or possible-minor ads get a queue item, one per network.

    Idempotent: running it again over the same ads changes nothing and adds no events. After commit
    it sends the ads to watchlist matching (every ad, flagged or not: a watched phone matters
    whatever the score).
    """
    ids = [ad.pk for ad in ads]
    # First follow what linking merged or split, so the items below land on the live networks.
    networks_reshaped_sync(wait=False)
    scores = {s.ad_id: s for s in AdScore.objects.filter(ad_id__in=ids)}
    memberships = dict(AdNetwork.objects.filter(ad_id__in=ids).values_list("ad_id", "network_id"))
    networks: set[int] = set()
    for ad in ads:
        if not _reviewable(scores.get(ad.pk)):
            continue
        network_id = memberships.get(ad.pk)
        if network_id is not None:
            networks.add(network_id)
        else:
            _upsert_ad_item(ad, scores[ad.pk])
    # Network items in network id order: the lock order of docs/operations.md.
    for network in Network.objects.filter(pk__in=networks).order_by("pk"):
        _upsert_network_item(network)
    if ids:
        transaction.on_commit(lambda: _enqueue_watchlists(ids))
    return QUEUE_STAGE_VERSION


def _enqueue_watchlists(ad_ids: list[int]) -> None:
    from .tasks import watchlists_match

    watchlists_match.delay(ad_ids)


def _apply_snapshot(item: QueueItem, values: dict[str, object]) -> bool:
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, values[name])
    return bool(changed)


def _sync_sources(item: QueueItem, figures: dict[int, dict[str, Any]]) -> None:
    """Keep the item's source rows (which decide who sees it) equal to its ads' sources, each
    with the item's figures over that source's ads (`_source_figures`)."""
    QueueItemSource.objects.filter(item=item).exclude(source_id__in=list(figures)).delete()
    current = {row.source_id: row for row in QueueItemSource.objects.filter(item=item)}
    changed, added = [], []
    for source_id, values in figures.items():
        row = current.get(source_id)
        if row is None:
            added.append(QueueItemSource(item=item, source_id=source_id, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    QueueItemSource.objects.bulk_create(added, ignore_conflicts=True)
    if changed:
        QueueItemSource.objects.bulk_update(changed, list(SOURCE_FIGURES))


SOURCE_FIGURES = (
    "size",
    "risk",
    "minor",
    "possible_minor",
    "last_seen_at",
    "lead_ad_id",
    "indicator_codes",
    "cities",
)


def _source_figures(member_ids: Any) -> dict[int, dict[str, Any]]:
    """A network's figures per source of its ads, over that source's ads alone: the count, the
    latest sighting, the highest risk and minor score, whether any is a possible minor, the
    riskiest ad (the lead), the indicators of the NETWORK_SCORE_SAMPLE riskiest and the first six
    place names in order. A few grouped queries, however many sources."""
    from django.db.models import Count, F, Window
    from django.db.models.functions import RowNumber

    from maps.models import AdLocation, Precision

    figures: dict[int, dict[str, Any]] = {}
    for row in (
        Ad.objects.filter(pk__in=member_ids)
        .values("source_id")
        .annotate(size=Count("pk"), last=Max("last_seen_at"))
    ):
        figures[row["source_id"]] = {
            "size": row["size"],
            "risk": None,
            "minor": None,
            "possible_minor": False,
            "last_seen_at": row["last"],
            "lead_ad_id": None,
            "indicator_codes": "",
            "cities": [],
        }
    ranked = (
        AdScore.objects.filter(ad_id__in=member_ids)
        .annotate(
            source_id=F("ad__source_id"),
            rank=Window(
                RowNumber(),
                partition_by=[F("ad__source_id")],
                order_by=[F("risk").desc(nulls_last=True), F("ad_id").asc()],
            ),
        )
        .filter(rank__lte=NETWORK_SCORE_SAMPLE)
        .values_list("source_id", "ad_id", "risk", "minor", "possible_minor", "indicator_codes")
        .order_by("source_id", "rank")
    )
    codes: dict[int, list[str]] = {}
    for source_id, ad_id, risk, minor, possible_minor, indicator_codes in ranked:
        row = figures[source_id]
        if row["lead_ad_id"] is None:
            row["lead_ad_id"] = ad_id
        if risk is not None:
            row["risk"] = risk if row["risk"] is None else max(row["risk"], risk)
        if minor is not None:
            row["minor"] = minor if row["minor"] is None else max(row["minor"], minor)
        row["possible_minor"] = row["possible_minor"] or bool(possible_minor)
        codes.setdefault(source_id, []).extend(indicator_codes or [])
    for source_id, found in codes.items():
        figures[source_id]["indicator_codes"] = _codes_text(found)
    places: dict[int, set[str]] = {}
    for source_id, name in (
        AdLocation.objects.filter(ad_id__in=member_ids)
        .exclude(precision=Precision.UNKNOWN)
        .exclude(name="")
        .values_list("ad__source_id", "name")
        .distinct()
    ):
        places.setdefault(source_id, set()).add(name)
    for source_id, names in places.items():
        if source_id in figures:
            figures[source_id]["cities"] = sorted(names)[:6]
    return figures


# Every item's source rows at once, as `_sync_sources` writes them item by item: the migration
# that added the figures fills them with it, and so does bench/pages.py after its bulk load.
SOURCE_FIGURES_SQL = f"""
WITH members AS (
    SELECT q.id AS item_id, a.id AS ad_id, a.source_id, a.last_seen_at, q.kind
    FROM cases_queueitem q
    JOIN analytics_adnetwork m ON m.network_id = q.network_id
    JOIN ads_ad a ON a.id = m.ad_id
    WHERE q.kind = 'network'
    UNION ALL
    SELECT q.id, a.id, a.source_id, a.last_seen_at, q.kind
    FROM cases_queueitem q JOIN ads_ad a ON a.id = q.ad_id
    WHERE q.kind = 'ad'
), sized AS (
    SELECT item_id, source_id, count(*) AS n, max(last_seen_at) AS last
    FROM members GROUP BY item_id, source_id
), ranked AS (
    SELECT mb.item_id, mb.source_id, s.ad_id, s.risk, s.minor, s.possible_minor,
           s.indicator_codes,
           row_number() OVER (PARTITION BY mb.item_id, mb.source_id
                              ORDER BY s.risk DESC NULLS LAST, s.ad_id) AS rank
    FROM members mb JOIN analytics_adscore s ON s.ad_id = mb.ad_id
), top AS (
    SELECT item_id, source_id, max(risk) AS risk, max(minor) AS minor,
           bool_or(possible_minor) AS pm, min(ad_id) FILTER (WHERE rank = 1) AS lead
    FROM ranked WHERE rank <= {NETWORK_SCORE_SAMPLE} GROUP BY item_id, source_id
), codes AS (
    SELECT item_id, source_id,
           ' ' || string_agg(DISTINCT c COLLATE "C", ' ' ORDER BY c COLLATE "C") || ' ' AS codes
    FROM ranked, jsonb_array_elements_text(indicator_codes) AS c
    WHERE rank <= {NETWORK_SCORE_SAMPLE} AND c <> ''
    GROUP BY item_id, source_id
), names AS (
    SELECT DISTINCT mb.item_id, mb.source_id, l.name
    FROM members mb JOIN maps_adlocation l ON l.ad_id = mb.ad_id
    WHERE mb.kind = 'network' AND l.precision <> 'unknown' AND l.name <> ''
), places AS (
    SELECT item_id, source_id,
           jsonb_agg(name ORDER BY name COLLATE "C") FILTER (WHERE k <= 6) AS cities
    FROM (SELECT *, row_number() OVER (PARTITION BY item_id, source_id
                                       ORDER BY name COLLATE "C") AS k FROM names) AS n
    GROUP BY item_id, source_id
)
UPDATE cases_queueitemsource qs
SET size = sized.n, last_seen_at = sized.last, risk = top.risk, minor = top.minor,
    possible_minor = coalesce(top.pm, false), lead_ad_id = top.lead,
    indicator_codes = coalesce(codes.codes, ''),
    cities = coalesce(places.cities, '[]'::jsonb)
FROM sized
LEFT JOIN top USING (item_id, source_id)
LEFT JOIN codes USING (item_id, source_id)
LEFT JOIN places USING (item_id, source_id)
WHERE qs.item_id = sized.item_id AND qs.source_id = sized.source_id
"""  # noqa: S608 - constant SQL


def source_figures_fill() -> None:
    """Fill every item's source rows (set-based on PostgreSQL; item by item elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(SOURCE_FIGURES_SQL)
        return
    for item in QueueItem.objects.filter(kind=ItemKind.NETWORK):
        members = AdNetwork.objects.filter(network_id=item.network_id).values("ad_id")
        _sync_sources(item, _source_figures(members))
    for item in QueueItem.objects.filter(kind=ItemKind.AD).select_related("ad__score"):
        _sync_sources(item, _ad_figures(item.ad, getattr(item.ad, "score", None)))


def _ad_figures(ad: Ad, score: AdScore | None) -> dict[int, dict[str, Any]]:
    """A single-ad item's one source row."""
    return {
        ad.source_id: {
            "size": 1,
            "risk": score.risk if score else None,
            "minor": score.minor if score else None,
            "possible_minor": bool(score and score.possible_minor),
            "last_seen_at": ad.last_seen_at,
            "lead_ad_id": ad.pk,
            "indicator_codes": _codes_text(score.indicator_codes or []) if score else "",
            "cities": [],
        }
    }


def _upsert_ad_item(ad: Ad, score: AdScore) -> None:
    from maps.models import AdLocation

    location = AdLocation.objects.filter(ad_id=ad.pk).values_list("name", flat=True).first()
    values: dict[str, object] = {
        "risk": score.risk,
        "minor": score.minor,
        "possible_minor": score.possible_minor,
        "size": 1,
        "last_seen_at": ad.last_seen_at,
        "location": (location or ad.location_text)[:300],
        "indicator_codes": _codes_text(score.indicator_codes or []),
        "reason": score.reason,
        "title": (ad.title or ad.body[:120])[:300],
        "lead_ad_id": ad.pk,
    }
    values["priority"] = queue_priority(
        risk=score.risk, possible_minor=score.possible_minor, size=1
    )
    item = QueueItem.objects.filter(kind=ItemKind.AD, ad_id=ad.pk).first()
    now = timezone.now()
    if item is None:
        item = QueueItem.objects.create(
            kind=ItemKind.AD, ad_id=ad.pk, created_at=now, updated_at=now, **values
        )
        QueueItemEvent.objects.create(
            item=item,
            kind=EventKind.CREATED,
            to_status=item.status,
            detail={"risk": score.risk, "minor": score.minor},
        )
        logger.info("ad %s entered the queue as item %s", ad.pk, item.pk)
    elif _apply_snapshot(item, values):
        item.updated_at = now
        item.save()
    _sync_sources(item, _ad_figures(ad, score))


# --- networks that linking merged, split or dissolved -------------------------------------------
# When two items become one, the more advanced in triage is kept. An escalated item is tied to a
# case. An item in review is being worked on, and a dismissal covered only part of the merged
# network, so it gives way to an open review (victims first) but outranks an untouched item.
_TRIAGE_RANK = {
    ItemStatus.NEW: 0,
    ItemStatus.DISMISSED: 1,
    ItemStatus.IN_REVIEW: 2,
    ItemStatus.ESCALATED: 3,
}
RESHAPED_PER_RUN = 500


def networks_reshaped_sync(*, wait: bool = True) -> int:
    """Move, split or close the queue items of networks linking has reshaped; returns how many.

    One queue item per network: the item of an absorbed network follows the survivor (keeping
    its status, assignment, notes, decisions and history; of two items the more advanced in
    triage is kept and takes the other's history), a part split off a queued network gets its
    own item with its origin in the history, and the flagged ads that left a network alone get
    single-ad items. On PostgreSQL it runs under the linking stage's advisory lock so it sees
    networks between linking batches. The queue stage calls it with `wait=False` (it already
    holds row locks, so it must not wait on linking: a busy lock leaves the work to the next
    batch or the periodic task); the periodic task waits.
    """
    if not Network.objects.filter(reshaped=True).exists():
        return 0
    from analytics.stages import ADVISORY_LOCK_KEY

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if wait:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
                else:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
                    if not cursor.fetchone()[0]:
                        return 0
        pending = list(Network.objects.filter(reshaped=True).order_by("pk")[:RESHAPED_PER_RUN])
        live = [n for n in pending if n.merged_into_id is None]
        for network in live:
            _network_items_merge(network)
        pending_ids = {n.pk for n in pending}
        for network in live:
            split_off = [
                n.pk for n in live if n.split_from_id == network.pk and n.pk in pending_ids
            ]
            _network_item_reshape(network, split_off=split_off)
        Network.objects.filter(pk__in=pending_ids).update(reshaped=False, left_ads=[])
    return len(pending)


def _network_items_merge(network: Network) -> None:
    """One item for the network: absorbed networks' items follow it, two become one."""
    items = list(
        QueueItem.objects.filter(kind=ItemKind.NETWORK)
        .filter(Q(network_id=network.pk) | Q(network__merged_into_id=network.pk))
        .order_by("pk")
    )
    if not items or (len(items) == 1 and items[0].network_id == network.pk):
        return
    keeper = max(
        items,
        key=lambda i: (
            _TRIAGE_RANK.get(ItemStatus(i.status), 0),
            i.assignee_id is not None,
            i.network_id == network.pk,
            -i.pk,
        ),
    )
    now = timezone.now()
    for other in items:
        if other.pk == keeper.pk:
            continue
        QueueItemEvent.objects.filter(item=other).update(item=keeper)
        Decision.objects.filter(item=other).update(item=keeper)
        if keeper.case_id is None and other.case_id is not None:
            keeper.case_id = other.case_id
        held = f", held by user {other.assignee_id}" if other.assignee_id else ""
        QueueItemEvent.objects.create(
            item=keeper,
            kind=EventKind.UPDATED,
            from_status=keeper.status,
            to_status=keeper.status,
            text=(
                f"Network {other.network_id} merged into network {network.pk}: its queue item "
                f"{other.pk} ({other.get_status_display()}{held}) was folded into this one, "
                "with its notes and history."
            ),
            detail={
                "merged_network": other.network_id,
                "merged_item": other.pk,
                "merged_status": other.status,
                "merged_assignee": other.assignee_id,
                "merged_case": other.case_id,
                "into_network": network.pk,
            },
        )
        logger.info(
            "network %s: queue item %s folded into item %s", network.pk, other.pk, keeper.pk
        )
        other.delete()
    if keeper.network_id != network.pk:
        QueueItemEvent.objects.create(
            item=keeper,
            kind=EventKind.UPDATED,
            from_status=keeper.status,
            to_status=keeper.status,
            text=f"Network {keeper.network_id} merged into network {network.pk}; the item follows.",
            detail={"from_network": keeper.network_id, "into_network": network.pk},
        )
        logger.info(
            "queue item %s moved from network %s to network %s",
            keeper.pk,
            keeper.network_id,
            network.pk,
        )
        keeper.network_id = network.pk
    keeper.updated_at = now
    keeper.save()


def _network_item_reshape(network: Network, *, split_off: list[int]) -> None:
    """Refresh the item of a split, grown or dissolved network; queue the parts and lone ads."""
    origin: QueueItem | None = None
    if network.split_from_id is not None:
        parent = network.split_from
        seen: set[int] = set()
        while parent is not None and parent.merged_into_id and parent.pk not in seen:
            seen.add(parent.pk)
            parent = parent.merged_into
        if parent is not None:
            origin = QueueItem.objects.filter(kind=ItemKind.NETWORK, network=parent).first()
    item = QueueItem.objects.filter(kind=ItemKind.NETWORK, network_id=network.pk).first()
    if item is not None and (split_off or network.left_ads):
        parts = ", ".join(str(pk) for pk in split_off) or "none"
        QueueItemEvent.objects.create(
            item=item,
            kind=EventKind.UPDATED,
            from_status=item.status,
            to_status=item.status,
            text=(
                f"Network split after a revision removed links: new networks {parts}; "
                f"{len(network.left_ads)} ads no longer linked."
            ),
            detail={"split_off": split_off, "left_ads": network.left_ads},
        )
    if not AdNetwork.objects.filter(network_id=network.pk).exists():
        if item is not None:
            _network_item_dissolve(item, network)
    else:
        _upsert_network_item(network, origin=origin)
    if network.left_ads:
        alone = Ad.objects.filter(pk__in=network.left_ads, network_membership__isnull=True)
        scores = {s.ad_id: s for s in AdScore.objects.filter(ad__in=alone)}
        for ad in alone:
            if _reviewable(scores.get(ad.pk)):
                _upsert_ad_item(ad, scores[ad.pk])


def _network_item_dissolve(item: QueueItem, network: Network) -> None:
    """No two ads of the network are linked any more: the item stays for its history, sunk."""
    if item.size == 0:
        return
    QueueItemEvent.objects.create(
        item=item,
        kind=EventKind.UPDATED,
        from_status=item.status,
        to_status=item.status,
        text="Network dissolved: a revision removed the links; its ads are reviewed one by one.",
        detail={"dissolved_network": network.pk, "from_size": item.size},
    )
    item.size = 0
    item.priority = 0.0
    item.title = f"Dissolved network {network.pk} (no linked ads)"
    item.reason = "The ads of this network are no longer linked."
    item.updated_at = timezone.now()
    item.save()
    logger.info("network %s dissolved; queue item %s kept for its history", network.pk, item.pk)


def network_item_title(*, size: int, places: str) -> str:
    """A network item's title, stored by this stage and recomputed for a viewer who sees part
    of the network (cases.selectors.queue_items_as_seen)."""
    return f"Network of {size} ads in {places or 'unknown places'}"[:300]


def network_item_reason(*, size: int, risks: list[float], codes: str) -> str:
    reason = f"{size} linked ads; highest risk {max(risks):.2f}" if risks else f"{size} linked ads"
    return reason + (f"; indicators: {codes.strip()}" if codes else "")


def network_item_places(cities: Iterable[str]) -> str:
    return ", ".join(c for c in [str(c) for c in cities][:6] if c)


def _upsert_network_item(network: Network, *, origin: QueueItem | None = None) -> None:
    from maps.models import AdLocation

    member_ids = AdNetwork.objects.filter(network_id=network.pk).values("ad_id")
    top = list(
        AdScore.objects.filter(ad_id__in=member_ids)
        .order_by("-risk", "ad_id")
        .values("ad_id", "risk", "minor", "possible_minor", "flagged", "indicator_codes", "reason")[
            :NETWORK_SCORE_SAMPLE
        ]
    )
    item = QueueItem.objects.filter(kind=ItemKind.NETWORK, network_id=network.pk).first()
    # A network with no flagged ad enters no queue, but an item it already has stays current.
    if item is None and not any(row["flagged"] or row["possible_minor"] for row in top):
        return
    agg = Ad.objects.filter(pk__in=member_ids).aggregate(last=Max("last_seen_at"))
    size = network.size or AdNetwork.objects.filter(network_id=network.pk).count()
    risks = [row["risk"] for row in top if row["risk"] is not None]
    minors = [row["minor"] for row in top if row["minor"] is not None]
    possible_minor = any(row["possible_minor"] for row in top)
    lead = top[0]["ad_id"] if top else None
    cities = [str(c) for c in (network.cities or [])][:6]
    if not cities and lead is not None:
        name = AdLocation.objects.filter(ad_id=lead).values_list("name", flat=True).first()
        cities = [name or ""]
    codes = _codes_text(c for row in top for c in (row["indicator_codes"] or []))
    places = network_item_places(cities)
    values: dict[str, object] = {
        "risk": max(risks) if risks else None,
        "minor": max(minors) if minors else None,
        "possible_minor": possible_minor,
        "size": size,
        "last_seen_at": network.last_seen_at or agg["last"] or timezone.now(),
        "location": places[:300],
        "indicator_codes": codes,
        # A network can span units: its row carries no ad's own words (titles and reasons quote
        # ad text), only figures; each reviewer opens the ads they may see.
        "reason": network_item_reason(size=size, risks=risks, codes=codes),
        "title": network_item_title(size=size, places=places),
        "lead_ad_id": lead,
    }
    values["priority"] = queue_priority(
        risk=values["risk"], possible_minor=possible_minor, size=size
    )
    now = timezone.now()
    if item is None:
        item = QueueItem.objects.create(
            kind=ItemKind.NETWORK, network_id=network.pk, created_at=now, updated_at=now, **values
        )
        detail: dict[str, object] = {"size": size, "risk": values["risk"]}
        text = ""
        if origin is not None:
            detail.update(split_from_network=origin.network_id, split_from_item=origin.pk)
            text = (
                f"Split off network {origin.network_id} (queue item {origin.pk}, "
                f"{origin.get_status_display()}) when a revision removed the links joining them."
            )
        QueueItemEvent.objects.create(
            item=item, kind=EventKind.CREATED, to_status=item.status, text=text, detail=detail
        )
        logger.info("network %s entered the queue as item %s", network.pk, item.pk)
    else:
        old_size = item.size
        if _apply_snapshot(item, values):
            item.updated_at = now
            item.save()
            if old_size != size:
                QueueItemEvent.objects.create(
                    item=item,
                    kind=EventKind.UPDATED,
                    from_status=item.status,
                    to_status=item.status,
                    text=(
                        f"Network {'grew' if size > old_size else 'shrank'} from {old_size} "
                        f"to {size} ads."
                    ),
                    detail={"from_size": old_size, "to_size": size},
                )
    _sync_sources(item, _source_figures(member_ids))
    # Ads that were queued alone before linking found their network: an untouched single-ad item
    # is folded into the network's; one a reviewer already worked on is kept for its history.
    QueueItem.objects.filter(
        kind=ItemKind.AD, ad_id__in=member_ids, status=ItemStatus.NEW, assignee__isnull=True
    ).delete()
