"""Writes for the desk: the queue stage, claiming and triage, cases, watchlists and alerts.

Every write that changes a queue item adds a QueueItemEvent in the same transaction, and every write
to a case adds a CaseEvent, so the history is complete by construction.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from ads.models import Ad, Entity, EntityKind
from analytics.models import AdNetwork, AdScore, Network

from .models import (
    OPEN_STATUSES,
    Alert,
    Case,
    CaseCounter,
    CaseEvent,
    CaseMember,
    Decision,
    DecisionKind,
    EventKind,
    Frequency,
    ItemKind,
    ItemStatus,
    QueueItem,
    QueueItemEvent,
    QueueItemSource,
    SavedView,
    WatchKind,
    Watchlist,
)

if TYPE_CHECKING:
    from accounts.models import Unit, User

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
    for network in Network.objects.filter(pk__in=networks):
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


def _sync_sources(item: QueueItem, source_ids: set[int]) -> None:
    """Keep the item's source set (which decides who sees it) equal to its ads' sources."""
    current = set(QueueItemSource.objects.filter(item=item).values_list("source_id", flat=True))
    if current == source_ids:
        return
    QueueItemSource.objects.filter(item=item).exclude(source_id__in=source_ids).delete()
    QueueItemSource.objects.bulk_create(
        [QueueItemSource(item=item, source_id=s) for s in source_ids - current],
        ignore_conflicts=True,
    )


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
    _sync_sources(item, {ad.source_id})


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
    places = ", ".join(c for c in cities if c)
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
        "reason": (
            f"{size} linked ads; highest risk {max(risks):.2f}" if risks else f"{size} linked ads"
        )
        + (f"; indicators: {codes.strip()}" if codes else ""),
        "title": f"Network of {size} ads in {places or 'unknown places'}"[:300],
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
    _sync_sources(
        item,
        set(Ad.objects.filter(pk__in=member_ids).values_list("source_id", flat=True).distinct()),
    )
    # Ads that were queued alone before linking found their network: an untouched single-ad item
    # is folded into the network's; one a reviewer already worked on is kept for its history.
    QueueItem.objects.filter(
        kind=ItemKind.AD, ad_id__in=member_ids, status=ItemStatus.NEW, assignee__isnull=True
    ).delete()


# --- claiming and triage ------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimResult:
    """Whether the claim succeeded, and who holds the item now."""

    claimed: bool
    item: QueueItem
    holder: User | None


def queue_item_claim(*, item: QueueItem, user: User) -> ClaimResult:
    """Claim an open item with one conditional update: of two claimers exactly one wins."""
    now = timezone.now()
    with transaction.atomic():
        won = QueueItem.objects.filter(
            Q(assignee__isnull=True) | Q(assignee=user),
            pk=item.pk,
            status__in=OPEN_STATUSES,
        ).update(assignee=user, claimed_at=now, status=ItemStatus.IN_REVIEW, updated_at=now)
        fresh = QueueItem.objects.select_related("assignee").get(pk=item.pk)
        if won and not (item.assignee_id == user.pk and item.status == ItemStatus.IN_REVIEW):
            QueueItemEvent.objects.create(
                item=fresh,
                actor=user,
                kind=EventKind.CLAIMED,
                from_status=item.status,
                to_status=ItemStatus.IN_REVIEW,
            )
    if not won:
        logger.info(
            "item %s: claim by user %s refused, held by %s", item.pk, user.pk, fresh.assignee_id
        )
    return ClaimResult(claimed=bool(won), item=fresh, holder=fresh.assignee)


def _can_override(user: User) -> bool:
    return user.is_supervisor or user.is_platform_admin


def queue_item_release(*, item: QueueItem, user: User) -> QueueItem:
    """Give an item back to the queue (its holder, or a supervisor)."""
    with transaction.atomic():
        query = QueueItem.objects.filter(pk=item.pk, status=ItemStatus.IN_REVIEW)
        if not _can_override(user):
            query = query.filter(assignee=user)
        if not query.update(
            assignee=None, claimed_at=None, status=ItemStatus.NEW, updated_at=timezone.now()
        ):
            raise PermissionDenied("Only the holder or a supervisor can release this item.")
        QueueItemEvent.objects.create(
            item=item,
            actor=user,
            kind=EventKind.RELEASED,
            from_status=ItemStatus.IN_REVIEW,
            to_status=ItemStatus.NEW,
        )
    return QueueItem.objects.get(pk=item.pk)


def queue_item_assign(*, item: QueueItem, assignee: User, by: User) -> QueueItem:
    """A supervisor hands an open item to an investigator who can see it."""
    if not _can_override(by):
        raise PermissionDenied("Only supervisors assign items.")
    if not QueueItem.objects.visible_to(assignee).filter(pk=item.pk).exists():
        raise ValidationError("That investigator cannot see this item.")
    with transaction.atomic():
        if not QueueItem.objects.filter(pk=item.pk, status__in=OPEN_STATUSES).update(
            assignee=assignee,
            claimed_at=timezone.now(),
            status=ItemStatus.IN_REVIEW,
            updated_at=timezone.now(),
        ):
            raise ValidationError("The item is no longer open.")
        QueueItemEvent.objects.create(
            item=item,
            actor=by,
            kind=EventKind.ASSIGNED,
            from_status=item.status,
            to_status=ItemStatus.IN_REVIEW,
            detail={"assignee": assignee.get_username(), "assignee_id": assignee.pk},
        )
    return QueueItem.objects.get(pk=item.pk)


def queue_item_note(*, item: QueueItem, user: User, text: str) -> QueueItemEvent:
    text = text.strip()
    if not text:
        raise ValidationError("A note needs text.")
    return QueueItemEvent.objects.create(
        item=item,
        actor=user,
        kind=EventKind.NOTE,
        from_status=item.status,
        to_status=item.status,
        text=text[:5000],
    )


def queue_item_set_due(*, item: QueueItem, user: User, due_at: datetime | None) -> QueueItem:
    with transaction.atomic():
        QueueItem.objects.filter(pk=item.pk).update(due_at=due_at, updated_at=timezone.now())
        QueueItemEvent.objects.create(
            item=item,
            actor=user,
            kind=EventKind.DUE,
            from_status=item.status,
            to_status=item.status,
            detail={"due_at": due_at.isoformat() if due_at else None},
        )
    return QueueItem.objects.get(pk=item.pk)


def queue_item_decide(
    *,
    item: QueueItem,
    user: User,
    decision: str,
    reason: str = "",
    case: Case | None = None,
    case_title: str = "",
) -> QueueItem:
    """Record a decision: "not a lead" dismisses (reason required), the others escalate to a case.

    Only the holder decides (or a supervisor); the conditional update means a decision made in
    another tab or by a supervisor in the meantime is not silently overwritten.
    """
    if decision not in DecisionKind.values:
        raise ValidationError("Unknown decision.")
    reason = reason.strip()
    dismiss = decision == DecisionKind.NOT_A_LEAD
    if dismiss and not reason:
        raise ValidationError("Say why the item is not a lead.")
    status = ItemStatus.DISMISSED if dismiss else ItemStatus.ESCALATED
    with transaction.atomic():
        query = QueueItem.objects.filter(pk=item.pk, status__in=OPEN_STATUSES)
        if not _can_override(user):
            query = query.filter(assignee=user)
        locked = query.select_for_update().first()
        if locked is None:
            raise PermissionDenied(
                "Claim the item before deciding on it (or it was decided already)."
            )
        record = Decision.objects.create(
            item=locked, decision=decision, reason=reason[:5000], by=user
        )
        if not dismiss:
            if case is None:
                case = case_create(
                    title=case_title or f"Lead: {locked.title}"[:200], unit=user.unit, by=user
                )
            case_add_item(case=case, item=locked, by=user)
        QueueItem.objects.filter(pk=locked.pk).update(
            status=status,
            decision=record,
            case=None if dismiss else case,
            updated_at=timezone.now(),
        )
        QueueItemEvent.objects.create(
            item=locked,
            actor=user,
            kind=EventKind.DISMISSED if dismiss else EventKind.ESCALATED,
            from_status=locked.status,
            to_status=status,
            text=reason[:5000],
            detail={
                "decision": decision,
                "decision_id": record.pk,
                "case": case.number if case and not dismiss else None,
            },
        )
    logger.info("item %s decided %s by user %s", item.pk, decision, user.pk)
    return QueueItem.objects.get(pk=item.pk)


def queue_item_reopen(*, item: QueueItem, user: User, reason: str) -> QueueItem:
    """A supervisor sends a decided item back to the queue; its label stops counting."""
    if not _can_override(user):
        raise PermissionDenied("Only supervisors reopen items.")
    with transaction.atomic():
        if (
            not QueueItem.objects.filter(pk=item.pk)
            .exclude(status__in=OPEN_STATUSES)
            .update(
                status=ItemStatus.NEW,
                assignee=None,
                claimed_at=None,
                decision=None,
                updated_at=timezone.now(),
            )
        ):
            raise ValidationError("The item is still open.")
        QueueItemEvent.objects.create(
            item=item,
            actor=user,
            kind=EventKind.REOPENED,
            from_status=item.status,
            to_status=ItemStatus.NEW,
            text=reason,
        )
    return QueueItem.objects.get(pk=item.pk)


def saved_view_save(*, user: User, name: str, query: str) -> SavedView:
    name = name.strip()[:100]
    if not name:
        raise ValidationError("Name the view.")
    view, _ = SavedView.objects.update_or_create(
        user=user, name=name, defaults={"query": query[:1000]}
    )
    return view


# --- cases --------------------------------------------------------------------------------------
def _next_case_number(year: int) -> str:
    CaseCounter.objects.get_or_create(year=year)
    counter = CaseCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def case_create(
    *, title: str, unit: Unit | None, by: User, members: Sequence[User] = (), summary: str = ""
) -> Case:
    """Open a case with the next number of the year (2026-000123)."""
    title = title.strip()
    if not title:
        raise ValidationError("A case needs a title.")
    now = timezone.now()
    for attempt in range(3):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=_next_case_number(now.year),
                    title=title[:200],
                    unit=unit,
                    summary=summary,
                    created_by=by,
                )
                for user in {by, *members}:
                    CaseMember.objects.create(case=case, user=user)
                CaseEvent.objects.create(case=case, actor=by, kind="opened", text=title[:200])
            logger.info("case %s opened by user %s", case.number, by.pk)
            return case
        except IntegrityError:
            # Two first cases of a year raced to create the counter row; take the next number.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def case_add_item(*, case: Case, item: QueueItem, by: User) -> None:
    """Bring a queue item's ad or network (with the identifiers found in it) into a case."""
    with transaction.atomic():
        if item.kind == ItemKind.AD and item.ad_id:
            case.ads.add(item.ad_id)
            entity_ids = Entity.objects.filter(occurrences__ad_id=item.ad_id).values_list(
                "pk", flat=True
            )
            target = f"ad {item.ad_id}"
        else:
            case.networks.add(item.network_id)
            entity_ids = Entity.objects.filter(
                occurrences__ad__network_membership__network_id=item.network_id,
                kind__in=[EntityKind.PHONE, EntityKind.EMAIL, EntityKind.HANDLE],
            ).values_list("pk", flat=True)[:500]
            target = f"network {item.network_id}"
        case.entities.add(*set(entity_ids))
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        CaseEvent.objects.create(
            case=case,
            actor=by,
            kind="item_added",
            text=f"Added {target}",
            detail={"queue_item": item.pk},
        )


def case_add_ads(*, case: Case, ads: Sequence[Ad], by: User) -> None:
    with transaction.atomic():
        case.ads.add(*ads)
        CaseEvent.objects.create(
            case=case,
            actor=by,
            kind="ads_added",
            text=f"Added {len(ads)} ad(s)",
            detail={"ads": [a.pk for a in ads]},
        )


def case_add_member(*, case: Case, user: User, by: User) -> None:
    if not user.is_investigator:
        raise ValidationError("Only investigators and supervisors can be case members.")
    with transaction.atomic():
        _, created = CaseMember.objects.get_or_create(case=case, user=user)
        if created:
            CaseEvent.objects.create(
                case=case,
                actor=by,
                kind="member_added",
                text=f"Added {user.get_username()}",
                detail={"user_id": user.pk},
            )


def case_add_note(*, case: Case, by: User, text: str) -> CaseEvent:
    text = text.strip()
    if not text:
        raise ValidationError("A note needs text.")
    return CaseEvent.objects.create(case=case, actor=by, kind="note", text=text[:5000])


def case_set_status(*, case: Case, status: str, by: User) -> Case:
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=status, updated_at=timezone.now())
        CaseEvent.objects.create(case=case, actor=by, kind="status", text=f"Status: {status}")
    return Case.objects.get(pk=case.pk)


# --- watchlists and alerts ----------------------------------------------------------------------
def normalise_phone(text: str, region: str = "US") -> str | None:
    """E.164 for anything phonenumbers accepts as possible ("(702) 555-0134", "+1 702…")."""
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if sum(ch.isdigit() for ch in digits) < 7:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def watch_value_normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind == WatchKind.PHONE:
        phone = normalise_phone(value)
        if phone is None:
            raise ValidationError("Not a phone number.")
        return phone
    if kind in {WatchKind.EMAIL, WatchKind.HANDLE}:
        return value.lower().lstrip("@")
    if kind == WatchKind.KEYWORD:
        if len(value) < 3:
            raise ValidationError("A keyword needs at least 3 characters.")
        return value.lower()
    return ""


def watchlist_create(
    *,
    user: User,
    kind: str,
    value: str = "",
    label: str = "",
    frequency: str = Frequency.IMMEDIATE,
    bbox: tuple[float, float, float, float] | None = None,
) -> Watchlist:
    """Watch an identifier, a keyword or a box (min_lat, min_lng, max_lat, max_lng)."""
    if kind not in WatchKind.values or frequency not in Frequency.values:
        raise ValidationError("Unknown watch kind or frequency.")
    box: dict[str, float | None] = dict.fromkeys(("min_lat", "min_lng", "max_lat", "max_lng"))
    if kind == WatchKind.AREA:
        if bbox is None:
            raise ValidationError("An area needs a bounding box.")
        min_lat, min_lng, max_lat, max_lng = bbox
        if not (-90 <= min_lat < max_lat <= 90 and -180 <= min_lng < max_lng <= 180):
            raise ValidationError("The bounding box is not valid.")
        box = {"min_lat": min_lat, "min_lng": min_lng, "max_lat": max_lat, "max_lng": max_lng}
    normalised = watch_value_normalise(kind, value)
    return Watchlist.objects.create(
        user=user,
        kind=kind,
        value=normalised,
        label=(label or value or "area")[:200],
        frequency=frequency,
        **box,
    )


def _matching_ads(watchlist: Watchlist, ad_ids: Sequence[int]) -> list[int]:
    ads = Ad.objects.visible_to(watchlist.user).filter(pk__in=ad_ids)
    value = watchlist.value
    if watchlist.kind == WatchKind.PHONE:
        ads = ads.filter(
            occurrences__entity__kind=EntityKind.PHONE, occurrences__entity__value=value
        )
    elif watchlist.kind == WatchKind.EMAIL:
        ads = ads.filter(
            occurrences__entity__kind=EntityKind.EMAIL, occurrences__entity__value=value
        )
    elif watchlist.kind == WatchKind.HANDLE:
        ads = ads.filter(
            Q(occurrences__entity__value=value)
            | Q(occurrences__entity__value__endswith=f":{value}"),
            occurrences__entity__kind=EntityKind.HANDLE,
        )
    elif watchlist.kind == WatchKind.KEYWORD:
        ads = ads.filter(Q(title__icontains=value) | Q(body__icontains=value))
    else:
        ads = ads.filter(
            location__lat__gte=watchlist.min_lat,
            location__lat__lte=watchlist.max_lat,
            location__lng__gte=watchlist.min_lng,
            location__lng__lte=watchlist.max_lng,
        )
    return sorted(set(ads.values_list("pk", flat=True)))


def watchlists_match_ads(*, ad_ids: Sequence[int]) -> list[Alert]:
    """Alerts for the new ads that match active watchlists, only among ads the watcher may see.

    Immediate watchlists are e-mailed straight away (after commit); digests wait for their task.
    """
    created: list[Alert] = []
    if not ad_ids:
        return created
    for watchlist in Watchlist.objects.filter(active=True, user__is_active=True).select_related(
        "user"
    ):
        matches = _matching_ads(watchlist, ad_ids)
        if not matches:
            continue
        existing = set(
            Alert.objects.filter(watchlist=watchlist, ad_id__in=matches).values_list(
                "ad_id", flat=True
            )
        )
        new = [
            Alert(watchlist=watchlist, ad_id=ad_id) for ad_id in matches if ad_id not in existing
        ]
        Alert.objects.bulk_create(new, ignore_conflicts=True)
        created += new
        if new:
            logger.info("watchlist %s matched ads %s", watchlist.pk, [a.ad_id for a in new])
    immediate = {a.watchlist_id for a in created if a.watchlist.frequency == Frequency.IMMEDIATE}
    if immediate:
        transaction.on_commit(
            lambda: [
                watchlist_send(watchlist=w)
                for w in Watchlist.objects.filter(pk__in=immediate).select_related("user")
            ]
        )
    return created


def watchlist_send(*, watchlist: Watchlist) -> int:
    """E-mail the watcher the alerts not yet sent; returns how many.

    The mail carries links and counts, never ad text or identifiers: mailboxes are less guarded than
    the platform, and the link opens the ad behind the same access rules and audit.
    """
    alerts = list(
        Alert.objects.filter(watchlist=watchlist, emailed_at__isnull=True).order_by("pk")[:200]
    )
    if not alerts:
        return 0
    now = timezone.now()
    if watchlist.user.email:
        base = getattr(settings, "SITE_URL", "").rstrip("/")
        lines = [
            f"{len(alerts)} new ad(s) matched your watchlist #{watchlist.pk} ({watchlist.kind}).",
            "",
        ]
        lines += [f"{base}{reverse('cases:ad', args=[a.ad_id])}" for a in alerts]
        send_mail(
            subject=f"[Leads] {len(alerts)} new match(es) for watchlist #{watchlist.pk}",
            message="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[watchlist.user.email],
        )
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=now)
    Watchlist.objects.filter(pk=watchlist.pk).update(last_sent_at=now)
    return len(alerts)


DIGEST_PERIOD = {Frequency.HOURLY: timedelta(hours=1), Frequency.DAILY: timedelta(days=1)}


def watchlists_send_digests(*, now: datetime | None = None) -> int:
    """Send the hourly and daily digests that are due; returns the number of alerts sent."""
    now = now or timezone.now()
    sent = 0
    for frequency, period in DIGEST_PERIOD.items():
        due = Watchlist.objects.filter(
            frequency=frequency, active=True, alerts__emailed_at__isnull=True
        )
        due = due.filter(
            Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - period)
        ).distinct()
        for watchlist in due.select_related("user"):
            sent += watchlist_send(watchlist=watchlist)
    return sent


def alerts_mark_read(*, user: User, alert_ids: Sequence[int]) -> int:
    return Alert.objects.filter(
        watchlist__user=user, pk__in=alert_ids, read_at__isnull=True
    ).update(read_at=timezone.now())
