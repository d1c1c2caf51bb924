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
        handle = None
        open_path = None
        # Ordered by segment and offset: each segment file is opened once and read front to back.
        rows = Evidence.objects.order_by("path", "offset").iterator(chunk_size=5000)
        for evidence in tqdm(
            rows,
            total=total,
            desc="verify evidence",
            disable=options["no_progress"],
            file=self.stderr._out,
        ):
            if evidence.path != open_path:
                if handle is not None:
                    handle.close()
                open_path = evidence.path
                try:
                    handle = storage.open(evidence.path, "rb")
                except FileNotFoundError:
                    handle = None
            if handle is None:
                problems.append(f"{evidence.sha256}: file missing at {evidence.path}")
                continue
            handle.seek(evidence.offset)
            data = handle.read(evidence.size)
            digest = hashlib.sha256(data).hexdigest()
            if len(data) != evidence.size:
                problems.append(
                    f"{evidence.sha256}: capture truncated ({len(data)} of {evidence.size} bytes)"
                )
            elif digest != evidence.sha256:
                problems.append(f"{evidence.sha256}: content altered (now {digest})")
        if handle is not None:
            handle.close()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"evidence BROKEN: {len(problems)} of {total} captures fail verification"
            )
        self.stdout.write(
            self.style.SUCCESS(f"evidence verified: {total} captures, all hashes match")
        )
