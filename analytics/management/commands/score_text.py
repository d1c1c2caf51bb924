"""Score ads given as JSON lines {"id", "text"}; one JSON result per line on stdout."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analytics.scoring.cli import (
    resolve_model_dir,
    score_lines,
)
from analytics.scoring.model import ModelNotFoundError, TrainedModel
from analytics.services import encoder_cache_dir


class Command(BaseCommand):
    help = "Score JSON lines {id, text} from FILE (or stdin) with the risk model."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="JSONL input; stdin when absent")
        parser.add_argument("--model", help="model directory (default: settings.RISK_MODEL_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model_dir = resolve_model_dir(options["model"], settings.RISK_MODEL_DIR)
        except ModelNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        model = TrainedModel.load(model_dir, cache_dir=encoder_cache_dir())
        if options["file"]:
            with Path(options["file"]).open(encoding="utf-8") as fh:
                scored, errors = score_lines(fh, model, self.stdout, self.stderr)
        else:
            scored, errors = score_lines(sys.stdin, model, self.stdout, self.stderr)
        self.stderr.write(f"scored {scored}, skipped {errors} malformed line(s)")
