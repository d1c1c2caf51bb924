"""Periodic audit work."""

from __future__ import annotations

from celery import shared_task

from . import services
from .checkpoints import audit_checkpoint_write


@shared_task(name="audit.tasks.audit_checkpoint")
def audit_checkpoint() -> str:
    """Write a signed checkpoint of the audit chain outside the database."""
    return str(audit_checkpoint_write())


@shared_task(name="audit.tasks.audit_flush_tallies")
def audit_flush_tallies() -> int:
    """Write the counted anonymous and denied events into the chain."""
    return services.audit_flush_tallies()
