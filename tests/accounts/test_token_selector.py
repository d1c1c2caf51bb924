"""The precompiled token read returns exactly what the ORM query it replaces returns."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.utils import timezone

from accounts.models import ApiToken, PartnerOrganisation, Role, User
from accounts.selectors import api_token_active
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def _fields(instance: Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _orm(prefix: str) -> ApiToken | None:
    return (
        ApiToken.objects.active()
        .select_related("user", "user__partner")
        .filter(prefix=prefix)
        .first()
    )


@pytest.fixture
def tokens():
    org = PartnerOrganisation.objects.create(name="NGO X", slug="ngo-x", region="NV")
    partner = User.objects.create_user(username="px", role=Role.PARTNER, partner=org)
    investigator = User.objects.create_user(username="ix", role=Role.INVESTIGATOR)
    partner_token, _ = api_token_create(user=partner, name="p", scopes=["read", "tips"])
    investigator_token, _ = api_token_create(user=investigator, name="i", scopes=["read"])
    ApiToken.objects.filter(pk=partner_token.pk).update(last_used_at=timezone.now())
    return partner_token, investigator_token


def test_same_token_user_and_partner_as_the_orm(tokens):
    for made in tokens:
        expected, got = _orm(made.prefix), api_token_active(made.prefix)
        assert got is not None and expected is not None
        assert _fields(got) == _fields(expected)
        assert _fields(got.user) == _fields(expected.user)
        assert got.scopes == expected.scopes and isinstance(got.scopes, list)
        if expected.user.partner is None:
            assert got.user.partner is None
        else:
            assert _fields(got.user.partner) == _fields(expected.user.partner)
    partner_token = api_token_active(tokens[0].prefix)
    assert partner_token.last_used_at is not None and partner_token.last_used_at.tzinfo
    assert partner_token.user.partner.slug == "ngo-x"


def test_revoked_tokens_inactive_users_and_unknown_prefixes_give_nothing(tokens):
    partner_token, investigator_token = tokens
    ApiToken.objects.filter(pk=partner_token.pk).update(revoked_at=timezone.now())
    User.objects.filter(pk=investigator_token.user_id).update(is_active=False)
    assert api_token_active(partner_token.prefix) is None
    assert api_token_active(investigator_token.prefix) is None
    assert api_token_active("nosuchpx") is None
    assert api_token_active("'; DROP TABLE accounts_apitoken; --") is None
    assert ApiToken.objects.count() == 2
