"""The audit trail is tamper-evident: edits, deletions and truncation are found."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_flush_tallies, audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [
        audit_record(action="record.view", object_type="ad", object_id=i, detail={"i": i})
        for i in range(n)
    ]


def test_an_untouched_chain_verifies(db):
    _events(5)
    checked, problems = audit_verify_chain()
    assert (checked, problems) == (5, [])
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "5 events, no problems" in out.getvalue()


def test_an_edited_event_is_found(db):
    events = _events(4)
    AuditEvent.objects.filter(pk=events[1].pk).update(actor_username="someone-else")
    _, problems = audit_verify_chain()
    assert [(p.event_id, "edited" in p.problem) for p in problems] == [(events[1].pk, True)]
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit_chain", stdout=StringIO(), stderr=StringIO())


def test_a_deleted_event_is_found(db):
    events = _events(4)
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    _, problems = audit_verify_chain()
    assert (
        problems and problems[0].event_id == events[3].pk and "chain broken" in problems[0].problem
    )


def test_deleting_the_newest_events_is_found(db):
    events = _events(4)
    AuditEvent.objects.filter(pk=events[3].pk).delete()
    _, problems = audit_verify_chain()
    assert any("head mismatch" in p.problem for p in problems)


def test_a_rewritten_chain_without_the_key_is_found(db, settings):
    _events(3)
    settings.AUDIT_HMAC_KEY = "attacker-does-not-know-the-real-key"
    _, problems = audit_verify_chain()
    assert len(problems) == 3


def test_a_failed_audit_write_fails_the_caller(db, monkeypatch):
    audit_record(action="record.view")

    def broken_head_update(*args, **kwargs):
        raise RuntimeError("disk full")

    # The event row is already inserted when the head update fails: both roll back together.
    monkeypatch.setattr("audit.services._advance_head", broken_head_update)
    with pytest.raises(RuntimeError):
        audit_record(action="record.view")
    assert AuditEvent.objects.count() == 1
    assert audit_verify_chain() == (1, [])


def test_events_read_back_exactly_as_written_and_the_head_follows(db):
    event = audit_record(
        action="api.call",
        object_type="ad",
        object_id=7,
        detail={"params": {"q": "x"}, "returned": ["1", "2"], "n": 2},
        ip="127.0.0.1",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.detail, stored.ip, stored.at, stored.digest) == (
        {"params": {"q": "x"}, "returned": ["1", "2"], "n": 2},
        "127.0.0.1",
        event.at,
        event.digest,
    )
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_event_id, head.last_digest) == (event.pk, event.digest)
    second = audit_record(action="api.call", ip="::1")
    assert second.prev_digest == event.digest
    assert audit_verify_chain() == (2, [])


def test_logins_and_failed_logins_are_audited(actors, client):
    client.post("/accounts/login/", {"username": "inv-a", "password": "wrong"})
    client.post(
        "/accounts/login/", {"username": "inv-a", "password": "correct-horse-battery-staple-42"}
    )
    audit_flush_tallies()  # failed logins are counted, then written in aggregate
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "outcome"))
    assert ("auth.login_failed", "failure") in actions
    assert ("auth.login", "success") in actions
