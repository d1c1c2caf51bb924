"""API tokens: explicit scopes for everyone, and a second factor for roles that need one
(issue #19 M7)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_token_with_no_scope_is_refused(actors) -> None:
    with pytest.raises(ValueError, match="at least one scope"):
        api_token_create(user=actors.investigator_a, name="none", scopes=[])


def test_an_admin_token_without_the_ads_scope_cannot_ingest(actors) -> None:
    _, secret = api_token_create(user=actors.admin, name="read-only", scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.post(
        "/api/v1/ingest/",
        {"source": "site-a", "ads": [{"external_id": "x", "body": "b"}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "'ads' scope" in response.json()["error"]["message"]


def test_roles_that_need_a_second_factor_get_no_token_without_a_current_code(
    actors, settings
) -> None:
    settings.OTP_REQUIRED_ROLES = ["admin", "auditor"]
    with pytest.raises(ValueError, match="enrol a second factor"):
        api_token_create(user=actors.admin, name="t", scopes=["read"])
    device = TOTPDevice.objects.create(user=actors.admin, name="phone", confirmed=True)
    with pytest.raises(ValueError, match="second-factor code"):
        api_token_create(user=actors.admin, name="t", scopes=["read"], second_factor_code="000000")
    device.refresh_from_db()
    device.throttle_reset()  # a failed code delays the next try (django-otp throttling)
    token, secret = api_token_create(
        user=actors.admin, name="t", scopes=["read"], second_factor_code=_code(device)
    )
    assert token.second_factor_at is not None
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/investigator/ads/").status_code == 200


def test_a_token_issued_before_the_role_required_a_second_factor_stops_working(
    actors, settings
) -> None:
    _, secret = api_token_create(user=actors.admin, name="old", scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/investigator/ads/").status_code == 200
    settings.OTP_REQUIRED_ROLES = ["admin", "auditor"]
    response = client.get("/api/v1/investigator/ads/")
    assert response.status_code == 401
    assert "second factor" in response.json()["error"]["message"]


def test_the_admin_token_form_offers_scopes_as_checkboxes(actors) -> None:
    page = actors.client_for("admin").get("/admin/accounts/apitoken/add/")
    assert page.status_code == 200
    assert b'type="checkbox" name="scopes" value="ads"' in page.content
