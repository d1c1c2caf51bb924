"""Every login, failed login and logout goes into the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Action, Outcome
from audit.services import audit_record, client_ip


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    audit_record(
        actor=user,
        action=Action.LOGIN,
        object_type="user",
        object_id=user.pk,
        ip=client_ip(request),
    )


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    audit_record(
        action=Action.LOGIN_FAILED,
        object_type="user",
        outcome=Outcome.FAILURE,
        detail={"username": str(credentials.get("username", ""))[:150]},
        ip=client_ip(request),
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is not None:
        audit_record(
            actor=user,
            action=Action.LOGOUT,
            object_type="user",
            object_id=user.pk,
            ip=client_ip(request),
        )
