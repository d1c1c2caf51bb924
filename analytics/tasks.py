"""Celery tasks for analytics."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .models import ModelVersion
from .services import ads_rescore_all


@shared_task(
    name="analytics.tasks.rescore_all",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    soft_time_limit=None,
    time_limit=None,
)
def rescore_all(version_id: int) -> int:
    version = ModelVersion.objects.filter(pk=version_id, active=True).first()
    if version is None:
        return 0
    return ads_rescore_all(version=version)


@shared_task(name="analytics.tasks.links_recheck", autoretry_for=(OperationalError,))
def links_recheck() -> int:
    """Beat's periodic recheck of stored text links (analytics.recheck)."""
    from .recheck import links_recheck_text

    return links_recheck_text().dropped
