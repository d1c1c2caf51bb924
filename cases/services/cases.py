"""Cases: opening one, bringing items and members in, notes and status.

Every write to a case adds a CaseEvent in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

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
                kind__in=list(POSTER_KINDS),
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
