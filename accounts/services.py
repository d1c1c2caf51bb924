"""Writes for accounts: API tokens (shown once, stored hashed)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record

from .models import ApiToken, Scope, User


def api_token_create(
    *, user: User, name: str, scopes: list[str], by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored or shown again."""
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    prefix, secret = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=ApiToken.hash_secret(secret),
            scopes=sorted(scopes),
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
