"""Celery tasks of the desk: watchlist matching after the queue stage, and the periodic digests."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from .services.watchlists import watchlists_match_ads, watchlists_send_digests

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def watchlists_match(ad_ids: list[int]) -> int:
    """Alerts for new ads matching watchlists; idempotent (one alert per watchlist and ad)."""
    if not ad_ids:
        return 0
    return len(watchlists_match_ads(ad_ids=ad_ids))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def watchlists_digest() -> int:
    """Send hourly and daily digests that are due (schedule every few minutes with Celery beat)."""
    sent = watchlists_send_digests()
    if sent:
        logger.info("sent %d alerts in digests", sent)
    return sent


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def networks_reshaped_sync() -> int:
    """Queue items follow networks that linking merged or split (schedule every minute).

    The queue stage does this too, but only when linking is idle at that instant.
    """
    from .stages import networks_reshaped_sync as sync

    done = sync(wait=True)
    if done:
        logger.info("queue items followed %d reshaped networks", done)
    return done
