"""`manage.py train_risk_model`: train on the seed corpus plus investigators' decisions."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from analytics.models import ModelVersion
from analytics.services import ads_rescore_all, model_activate, model_train


class Command(BaseCommand):
    help = "Train a risk model (seed corpus + queue decisions), store its metrics, activate it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when a model is active."
        )
        parser.add_argument(
            "--no-activate", action="store_true", help="Keep the current model active."
        )
        parser.add_argument("--no-decisions", action="store_true", help="Seed corpus only.")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_missing"] and ModelVersion.objects.filter(active=True).exists():
            self.stdout.write("an active risk model exists; nothing to do")
            return
        self.stdout.write("training (the first run also builds the quantised encoder, ~1 minute)…")
        version = model_train(include_decisions=not options["no_decisions"], seed=options["seed"])
        self.stdout.write(f"trained {version.version}: {json.dumps(version.training_summary)}")
        self.stdout.write(json.dumps(version.metrics, indent=1)[:4000])
        if options["no_activate"]:
            return
        version = model_activate(version=version, rescore=False)
        self.stdout.write(self.style.SUCCESS(f"activated {version.version}"))
        # Re-score in-process with a progress bar (the admin's action uses a worker).
        from ads.models import Ad

        total = (
            Ad.objects.filter(score__isnull=False)
            .exclude(score__model_version=version.version)
            .count()
        )
        if total:
            bar = tqdm(
                total=total, desc="re-score", disable=options["no_progress"], file=self.stderr._out
            )
            ads_rescore_all(version=version, on_progress=bar.update)
            bar.close()
