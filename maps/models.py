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
    rule = models.CharField(
        max_length=300, blank=True, help_text="The rule that decided the place, in one sentence."
    )
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
    # The score's own flags (RISK_FLAG_THRESHOLD and MINOR_FLAG_THRESHOLD applied once, by the
    # score stage, with its evidence rule), copied so the map, its rollup and its charts never
    # apply a threshold of their own.
    flagged = models.BooleanField(default=False)
    possible_minor = models.BooleanField(default=False)
    category = models.CharField(max_length=10, blank=True)
    # The score's indicator codes (a JSON list), so the indicator filter needs no join to scores;
    # GIN-indexed on PostgreSQL (migration 0003).
    indicator_codes = models.JSONField(default=list, blank=True)

    objects = AdLocationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["lat", "lng"]),
            models.Index(fields=["posted_at"]),
            models.Index(fields=["risk"]),
        ]

    def __str__(self) -> str:
        return f"ad {self.ad_id} at {self.name or 'unknown'} ({self.precision})"


class MapRollup(models.Model):
    """Map rows summed per place and source, for the map's coarse, unwindowed requests.

    Maintained by PostgreSQL triggers on AdLocation (every write path: the geocode stage, score
    refreshes, cascaded deletes of ads, bulk loads), rebuilt by `manage.py rebuild_map_rollup`;
    SQLite has no rollup and the map reads the live table there. Each `slicing` is one way of
    slicing the same ads (see `maps.rollup`): 0 by place and source only, 1 also by category,
    2 also by risk band, 3 also by the possible-minor flag, 4 also by indicator code (an ad with
    two codes counts once in each). The source stays in every slicing, so visibility (a set of
    source ids) applies to the rollup exactly as to the live rows.
    """

    slicing = models.SmallIntegerField()
    precision = models.CharField(max_length=15)
    lat = models.FloatField()
    lng = models.FloatField()
    name = models.CharField(max_length=200)
    source_id_copy = models.BigIntegerField(help_text="0 when the map row has no source copy.")
    category = models.CharField(max_length=10, help_text="'*' outside slicing 1.")
    risk_band = models.SmallIntegerField(help_text="-2 outside slicing 2; -1 for no score.")
    minor_flag = models.BooleanField()
    indicator = models.CharField(max_length=60, help_text="'*' outside slicing 4.")
    n = models.BigIntegerField()
    minors = models.BigIntegerField()
    max_risk = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "slicing",
                    "precision",
                    "lat",
                    "lng",
                    "name",
                    "source_id_copy",
                    "category",
                    "risk_band",
                    "minor_flag",
                    "indicator",
                ],
                name="maps_rollup_key",
            )
        ]
        indexes = [
            models.Index(
                fields=[
                    "slicing",
                    "category",
                    "minor_flag",
                    "indicator",
                    "risk_band",
                    "source_id_copy",
                ],
                name="maps_rollup_slice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or (self.lat, self.lng)} s{self.slicing}: {self.n}"
