"""`manage.py ingest PATH --source NAME`: stream a CSV, JSONL or XLSX file into evidence and ads.

Columns read (names are matched without case; aliases in ads.readers.ALIASES): external_id (id),
title, body (text, description, extracted_text), url, posted_at (posted, date, posted_date),
location_text (location; else city, state, country joined), language, image_urls (images,
image_url), and the source facts: age (ages, poster_age), phone (phones, phone_number), email,
social (social_link, social_links, links), category. Any other column is named in the summary.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ads import pipeline
from ads.models import Source, SourceKind
from ads.readers import read_file
from ads.services import ads_ingest
from audit.models import Action
from audit.services import audit_record


class Command(BaseCommand):
    help = "Ingest a CSV, JSONL or XLSX file of ads (streamed, with a progress bar and a summary)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--source", required=True, help="Source name (created as a file source if new)."
        )
        parser.add_argument("--country", default="US", help="Default country for a new source.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--row-ids",
            action="store_true",
            help="For a file without ids: a row with no external_id gets '<file name>:<line>'.",
        )
        parser.add_argument(
            "--show-rejected",
            type=int,
            default=20,
            help="How many rejected rows and warnings to list (all are in --json).",
        )

    def handle(self, *args: Any, path: Path, source: str, country: str, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        src, created = Source.objects.get_or_create(
            name=source, defaults={"kind": SourceKind.FILE, "default_country": country.upper()[:2]}
        )
        xlsx = path.suffix.lower() == ".xlsx"
        # The reader sets the total: the file's bytes, or the sheet's rows for XLSX.
        bar = tqdm(
            unit="row" if xlsx else "B",
            unit_scale=not xlsx,
            desc=f"ingest {path.name}",
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        try:
            rows = read_file(path, progress=bar, row_ids=options["row_ids"])
            # A file is a backfill: its ads wait behind fresh ones on every stage's queue.
            with pipeline.as_backfill():
                summary = ads_ingest(source=src, rows=rows)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        audit_record(
            action=Action.INGEST,
            object_type="source",
            object_id=src.pk,
            detail={
                "file": path.name,
                "new": summary.new,
                "revised": summary.revised,
                "unchanged": summary.unchanged,
                "rejected": len(summary.rejected),
                "via": "manage.py ingest",
            },
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary.to_json()))
            return
        self.stdout.write(
            f"{'created source ' + source + '; ' if created else ''}"
            f"new: {summary.new}, new revisions: {summary.revised}, "
            f"unchanged: {summary.unchanged}, "
            f"rejected: {len(summary.rejected)}, warnings: {len(summary.warnings)}"
        )
        kept = ", ".join(f"{k} {n}" for k, n in summary.facts_kept.items()) or "none"
        self.stdout.write(f"  source facts kept (ads): {kept}")
        if summary.facts_filler:
            filler = ", ".join(f"{k} {n}" for k, n in summary.facts_filler.items())
            self.stdout.write(f"  filler values dropped: {filler}")
        if summary.unknown_columns:
            self.stdout.write(f"  unknown columns (not read): {', '.join(summary.unknown_columns)}")
        for warning in summary.warnings[: options["show_rejected"]]:
            self.stdout.write(f"  warning line {warning['line']}: {warning['message']}")
        if len(summary.warnings) > options["show_rejected"]:
            self.stdout.write(
                f"  … {len(summary.warnings) - options['show_rejected']} more warnings (use --json)"
            )
        for row in summary.rejected[: options["show_rejected"]]:
            self.stdout.write(f"  rejected line {row['line']}: {row['reason']}")
        if len(summary.rejected) > options["show_rejected"]:
            self.stdout.write(
                f"  … {len(summary.rejected) - options['show_rejected']} more (use --json)"
            )
