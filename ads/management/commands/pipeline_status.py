"""`manage.py pipeline_status [--sweep] [--json]`: backlog, stragglers, failures, and each stage's
throughput and CPU per ad over the last hour."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from ads import pipeline


class Command(BaseCommand):
    help = "Pipeline backlog per stage, failures, throughput; --sweep re-enqueues stuck work."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--sweep", action="store_true", help="Re-enqueue unfinished work now.")
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="With --sweep: seconds since the ad last moved (default: setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sweep"]:
            age = (
                timedelta(seconds=options["older_than"])
                if options["older_than"] is not None
                else None
            )
            counts = pipeline.pipeline_sweep(older_than=age)
            self.stdout.write(f"re-enqueued: {counts or 'nothing'}")
        report = pipeline.pipeline_status_report()
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"ads: {report['total_ads']}, done: {report['done']}, "
            f"oldest unfinished: {report['oldest_unfinished'] or '-'}"
        )
        self.stdout.write(
            f"{'stage':<10} {'backlog':>8} {'straggl':>8} {'failed':>8} {'done/1h':>8} "
            f"{'ads/s':>7} {'cpu ms/ad':>9}"
        )
        stragglers = report["stragglers"]
        for name in report["stages"]:
            rate = report["busy_ads_per_second"][name]
            cpu = report["cpu_ms_per_ad_last_hour"][name]
            self.stdout.write(
                f"{name:<10} {report['backlog'][name]:>8} "
                f"{'-' if stragglers is None else stragglers[name]:>8} "
                f"{report['failed'][name]:>8} {report['completed_last_hour'][name]:>8} "
                f"{'-' if rate is None else rate:>7} {'-' if cpu is None else cpu:>9}"
            )
        self.stdout.write(
            "stragglers: waiting ads no queued or running task carries (the sweep re-sends them); "
            "ads/s: while the stage was busy in the last hour; cpu: the stage's own, per ad"
        )
        queues = report.get("queues", {})
        if "queued" in queues:
            self.stdout.write(
                f"broker: queued {queues['queued']}, unacknowledged {queues['unacked']}"
            )
        elif "error" in queues:
            self.stdout.write(f"broker: not answering ({queues['error']})")
