"""Every login, failed login and logout goes into the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Action, Outcome
from audit.services import audit_record, audit_tally, client_ip

from .models import User


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
    # Counted per (account, address), not chained one by one: anyone can send failed logins. A name
    # that is no account is not stored as typed (it is attacker-chosen text).
    typed = str(credentials.get("username", ""))
    known = User.objects.filter(username=typed).exists() if typed and "\x00" not in typed else False
    audit_tally(
        action=Action.LOGIN_FAILED,
        outcome=Outcome.FAILURE,
        ip=client_ip(request),
        username=typed if known else "(no such account)",
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
