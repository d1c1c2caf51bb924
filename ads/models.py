"""Sources, ads and their revisions, immutable evidence, and the per-ad pipeline state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.access import visibility_preamble

if TYPE_CHECKING:
    from accounts.models import User

    from .source_facts import StatedFacts

PIPELINE_DONE = "done"


class SourceKind(models.TextChoices):
    FILE = "file", "File import"
    RSS = "rss", "RSS/Atom feed"
    HTML = "html", "HTML listing (CSS selectors)"
    PARTNER = "partner", "Partner API"
    TIP = "tip", "Partner tips"


class SourceQuerySet(models.QuerySet["Source"]):
    def visible_to(self, user: User) -> SourceQuerySet:
        """Investigators see their unit's sources and shared ones (no unit); admins all."""
        if (decided := visibility_preamble(self, user)) is not None:
            return decided
        return self.filter(Q(unit__isnull=True) | Q(unit_id=user.unit_id))


class Source(models.Model):
    """Where ads come from: a site, feed, partner or file, with its own polling settings."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=SourceKind.choices, default=SourceKind.FILE)
    url = models.URLField(max_length=500, blank=True)
    settings = models.JSONField(
        default=dict, blank=True, help_text="Connector settings (selectors…)."
    )
    default_country = models.CharField(max_length=2, default="US", help_text="For phone parsing.")
    enabled = models.BooleanField(default=True)
    schedule_minutes = models.PositiveIntegerField(default=60, help_text="Polling interval.")
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_poll_error = models.TextField(blank=True)
    unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        help_text="Unit whose investigators see these ads; empty: shared with every unit.",
    )
    partner = models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SourceQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    @property
    def is_due(self) -> bool:
        if not self.enabled or self.kind not in {SourceKind.RSS, SourceKind.HTML}:
            return False
        if self.last_polled_at is None:
            return True
        return (timezone.now() - self.last_polled_at).total_seconds() >= self.schedule_minutes * 60


class Evidence(models.Model):
    """Raw captured bytes, identified by their SHA-256, stored once and never modified.

    Captures are appended to segment files written once per ingest chunk (like WARC files), so a
    million captures are a thousand files, not a million: `path` names the segment, `offset` and
    `size` the capture's bytes in it.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100)
    path = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.sha256

    def read(self) -> bytes:
        """The captured bytes, from the evidence storage."""
        from django.core.files.storage import storages

        with storages["evidence"].open(self.path, "rb") as handle:
            handle.seek(self.offset)
            return handle.read(self.size)


class PipelineStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"


class AdQuerySet(models.QuerySet["Ad"]):
    def visible_to(self, user: User) -> AdQuerySet:
        """The only door to ads: every view, API, export and admin page starts here."""
        if (decided := visibility_preamble(self, user)) is not None:
            return decided
        return self.filter(Q(source__unit__isnull=True) | Q(source__unit_id=user.unit_id))

    def unfinished(self) -> AdQuerySet:
        return self.exclude(pipeline_stage=PIPELINE_DONE)

    def failed(self) -> AdQuerySet:
        return self.filter(pipeline_status=PipelineStatus.FAILED)


# The ad page's words for each rule of ads.extraction.region.RULES (the rule that chose the
# country an ad's national-format phone numbers are read in; stored as extracted["region_rule"]).
REGION_RULE_WORDS = {
    "url_tld": "from the ad's URL",
    "url_place": "from the place named in the ad's URL",
    "source": "from the source's setting",
    "text_country": "from the country the ad names",
    "international_prefix": "from the country code of a phone number in the ad",
    "none": "none found; only numbers written with their country code are read",
}


class Ad(models.Model):
    """One posting at a source; its current content, with every earlier version in revisions."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="ads")
    external_id = models.CharField(max_length=255)
    url = models.URLField(max_length=2000, blank=True)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    posted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    captured_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    location_text = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=20, blank=True)
    content_hash = models.CharField(max_length=64)
    revision_count = models.PositiveIntegerField(default=1)
    # What the extraction stage found (ages, prices, emoji, spans...), for scoring and display.
    extracted = models.JSONField(default=dict, blank=True)
    # What the source's own fields state (ads.source_facts.SourceFacts), validated at ingest.
    source_facts = models.JSONField(default=dict, blank=True)

    pipeline_stage = models.CharField(max_length=20, default=PIPELINE_DONE)
    pipeline_status = models.CharField(
        max_length=10, choices=PipelineStatus.choices, default=PipelineStatus.PENDING
    )
    pipeline_attempts = models.PositiveSmallIntegerField(default=0)
    pipeline_error = models.TextField(blank=True)
    pipeline_updated_at = models.DateTimeField(default=timezone.now)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AdQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="ad_unique_per_source"),
        ]
        indexes = [
            models.Index(fields=["pipeline_stage", "pipeline_status", "pipeline_updated_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.external_id}"

    @property
    def document(self) -> str:
        """The text that extraction and scoring read; entity spans are offsets into it."""
        return f"{self.title}\n{self.body}" if self.title else self.body

    @property
    def stated(self) -> StatedFacts:
        """What the source stated about this ad (its columns and its validated fields), apart
        from what extraction found in the text: the accessor for scoring, linking, geocoding."""
        from .source_facts import StatedFacts

        return StatedFacts.of(
            self.source_facts,
            url=self.url,
            title=self.title,
            posted_at=self.posted_at,
            location=self.location_text,
        )

    @property
    def region_reading(self) -> str:
        """The extraction stage's region and its rule in plain words ("US (from the ad's URL)");
        empty before the stage ran."""
        rule = (self.extracted or {}).get("region_rule")
        if not rule:
            return ""
        words = REGION_RULE_WORDS.get(rule, rule)
        region = self.extracted.get("region")
        return f"{region} ({words})" if region else words

    @property
    def pipeline_done(self) -> bool:
        return self.pipeline_stage == PIPELINE_DONE

    @property
    def pipeline_failed(self) -> bool:
        return self.pipeline_status == PipelineStatus.FAILED


class AdRevision(models.Model):
    """One captured version of an ad; a changed ad seen again adds a revision, never overwrites."""

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    location_text = models.CharField(max_length=500, blank=True)
    source_facts = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="revisions")
    captured_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ad", "number"], name="revision_unique_number"),
        ]
        ordering = ["ad_id", "number"]

    def __str__(self) -> str:
        return f"ad {self.ad_id} r{self.number}"


class StageRun(models.Model):
    """A completed pipeline stage for one revision of an ad: proof of exactly-once processing."""

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="stage_runs")
    revision = models.PositiveIntegerField()
    stage = models.CharField(max_length=20)
    version = models.CharField(max_length=100, blank=True)
    finished_at = models.DateTimeField(default=timezone.now)
    # The stage handler's CPU time for the batch, shared equally among its ads (pipeline_status
    # shows it per stage, so an operator sees which stage to scale).
    cpu_seconds = models.FloatField(default=0.0, db_default=0.0)

    class Meta:
        indexes = [
            models.Index(fields=["stage", "finished_at"]),
            models.Index(fields=["ad", "stage"]),
        ]

    def __str__(self) -> str:
        return f"ad {self.ad_id} r{self.revision} {self.stage}"


class EntityKind(models.TextChoices):
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email"
    HANDLE = "handle", "Social handle"
    URL = "url", "URL"
    NAME = "name", "Name or alias"
    IMAGE = "image", "Image hash"
    # "cashapp:$name", "venmo:name", "btc:<address>", "eth:0x<hex>" (ads.extraction.payments).
    PAYMENT = "payment", "Payment identifier"


# The kinds a poster chooses and controls: they tie ads to one person or operator, so a case
# collects them, a watchlist can follow them and the movement map draws them.
POSTER_KINDS = frozenset(
    {EntityKind.PHONE, EntityKind.EMAIL, EntityKind.HANDLE, EntityKind.PAYMENT}
)


class EntityQuerySet(models.QuerySet["Entity"]):
    def visible_to(self, user: User) -> EntityQuerySet:
        """An entity is visible when at least one ad it occurs in is visible."""
        if (decided := visibility_preamble(self, user)) is not None:
            return decided
        return self.filter(
            pk__in=EntityOccurrence.objects.filter(ad__in=Ad.objects.visible_to(user)).values(
                "entity_id"
            )
        )


class Entity(models.Model):
    """An identifier that ties ads together: a phone (E.164), email, handle, payment, URL, alias."""

    kind = models.CharField(max_length=10, choices=EntityKind.choices)
    value = models.CharField(max_length=500)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    objects = EntityQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="entity_unique_value")
        ]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class EntityOccurrenceQuerySet(models.QuerySet["EntityOccurrence"]):
    def current(self) -> EntityOccurrenceQuerySet:
        """Occurrences in the ads' current text. An identifier only an earlier revision had is
        kept (shown, searched, watched) but links no ads: the ad no longer says it."""
        return self.filter(revision__gte=F("ad__revision_count"))


class EntityOccurrence(models.Model):
    """Where an entity occurs in one ad: character offsets into the text of revision `revision`
    (`Ad.document` for the current one), for highlighting."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="occurrences")
    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="occurrences")
    revision = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    objects = EntityOccurrenceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["entity", "ad"])]
        constraints = [
            models.CheckConstraint(
                name="occurrence_span_ordered", condition=Q(end__gte=F("start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id} in ad {self.ad_id} [{self.start}:{self.end}]"


class AdImageStatus(models.TextChoices):
    STORED = "stored", "Stored"
    FAILED = "failed", "Failed"


class AdImageQuerySet(models.QuerySet["AdImage"]):
    def visible_to(self, user: User) -> AdImageQuerySet:
        """An image is visible exactly when its ad is."""
        return self.filter(ad__in=Ad.objects.visible_to(user))


class AdImage(models.Model):
    """One image an ad links to: its bytes kept as evidence, verified, perceptually hashed.

    A failed fetch or an unreadable file is a row too (status failed, with the reason), so an
    investigator sees what the ad pointed at even when it could not be kept.
    """

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="images")
    # The revision whose capture first named this URL.
    revision = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    source_url = models.URLField(max_length=2000)
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="images"
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    format = models.CharField(max_length=10, blank=True)
    # imagehash.phash: 64 bits as 16 hex digits; equal for the same photo re-encoded or resized.
    phash = models.CharField(max_length=16, blank=True, db_index=True)
    # The phash split in four 16-bit bands: two hashes at most 3 bits apart share at least one
    # band, so near-identical copies are found through these indexes (see ads.media).
    band0 = models.CharField(max_length=4, blank=True, db_index=True)
    band1 = models.CharField(max_length=4, blank=True, db_index=True)
    band2 = models.CharField(max_length=4, blank=True, db_index=True)
    band3 = models.CharField(max_length=4, blank=True, db_index=True)
    # The image entity this image links through: its own phash, or that of an earlier image at
    # most IMAGE_MATCH_BITS away (the same photo re-encoded or resized).
    linked_hash = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=10, choices=AdImageStatus.choices)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    fetched_at = models.DateTimeField(default=timezone.now)

    objects = AdImageQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ad", "source_url"], name="adimage_unique_url"),
            models.CheckConstraint(
                name="adimage_stored_has_evidence",
                condition=~Q(status="stored") | (Q(evidence__isnull=False) & ~Q(phash="")),
            ),
        ]
        ordering = ["ad_id", "position", "pk"]

    def __str__(self) -> str:
        return f"ad {self.ad_id} image {self.position} ({self.status})"

    @property
    def is_stored(self) -> bool:
        return self.status == AdImageStatus.STORED
