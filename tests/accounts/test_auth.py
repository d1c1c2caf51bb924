"""Authentication: lockout, password rules, session timeouts, logout."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_five_failed_logins_lock_the_account(actors):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "inv-a", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "inv-a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_password_signs_in(actors):
    client = Client()
    response = client.post("/accounts/login/", {"username": "inv-a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200


@pytest.mark.parametrize("password", ["short-pw1", "password1234", "123456789012345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    assert validate_password("violet-harbour-lantern-93") is None  # raises when refused


def test_an_idle_session_expires(actors, settings):
    client = actors.client_for("investigator_a")
    assert client.get("/cases/").status_code == 200
    session = client.session
    session["last_seen_at"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/cases/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert client.get("/cases/").status_code == 302


def test_a_session_older_than_the_absolute_limit_expires(actors, settings):
    client = actors.client_for("investigator_a")
    client.get("/cases/")
    session = client.session
    session["started_at"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    assert client.get("/cases/").status_code == 302


def test_logout_invalidates_the_old_session_cookie(actors):
    client = actors.client_for("investigator_a")
    client.get("/cases/")
    old_cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    thief = Client()
    thief.cookies["sessionid"] = old_cookie
    assert thief.get("/cases/").status_code == 302


def test_roles_that_need_a_second_factor_are_sent_to_it(actors, settings):
    settings.OTP_REQUIRED_ROLES = ["auditor"]
    response = actors.client_for("auditor").get("/admin/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/otp/")


def test_a_user_with_an_enrolled_device_passes_the_second_factor(actors, settings):
    from io import StringIO

    from django.core.management import call_command
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_REQUIRED_ROLES = ["auditor"]
    out = StringIO()
    call_command("enroll_totp", "auditor", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    device = TOTPDevice.objects.get(user=actors.auditor)
    client = actors.client_for("auditor")
    assert client.post("/accounts/otp/", {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the next try for a second
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post("/accounts/otp/", {"token": token})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_api_stays_up_when_the_throttle_cache_is_down(actors, monkeypatch):
    from accounts.authentication import TokenRateThrottle

    class DownCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        set = add = incr = get

    monkeypatch.setattr(TokenRateThrottle, "cache", DownCache())
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    response = client.post(
        "/api/v1/ingest/",
        {"ads": [{"external_id": "1", "body": "x"}]},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_the_idle_clock_is_written_once_a_minute_not_on_every_page(actors, settings):
    from accounts.middleware import SESSION_TOUCH_SECONDS

    client = actors.client_for("investigator_a")
    assert client.get("/cases/").status_code == 200
    session = client.session
    recent = int(time.time()) - 5
    session["last_seen_at"] = recent
    session.save()
    assert client.get("/cases/").status_code == 200
    assert client.session["last_seen_at"] == recent  # a few seconds old: not rewritten
    session = client.session
    session["last_seen_at"] = int(time.time()) - SESSION_TOUCH_SECONDS - 1
    session.save()
    assert client.get("/cases/").status_code == 200
    assert client.session["last_seen_at"] >= int(time.time()) - 2  # a minute old: refreshed
