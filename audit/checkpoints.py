"""Signed checkpoints of the audit chain, kept outside the database.

The HMAC chain shows an edited or removed event in the middle, but someone with write access to the
database can cut its ends: delete the newest events and rewrite the chain head, or delete the oldest
ones and move the genesis digest. A checkpoint is a small signed file (event count, first and last
event id, last digest, genesis digest, time) written once into a directory the database cannot
change (a write-once mount, another host, and optionally an email to the auditors). Verifying the
chain against the checkpoints finds every cut made before the newest checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Max, Min
from django.utils import timezone

from .models import Action, AuditChainHead, AuditEvent

FORMAT_VERSION = 1
_SIGNED_FIELDS = (
    "version",
    "at",
    "event_count",
    "first_event_id",
    "last_event_id",
    "last_digest",
    "genesis_digest",
)


@dataclass(frozen=True)
class CheckpointProblem:
    """One way the database disagrees with a checkpoint."""

    checkpoint: str
    problem: str


def _signature(values: dict[str, Any]) -> str:
    payload = json.dumps({k: values[k] for k in _SIGNED_FIELDS}, sort_keys=True).encode()
    key = ("checkpoint|" + settings.AUDIT_HMAC_KEY).encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def checkpoint_values() -> dict[str, Any]:
    """The chain's state now, signed."""
    head = AuditChainHead.objects.filter(pk=1).first()
    stats = AuditEvent.objects.aggregate(first=Min("pk"), last=Max("pk"))
    last_id = stats["last"] or 0
    last_digest = (
        AuditEvent.objects.filter(pk=last_id).values_list("digest", flat=True).first()
        if last_id
        else (head.last_digest if head else "0" * 64)
    )
    values: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "at": timezone.now().isoformat(),
        "event_count": AuditEvent.objects.count(),
        "first_event_id": stats["first"] or 0,
        "last_event_id": last_id,
        "last_digest": last_digest,
        "genesis_digest": head.genesis_digest if head else "0" * 64,
    }
    values["signature"] = _signature(values)
    return values


def audit_checkpoint_write(*, directory: Path | None = None) -> Path:
    """Write one checkpoint file, once (never overwritten, read-only), and mail it if configured."""
    directory = Path(directory or settings.AUDIT_CHECKPOINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    values = checkpoint_values()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"audit-checkpoint-{stamp}-{values['last_event_id']}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle, sort_keys=True, indent=1)
        handle.write("\n")
    if settings.AUDIT_CHECKPOINT_EMAIL:
        send_mail(
            subject=(
                f"Audit checkpoint: {values['event_count']} events, last #{values['last_event_id']}"
            ),
            message=json.dumps(values, sort_keys=True, indent=1),
            from_email=None,
            recipient_list=list(settings.AUDIT_CHECKPOINT_EMAIL),
        )
    return path


def _load(path: Path) -> dict[str, Any] | None:
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(values, dict) or any(k not in values for k in (*_SIGNED_FIELDS, "signature")):
        return None
    return values


def _purges() -> list[dict[str, Any]]:
    """The chained retention purges of the audit trail, oldest first."""
    rows = AuditEvent.objects.filter(action=Action.PURGE, object_type="audit_event").order_by("pk")
    return [row.detail for row in rows if isinstance(row.detail, dict)]


def verify_against_checkpoints(directory: Path) -> tuple[int, list[CheckpointProblem]]:
    """Compare the database with every checkpoint in `directory`; (checkpoints read, problems)."""
    files = sorted(Path(directory).glob("audit-checkpoint-*.json"))
    problems: list[CheckpointProblem] = []
    if not files:
        problems.append(CheckpointProblem(str(directory), "no checkpoint files found"))
        return 0, problems
    purged_through = max((int(p.get("through_event", 0)) for p in _purges()), default=0)
    for path in files:
        values = _load(path)
        name = path.name
        if values is None:
            problems.append(CheckpointProblem(name, "unreadable or incomplete checkpoint file"))
            continue
        if not hmac.compare_digest(str(values["signature"]), _signature(values)):
            problems.append(CheckpointProblem(name, "signature does not match (file altered)"))
            continue
        last_id = int(values["last_event_id"])
        if last_id == 0:
            continue
        digest = AuditEvent.objects.filter(pk=last_id).values_list("digest", flat=True).first()
        if digest is None:
            if last_id > purged_through:
                problems.append(
                    CheckpointProblem(
                        name,
                        f"event {last_id}, the newest when this checkpoint was written, is missing "
                        "and no audited purge covers it (events were deleted)",
                    )
                )
        elif not hmac.compare_digest(digest, str(values["last_digest"])):
            problems.append(
                CheckpointProblem(name, f"event {last_id} differs from the checkpoint's digest")
            )
        kept = AuditEvent.objects.filter(pk__lte=last_id, pk__gt=purged_through).count()
        expected_max = int(values["event_count"])
        if int(values["first_event_id"]) > purged_through and kept < expected_max:
            problems.append(
                CheckpointProblem(
                    name,
                    f"{expected_max - kept} of the {expected_max} events this checkpoint "
                    "counted are missing and no audited purge covers them",
                )
            )
    return len(files), problems
