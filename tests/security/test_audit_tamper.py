"""Truncating the audit chain is found, with the checkpoints kept outside the database
(issue #19 M1). Each case tampers with the database the way someone with write access could."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.checkpoints import audit_checkpoint_write, verify_against_checkpoints
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_purge_expired, audit_record, audit_verify_chain


def _events(n: int) -> list[AuditEvent]:
    return [audit_record(action="record.view", object_type="ad", object_id=i) for i in range(n)]


def _verify(directory: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", checkpoints=directory, stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def chain(db, tmp_path) -> tuple[list[AuditEvent], Path]:
    events = _events(10)
    directory = tmp_path / "checkpoints"
    audit_checkpoint_write(directory=directory)
    return events, directory


def test_an_untouched_chain_verifies_against_its_checkpoints(chain) -> None:
    events, directory = chain
    _events(3)  # events after the checkpoint are fine
    out = StringIO()
    call_command("verify_audit_chain", checkpoints=directory, stdout=out, stderr=StringIO())
    assert "13 events, no problems, consistent with 1 checkpoint(s)" in out.getvalue()


def test_checkpoint_files_are_written_once_and_read_only(chain) -> None:
    _, directory = chain
    (path,) = directory.glob("audit-checkpoint-*.json")
    assert path.stat().st_mode & 0o222 == 0
    assert json.loads(path.read_text())["event_count"] == 10


def test_deleting_the_newest_events_and_rewriting_the_head_is_found(chain) -> None:
    events, directory = chain
    AuditEvent.objects.filter(pk__gt=events[6].pk).delete()
    AuditChainHead.objects.filter(pk=1).update(
        last_event_id=events[6].pk, last_digest=events[6].digest
    )
    assert audit_verify_chain()[1] == []  # the chain alone cannot tell
    assert "missing" in _verify(directory)


def test_deleting_the_head_row_is_found(chain) -> None:
    _, directory = chain
    AuditChainHead.objects.all().delete()
    assert "head row is missing" in _verify(directory)


def test_deleting_the_oldest_events_and_moving_the_genesis_is_found(chain) -> None:
    events, directory = chain
    AuditEvent.objects.filter(pk__lte=events[3].pk).delete()
    AuditChainHead.objects.filter(pk=1).update(genesis_digest=events[3].digest)
    problems = _verify(directory)
    assert "without an audited purge" in problems
    assert "missing" in problems


def test_deleting_every_event_is_found(chain) -> None:
    _, directory = chain
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.filter(pk=1).update(last_event_id=0, last_digest="0" * 64)
    assert audit_verify_chain() == (0, [])
    assert "missing" in _verify(directory)


def test_an_altered_checkpoint_file_is_refused(chain) -> None:
    _, directory = chain
    (path,) = directory.glob("audit-checkpoint-*.json")
    values = json.loads(path.read_text())
    values["event_count"] = 3
    path.chmod(0o644)
    path.write_text(json.dumps(values))
    _, problems = verify_against_checkpoints(directory)
    assert [p.problem for p in problems] == ["signature does not match (file altered)"]


def test_an_audited_retention_purge_still_verifies_against_older_checkpoints(
    db, tmp_path, settings
) -> None:
    from audit.services import event_digest

    events = _events(10)
    old = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 5)
    AuditEvent.objects.filter(pk__lte=events[4].pk).update(at=old)
    # Moving `at` edits the events: sign them again as if they had been written back then.
    prev = AuditChainHead.objects.get(pk=1).genesis_digest
    for event in AuditEvent.objects.order_by("pk"):
        event.prev_digest = prev
        event.digest = event_digest(event=event, prev_digest=prev)
        event.save(update_fields=["prev_digest", "digest"])
        prev = event.digest
    AuditChainHead.objects.filter(pk=1).update(last_digest=prev)
    directory = tmp_path / "checkpoints"
    audit_checkpoint_write(directory=directory)
    _events(2)
    audit_checkpoint_write(directory=directory)
    assert audit_purge_expired() == 5
    out = StringIO()
    call_command("verify_audit_chain", checkpoints=directory, stdout=out, stderr=StringIO())
    assert "consistent with 2 checkpoint(s)" in out.getvalue()


def test_verifying_against_an_empty_directory_is_an_error(db, tmp_path) -> None:
    _events(1)
    assert "no checkpoint files" in _verify(tmp_path)
