"""Where an ad was posted, how sure we are, and the second location its phone's area code gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from ads.models import Ad

if TYPE_CHECKING:
    from accounts.models import User


class Precision(models.TextChoices):
    POINT = "point", "Point"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
    CITY = "city", "City"
    REGION = "region", "Region / state"
    AREA_CODE = "area_code", "Area code only"
    COUNTRY = "country", "Country"
    UNKNOWN = "unknown", "Unknown"


class AdLocationQuerySet(models.QuerySet["AdLocation"]):
    def visible_to(self, user: User) -> AdLocationQuerySet:
        return self.filter(ad__in=Ad.objects.visible_to(user))


class AdLocation(models.Model):
    """The geocoded posting location of an ad, with precision and provenance.

    A few fields of the ad and its score are copied here (posted time, source, risk, category) so
    that the map's aggregation over a million rows reads one table.
    """

    ad = models.OneToOneField(
        Ad, on_delete=models.CASCADE, related_name="location", primary_key=True
    )
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    precision = models.CharField(
        max_length=15, choices=Precision.choices, default=Precision.UNKNOWN
    )
    name = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=20, blank=True, help_text="gazetteer, nominatim, area_code, url…"
    )
    country = models.CharField(max_length=2, blank=True)
    admin1 = models.CharField(max_length=100, blank=True)
    confidence = models.FloatField(default=0.0)
    note = models.CharField(max_length=300, blank=True)
    phone_locations = models.JSONField(
        default=list, help_text="Area-code locations of the ad's phones."
    )
    travel_cues = models.JSONField(default=list, help_text="Area codes far from the posting city.")
    geocoder_version = models.CharField(max_length=50)
    geocoded_at = models.DateTimeField(default=timezone.now)
    # Denormalised for the map (kept in step by the geocode and score stages).
    posted_at = models.DateTimeField(null=True, blank=True)
    source_id_copy = models.BigIntegerField(null=True, blank=True)
    risk = models.FloatField(null=True, blank=True)
    minor = models.FloatField(null=True, blank=True)
    category = models.CharField(max_length=10, blank=True)

    objects = AdLocationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["lat", "lng"]),
            models.Index(fields=["posted_at"]),
            models.Index(fields=["risk"]),
        ]

    def __str__(self) -> str:
        return f"ad {self.ad_id} at {self.name or 'unknown'} ({self.precision})"
