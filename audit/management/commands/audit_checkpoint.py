"""`manage.py audit_checkpoint [--dir DIR]`: write a signed checkpoint of the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.checkpoints import audit_checkpoint_write


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint (event count, last digest, time) of the audit chain into "
        "AUDIT_CHECKPOINT_DIR or --dir: a write-once location the database cannot change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="checkpoint directory")

    def handle(self, *args: Any, **options: Any) -> None:
        path = audit_checkpoint_write(directory=options["dir"])
        self.stdout.write(self.style.SUCCESS(f"checkpoint written: {path}"))
