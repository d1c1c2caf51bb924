"""`manage.py activate_model VERSION`: switch to (or roll back to) a trained model version."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from analytics.models import ModelVersion
from analytics.services import model_activate


class Command(BaseCommand):
    help = "Activate a stored model version; re-scoring runs in the background (score queue)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "version", nargs="?", help="Version to activate (omit to list versions)."
        )

    def handle(self, *args: Any, version: str | None = None, **options: Any) -> None:
        if not version:
            for v in ModelVersion.objects.all():
                self.stdout.write(
                    f"{'*' if v.active else ' '} {v.version}  {v.created_at:%Y-%m-%d %H:%M}  "
                    f"rescored {v.rescore_done}/{v.rescore_total}"
                )
            return
        target = ModelVersion.objects.filter(version=version).first()
        if target is None:
            raise CommandError(f"no model version {version!r}")
        model_activate(version=target)
        self.stdout.write(self.style.SUCCESS(f"activated {version}; re-scoring in the background"))
