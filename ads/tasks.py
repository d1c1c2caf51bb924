"""Celery tasks: a few lines each, taking ids and calling services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import pipeline

logger = logging.getLogger(__name__)


# Routed by pipeline.enqueue to the queue named after the batch's stage (config/celery.py).
@shared_task(
    name="ads.tasks.run_stage",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=20,
)
def run_stage(stage: str, ad_ids: list[int], backfill: bool = False) -> int:
    return len(pipeline.stage_run_batch(stage_name=stage, ad_ids=ad_ids, backfill=backfill))


@shared_task(name="ads.tasks.pipeline_sweep", autoretry_for=(OperationalError,), retry_backoff=True)
def pipeline_sweep() -> dict[str, int]:
    return pipeline.pipeline_sweep()


@shared_task(name="ads.tasks.sources_poll_due")
def sources_poll_due() -> int:
    from .models import Source

    due = [s.pk for s in Source.objects.filter(enabled=True, kind__in=["rss", "html"]) if s.is_due]
    for source_id in due:
        poll_source.delay(source_id)
    return len(due)


@shared_task(name="ads.tasks.poll_source", autoretry_for=(OperationalError,), retry_backoff=True)
def poll_source(source_id: int) -> dict[str, int]:
    from .models import Source
    from .services import source_poll

    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        return {}
    summary = source_poll(source=source)
    return {"new": summary.new, "revised": summary.revised, "rejected": len(summary.rejected)}


@shared_task(name="ads.tasks.purge_expired")
def purge_expired() -> int:
    from audit.services import audit_purge_expired

    from .retention import ads_purge_expired

    audit_purge_expired()
    return ads_purge_expired().ads
