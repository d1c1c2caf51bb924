"""Nobody can flood the audit trail: anonymous and refused calls are counted and written in
aggregate, a refused flood is throttled before any view, and failed logins store no
attacker-chosen names (issue #19 M5)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from audit.models import AuditChainHead, AuditEvent, AuditTally
from audit.services import audit_flush_tallies, audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_seven_hundred_anonymous_api_calls_write_no_chained_row_until_flushed(
    actors, settings
) -> None:
    settings.DENIED_CALLS_PER_MINUTE = 10_000
    client = Client(REMOTE_ADDR="203.0.113.9")
    heads = AuditChainHead.objects.filter(pk=1).values_list("last_event_id", flat=True)
    head_before = heads.first()
    events_before = AuditEvent.objects.count()
    for _ in range(700):
        assert client.get("/api/v1/investigator/ads/").status_code == 401
    assert AuditEvent.objects.count() == events_before
    assert heads.first() == head_before  # the chain head was never locked for them
    assert audit_flush_tallies() == 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.outcome, event.ip, event.detail["aggregated"]) == ("denied", "203.0.113.9", 700)
    assert event.detail["endpoint"] == "api:investigator-ads-list"
    assert AuditTally.objects.count() == 0
    assert audit_verify_chain()[1] == []


def test_a_flood_of_refused_calls_is_throttled_before_any_view(actors, settings) -> None:
    settings.DENIED_CALLS_PER_MINUTE = 20
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get("/api/v1/investigator/ads/").status_code for _ in range(50)]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    throttled = client.get("/api/v1/investigator/ads/")
    assert int(throttled["Retry-After"]) > 0
    audit_flush_tallies()
    assert AuditEvent.objects.get(action="api.call").detail["aggregated"] == 20
    # Another address and a signed-in investigator are not affected.
    assert Client(REMOTE_ADDR="198.51.100.7").get("/api/v1/investigator/ads/").status_code == 401
    assert actors.client_for("investigator_a").get("/api/v1/investigator/ads/").status_code == 200


def test_failed_logins_are_counted_per_account_and_never_store_invented_names(actors) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(30):
        client.post("/accounts/login/", {"username": f"attacker-text-{i}", "password": "x"})
    for _ in range(3):
        client.post("/accounts/login/", {"username": "inv-b", "password": "x"})
    audit_flush_tallies()
    rows = {
        e.detail["username"]: e.detail["aggregated"]
        for e in AuditEvent.objects.filter(action="auth.login_failed")
    }
    assert rows == {"(no such account)": 30, "inv-b": 3}
    assert not AuditEvent.objects.filter(detail__icontains="attacker-text").exists()


def test_authenticated_denied_calls_are_still_audited_one_by_one(actors) -> None:
    client = actors.client_for("partner_x")
    assert client.get("/api/v1/investigator/ads/").status_code == 403
    assert AuditEvent.objects.filter(actor_username="partner-x", outcome="denied").count() == 1
