"""`manage.py verify_audit_chain [--checkpoints DIR]`: recompute the HMAC chain and compare it with
the signed checkpoints kept outside the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.checkpoints import verify_against_checkpoints
from audit.services import audit_flush_tallies, audit_verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit trail's HMAC chain; with --checkpoints, also against the signed "
        "checkpoints (finds deleted newest or oldest events). Exits 1 on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            default=None,
            help="directory of checkpoint files written by audit_checkpoint",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        audit_flush_tallies()  # counted anonymous and denied events join the chain first
        checked, problems = audit_verify_chain()
        lines = [f"event {p.event_id}: {p.problem}" for p in problems]
        read = 0
        if options["checkpoints"] is not None:
            read, cp_problems = verify_against_checkpoints(options["checkpoints"])
            lines += [f"checkpoint {p.checkpoint}: {p.problem}" for p in cp_problems]
        for line in lines:
            self.stderr.write(line)
        if lines:
            raise CommandError(f"audit chain BROKEN: {len(lines)} problem(s) in {checked} events")
        against = f", consistent with {read} checkpoint(s)" if read else ""
        self.stdout.write(
            self.style.SUCCESS(f"audit chain verified: {checked} events, no problems{against}")
        )
