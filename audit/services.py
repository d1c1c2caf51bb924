"""Writes to the audit trail. A failed audit write raises, so the request it records fails too."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, AuditSeen, AuditTally, Outcome

logger = logging.getLogger(__name__)

_CHAINED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "justification",
    "detail",
    "ip",
)


def _canonical(event: AuditEvent) -> bytes:
    values: dict[str, Any] = {}
    for name in _CHAINED_FIELDS:
        value = getattr(event, name)
        values[name] = value.isoformat() if name == "at" else value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str).encode()


def _digest(canonical: bytes, prev_digest: str) -> str:
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, prev_digest.encode() + b"|" + canonical, hashlib.sha256).hexdigest()


def event_digest(*, event: AuditEvent, prev_digest: str) -> str:
    return _digest(_canonical(event), prev_digest)


# Attacker-chosen text (usernames tried at login, query parameters) is bounded before it is stored:
# an audit row must not be a way to write megabytes, or characters PostgreSQL refuses (U+0000).
MAX_TEXT_CHARS = 300
MAX_ITEMS = 200
_MAX_DEPTH = 4


def bounded_text(value: str, limit: int = MAX_TEXT_CHARS) -> str:
    """`value` without NUL characters, cut to `limit` characters (with a marker) when longer."""
    text = value.replace("\x00", "\\u0000")
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def bounded_detail(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of `value` with every string, list and mapping bounded."""
    if isinstance(value, str):
        return bounded_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= _MAX_DEPTH:
        return bounded_text(str(value))
    if isinstance(value, dict):
        items = list(value.items())
        out = {
            bounded_text(str(k), 100): bounded_detail(v, depth + 1) for k, v in items[:MAX_ITEMS]
        }
        if len(items) > MAX_ITEMS:
            out["_truncated_keys"] = len(items) - MAX_ITEMS
        return out
    if isinstance(value, list | tuple | set | frozenset):
        seq = list(value)
        out_list = [bounded_detail(v, depth + 1) for v in seq[:MAX_ITEMS]]
        if len(seq) > MAX_ITEMS:
            out_list.append(f"... {len(seq) - MAX_ITEMS} more")
        return out_list
    return bounded_text(str(value))


def record_id(value: Any) -> str:
    """A record id as the audit trail stores it: decimal digits of any script as ASCII
    ("٤٠١" -> "401", "007" -> "7"), anything else as given (bounded)."""
    text = str(value).strip()
    if text.isdecimal() and len(text) <= 30:
        return str(int(text))
    return bounded_text(text, 100)


def seen_records(seen: Mapping[str, Iterable[Any]] | None) -> dict[str, list[str]]:
    """`seen` normalised: per record type, the distinct ids (ASCII digits) in numeric order."""
    out: dict[str, list[str]] = {}
    for object_type, ids in (seen or {}).items():
        values = {record_id(i) for i in ids if i is not None and str(i) != ""}
        if values:
            out[object_type] = sorted(values, key=lambda v: (len(v), v))
    return out


def seen_digest(ids: list[str]) -> str:
    return hashlib.sha256(",".join(ids).encode()).hexdigest()


def audit_record(
    *,
    actor: Any = None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = Outcome.SUCCESS,
    justification: str = "",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    seen: Mapping[str, Iterable[Any]] | None = None,
) -> AuditEvent:
    """Append one event to the chain; raises on any failure so that the caller fails too.

    `seen` names the records the response showed ({"ad": [ids], ...}): each becomes an
    AuditSeen row ("who has seen ad X"), and the chained detail carries their count and digest.
    """
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    records = seen_records(seen)
    detail = dict(detail or {})
    if records:
        detail["seen"] = {
            kind: {"count": len(ids), "sha256": seen_digest(ids)} for kind, ids in records.items()
        }
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor.pk if is_user else None,
        actor_username=bounded_text(actor.get_username(), 150) if is_user else "",
        actor_role=getattr(actor, "role", "") if is_user else "",
        action=action,
        object_type=object_type,
        object_id=record_id(object_id) if object_id != "" else "",
        outcome=outcome,
        justification=bounded_text(justification, 500),
        detail=json.loads(json.dumps(bounded_detail(detail), default=str)),
        ip=ip,
    )
    # Everything that does not depend on the chain head is done before the head is locked: the
    # lock serialises every audited call in every process, so it is held for as little as possible
    # (one locking read, one insert, one update, the commit) and the statements are plain SQL
    # rather than ORM queries compiled while other writers wait.
    canonical = _canonical(event)
    with transaction.atomic():
        prev_digest = _lock_head()
        event.prev_digest = prev_digest
        event.digest = _digest(canonical, prev_digest)
        _insert(event)
        _advance_head(event)
        if records:
            AuditSeen.objects.bulk_create(
                [
                    AuditSeen(event_id=event.pk, object_type=kind, object_id=i)
                    for kind, ids in records.items()
                    for i in ids
                ],
                batch_size=1000,
            )
    return event


_INSERTED_FIELDS = (*_CHAINED_FIELDS, "prev_digest", "digest")


def _lock_head() -> str:
    """Lock the chain head (created on first use) and return the last digest."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT last_digest FROM {table} WHERE id = 1{lock}"  # noqa: S608 - no user input
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            AuditChainHead.objects.get_or_create(pk=1)
            cursor.execute(sql)
            row = cursor.fetchone()
    return row[0]


def _insert(event: AuditEvent) -> None:
    """INSERT the event with each field prepared exactly as the ORM would prepare it."""
    meta = AuditEvent._meta
    fields = [meta.get_field(name) for name in _INSERTED_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - no user input
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {quote('id')}" if returning else sql, values)
        event.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    event._state.adding = False
    event._state.db = connection.alias


def _advance_head(event: AuditEvent) -> None:
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_event_id = %s, last_digest = %s WHERE id = 1",  # noqa: S608
            [event.pk, event.digest],
        )


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_ip(request: Any) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind a trusted proxy the nearest untrusted hop of
    X-Forwarded-For (what the proxy appended; hops a client wrote itself come before it).

    The audit trail, the login lockout and the throttles all take the address from here.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    if not remote or not _is_trusted_proxy(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted_proxy(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


def audit_request(request: Any, **kwargs: Any) -> AuditEvent:
    """`audit_record` for the user and address of a request."""
    return audit_record(actor=getattr(request, "user", None), ip=client_ip(request), **kwargs)


def audit_tally(
    *, action: str, outcome: str, ip: str | None, username: str = "", endpoint: str = ""
) -> None:
    """Count one anonymous or denied event (no chain write, no chain-head lock).

    A flood of unauthenticated calls would otherwise write a chained row each, all serialised on
    the chain head. The count, with the first and last time, reaches the chain when the tallies are
    flushed (beat, and before every audit review or verification).
    """
    key = {
        "action": action,
        "outcome": outcome,
        "ip": ip or "",
        "username": bounded_text(username, 150),
        "endpoint": bounded_text(endpoint, 100),
    }
    now = timezone.now()
    if AuditTally.objects.filter(**key).update(count=F("count") + 1, last_at=now):
        return
    try:
        with transaction.atomic():
            AuditTally.objects.create(**key, count=1, first_at=now, last_at=now)
    except IntegrityError:  # another request created it first
        AuditTally.objects.filter(**key).update(count=F("count") + 1, last_at=now)


def audit_flush_tallies() -> int:
    """Write every tally into the chain as one event carrying its count; returns events written."""
    written = 0
    while True:
        with transaction.atomic():
            rows = list(AuditTally.objects.select_for_update().order_by("pk")[:500])
            if not rows:
                return written
            for row in rows:
                audit_record(
                    action=row.action,
                    outcome=row.outcome,
                    ip=row.ip or None,
                    detail={
                        "aggregated": row.count,
                        "first_at": row.first_at.isoformat(),
                        "last_at": row.last_at.isoformat(),
                        "username": row.username,
                        "endpoint": row.endpoint,
                    },
                )
            AuditTally.objects.filter(pk__in=[row.pk for row in rows]).delete()
            written += len(rows)


@dataclass(frozen=True)
class ChainProblem:
    """One place where the chain does not verify."""

    event_id: int | None
    problem: str


def audit_verify_chain(*, batch_size: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Recompute every digest in order; report edited, inserted, reordered or deleted events."""
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_prev = head.genesis_digest if head else "0" * 64
    problems: list[ChainProblem] = []
    checked = 0
    last_id = 0
    last_digest = expected_prev
    while True:
        batch = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            break
        for event in batch:
            checked += 1
            if event.prev_digest != expected_prev:
                problems.append(
                    ChainProblem(event.pk, "previous event missing or altered (chain broken)")
                )
            if not hmac.compare_digest(
                event.digest, event_digest(event=event, prev_digest=event.prev_digest)
            ):
                problems.append(
                    ChainProblem(event.pk, "event content was edited (digest mismatch)")
                )
            expected_prev = event.digest
            last_digest = event.digest
            last_id = event.pk
        problems.extend(_seen_problems(batch))
    if head is None and checked:
        problems.append(ChainProblem(None, "the chain head row is missing (deleted)"))
    if head is not None and head.last_digest != last_digest:
        problems.append(
            ChainProblem(head.last_event_id, "newest events were deleted (head mismatch)")
        )
    if head is not None and head.genesis_digest != "0" * 64:
        problems.extend(_genesis_problems(head.genesis_digest))
    return checked, problems


def _seen_problems(batch: list[AuditEvent]) -> list[ChainProblem]:
    """Each event's AuditSeen rows match the count and digest its chained detail records."""
    rows: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for event_id, kind, object_id in AuditSeen.objects.filter(
        event_id__in=[e.pk for e in batch]
    ).values_list("event_id", "object_type", "object_id"):
        rows[event_id][kind].append(object_id)
    problems = []
    for event in batch:
        recorded = event.detail.get("seen") if isinstance(event.detail, dict) else None
        stored = rows.get(event.pk, {})
        expected = {
            kind: (v.get("count"), v.get("sha256"))
            for kind, v in (recorded or {}).items()
            if isinstance(v, dict)
        }
        actual = {
            kind: (len(ids), seen_digest(sorted(ids, key=lambda i: (len(i), i))))
            for kind, ids in stored.items()
        }
        if expected != actual:
            problems.append(
                ChainProblem(event.pk, "the records this event showed were altered (seen rows)")
            )
    return problems


def _genesis_problems(genesis: str) -> list[ChainProblem]:
    """The genesis digest moves only by an audited purge, which names the digest it moved to."""
    purges = AuditEvent.objects.filter(action="retention.purge", object_type="audit_event")
    last = purges.order_by("-pk").first()
    if last is None:
        return [ChainProblem(None, "oldest events were deleted without an audited purge")]
    recorded = last.detail.get("genesis_digest") if isinstance(last.detail, dict) else None
    if recorded is not None and not hmac.compare_digest(str(recorded), genesis):
        return [ChainProblem(last.pk, "oldest events were deleted beyond the last audited purge")]
    return []


def audit_purge_expired(*, actor: Any = None, dry_run: bool = False) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS (1 year or more); the chain stays checkable."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        _lock_head()
        expired = AuditEvent.objects.filter(at__lt=cutoff).order_by("pk")
        last = expired.last()
        count = expired.count()
        if dry_run or last is None:
            return count
        AuditEvent.objects.filter(pk__lte=last.pk).delete()
        AuditChainHead.objects.filter(pk=1).update(genesis_digest=last.digest)
    audit_record(
        actor=actor,
        action="retention.purge",
        object_type="audit_event",
        detail={
            "deleted": count,
            "through_event": last.pk,
            "cutoff": cutoff.isoformat(),
            "genesis_digest": last.digest,
        },
    )
    return count
