"""`manage.py verify_evidence`: re-hash every stored capture and report any mismatch."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ads.models import Evidence


class Command(BaseCommand):
    help = "Re-hash all evidence files; exits 1 if any is missing or altered."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        storage = storages["evidence"]
        problems: list[str] = []
        total = Evidence.objects.count()
        for evidence in tqdm(Evidence.objects.order_by("pk").iterator(chunk_size=2000), total=total,
                             desc="verify evidence", disable=options["no_progress"], file=self.stderr._out):
            try:
                with storage.open(evidence.path, "rb") as handle:
                    digest = hashlib.sha256()
                    for block in iter(lambda h=handle: h.read(1 << 20), b""):
                        digest.update(block)
            except FileNotFoundError:
                problems.append(f"{evidence.sha256}: file missing at {evidence.path}")
                continue
            if digest.hexdigest() != evidence.sha256:
                problems.append(f"{evidence.sha256}: content altered (now {digest.hexdigest()})")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"evidence BROKEN: {len(problems)} of {total} captures fail verification")
        self.stdout.write(self.style.SUCCESS(f"evidence verified: {total} captures, all hashes match"))
