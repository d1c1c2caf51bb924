"""`manage.py extract_entities [FILE] [--region CC]`: JSON lines in, extracted entities out."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ads.extraction.cli import run


class Command(BaseCommand):
    help = (
        'Read JSON lines {"id", "text", "url"?, "region"?} from FILE (or stdin) and write one '
        "JSON line of extracted entities per input line, with the region used and the rule that "
        "chose it. Unreadable lines are reported on stderr."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="JSON-lines file (default: stdin)")
        parser.add_argument(
            "--region",
            default="US",
            help="the source's country: used when a line has no region and its URL names none",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = (options["region"] or "").upper() or None
        path = options.get("file")
        if path:
            try:
                with open(path, encoding="utf-8") as stream:
                    code = run(stream, self.stdout, self.stderr, region)
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc
        else:
            code = run(sys.stdin, self.stdout, self.stderr, region)
        if code:
            raise CommandError("no input line could be read", returncode=code)
