"""Lockout by (account, address) with the address from a trusted proxy, and an idle clock that
never logs an active user out (issue #19 L6, L9)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from audit.models import AuditEvent
from audit.services import audit_flush_tallies
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def _fail(client: Client, username: str, times: int = 5, **extra: str) -> None:
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, **extra)


def _login(client: Client, username: str, **extra: str) -> int:
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD}, **extra
    ).status_code


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(actors) -> None:
    _fail(Client(REMOTE_ADDR="203.0.113.9"), "inv-a")
    assert _login(Client(REMOTE_ADDR="203.0.113.9"), "inv-a") == 429
    assert _login(Client(REMOTE_ADDR="198.51.100.7"), "inv-a") == 302


def test_failures_for_one_account_do_not_lock_others_behind_the_same_address(actors) -> None:
    _fail(Client(REMOTE_ADDR="203.0.113.9"), "inv-a")
    assert _login(Client(REMOTE_ADDR="203.0.113.9"), "inv-b") == 302


def test_behind_a_trusted_proxy_each_client_is_locked_on_its_own(actors, settings) -> None:
    import ipaddress

    settings.TRUSTED_PROXY_NETWORKS = (ipaddress.ip_network(PROXY),)
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    _fail(Client(REMOTE_ADDR=PROXY), "inv-a", **attacker)
    assert _login(Client(REMOTE_ADDR=PROXY), "inv-a", **attacker) == 429
    colleague = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _login(Client(REMOTE_ADDR=PROXY), "inv-a", **colleague) == 302
    audit_flush_tallies()
    failed = AuditEvent.objects.filter(action="auth.login_failed").first()
    assert failed is not None and failed.ip == "203.0.113.9"


def test_a_forged_forwarded_header_from_an_untrusted_address_is_ignored(actors, settings) -> None:
    settings.TRUSTED_PROXY_NETWORKS = ()
    _fail(Client(REMOTE_ADDR="203.0.113.9"), "inv-a", HTTP_X_FORWARDED_FOR="1.2.3.4")
    audit_flush_tallies()
    assert AuditEvent.objects.filter(action="auth.login_failed", ip="1.2.3.4").count() == 0
    assert AuditEvent.objects.filter(action="auth.login_failed", ip="203.0.113.9").count() == 1
    assert _login(Client(REMOTE_ADDR="203.0.113.9"), "inv-a") == 429


def test_an_active_user_is_not_logged_out_under_a_short_idle_limit(actors, settings) -> None:
    settings.SESSION_IDLE_SECONDS = 60
    client = actors.client_for("investigator_a")
    assert client.get("/cases/").status_code == 200
    session = client.session
    session["last_seen_at"] = int(time.time()) - 45  # active 45 s ago: inside the limit
    session.save()
    assert client.get("/cases/").status_code == 200
    # The idle clock moved on, so a request 20 s later (65 s after the old mark) still passes.
    assert client.session["last_seen_at"] >= int(time.time()) - 2
