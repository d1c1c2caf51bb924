"""Celery tasks for maps: re-geocoding ads after the geocoder changed (new gazetteer, Nominatim).

The first geocoding of an ad is the pipeline's "geocode" stage (ads.tasks.run_stage); this task
is for running it again over ads already done, and it retries while a remote geocoder is down.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from ads.models import Ad
from maps.geocoding import GeocoderUnavailableError
from maps.services import ads_geocode, geocoder_current


@shared_task(
    name="maps.tasks.geocode_ads",
    autoretry_for=(GeocoderUnavailableError, OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=20,
)
def geocode_ads(ad_ids: list[int]) -> int:
    """Geocode the ads not yet done with the current geocoder version; returns how many."""
    version = geocoder_current().version
    ads = list(
        Ad.objects.filter(pk__in=ad_ids)
        .exclude(location__geocoder_version=version)
        .select_related("source")
    )
    if not ads:
        return 0
    ads_geocode(ads)
    return len(ads)
