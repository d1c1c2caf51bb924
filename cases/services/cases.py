"""Cases: opening one, bringing items and members in, notes and status.

Every write to a case adds a CaseEvent in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ads.models import POSTER_KINDS, Entity
from cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseMember,
    CaseStatus,
    ItemKind,
    QueueItem,
)

if TYPE_CHECKING:
    from accounts.models import Unit, User

logger = logging.getLogger(__name__)


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


def _touch(case: Case, by: User, text: str, detail: dict) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    CaseEvent.objects.create(case=case, actor=by, kind="item_added", text=text, detail=detail)


def case_add_ad(*, case: Case, ad_id: int, by: User, detail: dict | None = None) -> None:
    """Bring an ad into a case, with every identifier found in it."""
    with transaction.atomic():
        case.ads.add(ad_id)
        entity_ids = Entity.objects.filter(occurrences__ad_id=ad_id).values_list("pk", flat=True)
        case.entities.add(*set(entity_ids))
        _touch(case, by, f"Added ad {ad_id}", {"ad": ad_id, **(detail or {})})


def case_add_network(*, case: Case, network_id: int, by: User, detail: dict | None = None) -> None:
    """Bring a network into a case, with the poster identifiers of its ads (at most 500)."""
    with transaction.atomic():
        case.networks.add(network_id)
        entity_ids = Entity.objects.filter(
            occurrences__ad__network_membership__network_id=network_id,
            kind__in=list(POSTER_KINDS),
        ).values_list("pk", flat=True)[:500]
        case.entities.add(*set(entity_ids))
        _touch(case, by, f"Added network {network_id}", {"network": network_id, **(detail or {})})


def case_add_entity(*, case: Case, entity: Entity, by: User) -> None:
    """Bring one identifier into a case (its ads stay where they are)."""
    with transaction.atomic():
        case.entities.add(entity.pk)
        _touch(
            case,
            by,
            f"Added {entity.get_kind_display().lower()} {entity.value}"[:200],
            {"entity": entity.pk},
        )


def case_add_item(*, case: Case, item: QueueItem, by: User) -> None:
    """Bring a queue item's ad or network (with the identifiers found in it) into a case."""
    if item.kind == ItemKind.AD and item.ad_id:
        case_add_ad(case=case, ad_id=item.ad_id, by=by, detail={"queue_item": item.pk})
    else:
        case_add_network(
            case=case, network_id=item.network_id, by=by, detail={"queue_item": item.pk}
        )


ATTACH_KINDS = ("ad", "network", "entity")


def case_attach(
    *,
    kind: str,
    target: Any,
    by: User,
    case: Case | None = None,
    case_title: str = "",
) -> Case:
    """Add an ad, network or identifier the user may see to an open case, or to a new case.

    The caller found `target` and `case` through querysets narrowed to the user.
    """
    if kind not in ATTACH_KINDS:
        raise ValidationError("Unknown kind of record.")
    if case is None:
        if not case_title.strip():
            raise ValidationError("Choose an open case, or give a title to open a new one.")
        case = case_create(title=case_title, unit=by.unit, by=by)
    elif case.status != CaseStatus.OPEN:
        raise ValidationError(f"Case {case.number} is closed: reopen it first.")
    if kind == "ad":
        case_add_ad(case=case, ad_id=target.pk, by=by)
    elif kind == "network":
        case_add_network(case=case, network_id=target.pk, by=by)
    else:
        case_add_entity(case=case, entity=target, by=by)
    return case


# One answer for a name that is no account, a disabled one and one that cannot be a member: the
# form must not tell which usernames exist or what role they hold (issue #19).
MEMBER_REFUSED = "No investigator or supervisor has that username."


def case_add_member(*, case: Case, user: User | None, by: User) -> None:
    if user is None or not user.is_active or not user.is_investigator:
        raise ValidationError(MEMBER_REFUSED)
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
        CaseEvent.objects.create(
            case=case, actor=by, kind="status", text=str(CaseStatus(status).label)
        )
    return Case.objects.get(pk=case.pk)
