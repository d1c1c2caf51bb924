"""Writes for accounts: API tokens (shown once, stored hashed), a user's time zone."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user

from audit.models import Action
from audit.services import audit_record

from .models import ApiToken, Scope, User


def needs_second_factor(user: User) -> bool:
    """Whether `user`'s role must pass a second factor (pages and API tokens alike)."""
    return user.role in settings.OTP_REQUIRED_ROLES


def api_token_problem(*, user: User, scopes: list[str], second_factor_code: str = "") -> str:
    """Why a token with these scopes cannot be issued to `user` ("" when it can).

    Every token names its scopes: nothing is implied by the user's role. A role that must use a
    second factor gets a token only with a current code from the user's own confirmed device.
    """
    if not scopes:
        return "a token needs at least one scope"
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        return f"unknown scopes: {sorted(unknown)}"
    if needs_second_factor(user):
        devices = list(devices_for_user(user, confirmed=True))
        if not devices:
            return f"{user.role}s must enrol a second factor (manage.py enroll_totp) first"
        # Each device checks the code itself, with its own throttling of repeated failures.
        if not second_factor_code or not any(d.verify_token(second_factor_code) for d in devices):
            return f"a current second-factor code of {user.get_username()} is required"
    return ""


def api_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str],
    by: User | None = None,
    second_factor_code: str = "",
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored or shown again."""
    problem = api_token_problem(user=user, scopes=scopes, second_factor_code=second_factor_code)
    if problem:
        raise ValueError(problem)
    prefix, secret = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=ApiToken.hash_secret(secret),
            scopes=sorted(scopes),
            second_factor_at=timezone.now() if needs_second_factor(user) else None,
        )
        audit_record(
            actor=by,
            action=Action.TOKEN,
            object_type="api_token",
            object_id=token.pk,
            detail={"event": "created", "user": user.pk, "scopes": token.scopes},
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, by: User | None = None) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action=Action.TOKEN,
            object_type="api_token",
            object_id=token.pk,
            detail={"event": "revoked"},
        )
    return token


@cache
def time_zone_choices() -> tuple[str, ...]:
    """The IANA zone names a user may choose (zoneinfo's, sorted)."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """Show this user's pages in `time_zone` (an IANA name, or "" for the site's)."""
    if time_zone and time_zone not in time_zone_choices():
        raise ValueError(f"Unknown time zone: {time_zone[:64]!r}")
    with transaction.atomic():
        before = user.time_zone
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
        audit_record(
            actor=user,
            action=Action.CHANGE,
            object_type="user",
            object_id=user.pk,
            detail={"change": "time_zone", "from": before, "to": time_zone},
        )
    return user
