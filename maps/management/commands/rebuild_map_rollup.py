"""Recompute the map rollup from the map rows (after a restore, or to check the triggers)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from maps.rollup import rollup_rebuild, rollup_supported


class Command(BaseCommand):
    help = "Rebuild the map rollup (PostgreSQL) from maps_adlocation; writers wait meanwhile."

    def handle(self, *args: Any, **options: Any) -> None:
        if not rollup_supported():
            self.stdout.write("this database has no map rollup (SQLite): nothing to do")
            return
        count = rollup_rebuild()
        self.stdout.write(f"map rollup rebuilt: {count} rows")
