"""Claiming and triage of queue items, and saved queue views.

Every write that changes a queue item adds a QueueItemEvent in the same transaction, so the
history is complete by construction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import (
    OPEN_STATUSES,
    Case,
    Decision,
    DecisionKind,
    EventKind,
    ItemStatus,
    QueueItem,
    QueueItemEvent,
    SavedView,
)
from cases.selectors import related_open_cases
from cases.services.cases import case_add_item, case_create

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


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
        if not dismiss and case is None and not case_title.strip():
            # "True lead" with no case named would open yet another case for a poster an open
            # case already follows: offer those first (a title still opens a new one).
            related = related_open_cases(user=user, item=locked)
            if related:
                numbers = ", ".join(c.number for c in related)
                raise ValidationError(
                    f"Open cases already hold this ad, its network or its identifiers "
                    f"({numbers}): choose one below, or give a title to open a new case."
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
