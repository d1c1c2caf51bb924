"""`manage.py linking_labels`: investigators' corrections of linking as labelled pairs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from analytics.selectors import linking_label_report, linking_labelled_pairs


class Command(BaseCommand):
    help = (
        "Report how linking fares on the ad pairs investigators put apart (detach or split), "
        "or write them out as labels (ad ids only) with --pairs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--pairs", action="store_true", help="print one 'ad,ad,0' per pair")

    def handle(self, *args: Any, pairs: bool = False, **options: Any) -> None:
        if pairs:
            for a, b, same in linking_labelled_pairs():
                self.stdout.write(f"{a},{b},{int(same)}")
            return
        r = linking_label_report()
        self.stdout.write(
            f"{r['corrections']} corrections, {r['pairs']} ad pairs labelled 'not one operator'; "
            f"the linker's own evidence would join {r['linker_would_join']} of them; the stored "
            f"networks join {r['joined_now']} (0 expected: the stage keeps them apart)"
        )
