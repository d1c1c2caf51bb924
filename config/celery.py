"""The Celery app. One queue per kind of work so that slow scoring never starves ingestion."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("anti_trafficking")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

QUEUES = ("default", "ingest", "extract", "media", "score", "geocode", "link", "queue", "alerts")


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    """Periodic work (Celery beat): sweep, polling, retention, digests, network reshapes."""
    from django.conf import settings

    sender.add_periodic_task(
        settings.PIPELINE_SWEEP_INTERVAL_SECONDS,
        sender.signature("ads.tasks.pipeline_sweep"),
        name="pipeline sweep",
    )
    sender.add_periodic_task(
        60.0, sender.signature("ads.tasks.sources_poll_due"), name="poll due sources"
    )
    sender.add_periodic_task(
        24 * 3600.0, sender.signature("ads.tasks.purge_expired"), name="retention purge"
    )
    sender.add_periodic_task(
        300.0, sender.signature("cases.tasks.watchlists_digest"), name="watchlist digests"
    )
    sender.add_periodic_task(
        float(settings.AUDIT_CHECKPOINT_INTERVAL_SECONDS),
        sender.signature("audit.tasks.audit_checkpoint"),
        name="audit chain checkpoint",
    )
    sender.add_periodic_task(
        60.0, sender.signature("audit.tasks.audit_flush_tallies"), name="audit tallies"
    )
    sender.add_periodic_task(
        60.0,
        sender.signature("cases.tasks.networks_reshaped_sync"),
        name="queue items follow merged and split networks",
    )
