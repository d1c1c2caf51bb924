"""Audit events, each chained to the one before it by an HMAC so that edits and deletions show."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    LOGIN = "auth.login", "Login"
    LOGIN_FAILED = "auth.login_failed", "Failed login"
    LOGOUT = "auth.logout", "Logout"
    VIEW = "record.view", "View"
    SEARCH = "record.search", "Search"
    LIST = "record.list", "List"
    EXPORT = "record.export", "Export"
    IMAGE_REVEAL = "image.reveal", "Image reveal"
    CHANGE = "record.change", "Change"
    PERMISSION_CHANGE = "permission.change", "Permission change"
    API_CALL = "api.call", "API call"
    LOOKUP = "api.lookup", "Partner lookup"
    INGEST = "ingest.batch", "Ingest batch"
    PURGE = "retention.purge", "Retention purge"
    TOKEN = "token.change", "API token change"
    ACCESS_DENIED = "access.denied", "Access denied"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class AuditEvent(models.Model):
    """One sensitive event: who did what to which record, when, why, and with what outcome."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    justification = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"


class AuditSeen(models.Model):
    """One record that an audited page, list, search, export or API call showed: "who has seen
    ad X" finds every event that showed it. The event's chained detail carries the count and a
    digest of its records, so a row added, changed or removed here fails verification."""

    event = models.ForeignKey(AuditEvent, on_delete=models.CASCADE, related_name="seen")
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=100)  # ASCII digits, normalised ("٤٠١" -> "401")

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_seen_record")]

    def __str__(self) -> str:
        return f"event {self.event_id} showed {self.object_type} {self.object_id}"


class AuditChainHead(models.Model):
    """The single row that serialises audit writes and remembers the chain's two ends."""

    last_event_id = models.BigIntegerField(default=0)
    last_digest = models.CharField(max_length=64, default="0" * 64)
    # The prev_digest the oldest kept event must carry; moved forward only by an audited purge.
    genesis_digest = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head at #{self.last_event_id}"


class AuditTally(models.Model):
    """Anonymous and denied events counted, not chained one by one: a flood of unauthenticated
    calls costs one row update each and never waits on the chain head. `audit_flush_tallies`
    writes each tally into the chain as one event with its count."""

    action = models.CharField(max_length=40, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    ip = models.CharField(max_length=45, blank=True)  # "" when unknown; never NULL (unique key)
    username = models.CharField(max_length=150, blank=True)
    endpoint = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "outcome", "ip", "username", "endpoint"],
                name="audit_tally_one_row_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.outcome} from {self.ip or '-'} x{self.count}"
