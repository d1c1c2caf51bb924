"""`manage.py purge_expired [--dry-run]`: apply the retention period (RETENTION_DAYS)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from ads.retention import ads_purge_expired
from audit.services import audit_purge_expired


class Command(BaseCommand):
    help = "Purge ads not in a case after RETENTION_DAYS, audit events after AUDIT_RETENTION_DAYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would go; delete nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        report = ads_purge_expired(dry_run=dry_run)
        audit_events = audit_purge_expired(dry_run=dry_run)
        verb = "would purge" if dry_run else "purged"
        self.stdout.write(
            f"{verb}: {json.dumps({**report.to_json(), 'audit_events': audit_events})}"
        )
