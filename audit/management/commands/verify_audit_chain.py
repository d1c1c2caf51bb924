"""`manage.py verify_audit_chain`: recompute the HMAC chain; report edited or deleted events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's HMAC chain; exits 1 when any event was edited or deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = audit_verify_chain()
        for problem in problems:
            self.stderr.write(f"event {problem.event_id}: {problem.problem}")
        if problems:
            raise CommandError(
                f"audit chain BROKEN: {len(problems)} problem(s) in {checked} events"
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit chain verified: {checked} events, no problems")
        )
