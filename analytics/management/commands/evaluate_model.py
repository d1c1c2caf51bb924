"""Evaluate a trained risk model on labelled data (JSONL or dig-ads-classifier CSV)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analytics.scoring.cli import (
    evaluate,
    load_examples,
    resolve_model_dir,
)
from analytics.scoring.model import ModelNotFoundError, TrainedModel
from analytics.services import encoder_cache_dir


class Command(BaseCommand):
    help = "Print JSON metrics (ROC AUC, precision/recall at threshold, ECE, confusion matrix)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("data", help="JSONL of labelled examples, or a dig-ads CSV")
        parser.add_argument("--model", help="model directory (default: settings.RISK_MODEL_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model_dir = resolve_model_dir(options["model"], settings.RISK_MODEL_DIR)
            examples = load_examples(options["data"])
        except (ModelNotFoundError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        report = evaluate(TrainedModel.load(model_dir, cache_dir=encoder_cache_dir()), examples)
        self.stdout.write(json.dumps(report, indent=2))
