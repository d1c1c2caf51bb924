"""manage.py links_recheck: weigh every stored text link again under today's shingle counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from analytics.recheck import links_recheck_text


class Command(BaseCommand):
    help = (
        "Recheck stored text links under the current shingle counts (after a bulk load, or "
        "periodically): links between posters of a text that turned out to be common are "
        "deleted and their networks split."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = links_recheck_text()
        self.stdout.write(
            f"text links weighed: {result.checked}, dropped: {result.dropped}, "
            f"networks split: {result.split}"
        )
