"""Scores with their reasons, model versions, embeddings, and networks of linked ads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ads.models import Ad
from core.access import visibility_preamble

if TYPE_CHECKING:
    from accounts.models import User


class ModelVersion(models.Model):
    """One trained risk model (files under MODEL_DIR/<version>) with its metrics; one is active."""

    version = models.CharField(max_length=100, unique=True)
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    metrics = models.JSONField(default=dict)
    training_summary = models.JSONField(
        default=dict, help_text="Examples by source (seed, decisions)."
    )
    encoder = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    rescore_total = models.PositiveIntegerField(default=0)
    rescore_done = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_model"
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.active else ''}"


class Category(models.TextChoices):
    ESCORT = "escort", "Escort"
    MASSAGE = "massage", "Massage"
    JOB = "job", "Job"
    OTHER = "other", "Other classifieds"


class AdScoreQuerySet(models.QuerySet["AdScore"]):
    def visible_to(self, user: User) -> AdScoreQuerySet:
        return self.filter(ad__in=Ad.objects.visible_to(user))


class AdScore(models.Model):
    """The current score of an ad: calibrated probabilities, indicators and a plain reason."""

    ad = models.OneToOneField(Ad, on_delete=models.CASCADE, related_name="score", primary_key=True)
    scorable = models.BooleanField(default=True)
    not_scorable_reason = models.CharField(max_length=300, blank=True)
    risk = models.FloatField(null=True, blank=True, db_index=True)
    minor = models.FloatField(null=True, blank=True, db_index=True)
    flagged = models.BooleanField(default=False, db_index=True)
    possible_minor = models.BooleanField(default=False)
    category = models.CharField(max_length=10, choices=Category.choices, blank=True, db_index=True)
    category_probabilities = models.JSONField(default=dict)
    indicators = models.JSONField(default=list, help_text="[{code,label,span,weight,provenance}]")
    counter_indicators = models.JSONField(default=list)
    indicator_codes = models.JSONField(default=list, help_text="Codes that fired, for filtering.")
    reason = models.TextField(blank=True)
    notes = models.JSONField(default=list)
    truncated = models.BooleanField(default=False)
    low_confidence = models.BooleanField(default=False)
    network_boost = models.FloatField(default=0.0, help_text="Added by network features (linking).")
    model_version = models.CharField(max_length=100)
    revision = models.PositiveIntegerField()
    scored_at = models.DateTimeField(default=timezone.now)

    objects = AdScoreQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["flagged", "risk"])]

    def __str__(self) -> str:
        return f"ad {self.ad_id}: risk {self.risk}"


class AdEmbedding(models.Model):
    """The sentence embedding of an ad (float32 bytes), reused by linking and "more like this"."""

    ad = models.OneToOneField(
        Ad, on_delete=models.CASCADE, related_name="embedding", primary_key=True
    )
    encoder = models.CharField(max_length=200)
    vector = models.BinaryField()

    def __str__(self) -> str:
        return f"embedding of ad {self.ad_id}"


class NetworkQuerySet(models.QuerySet["Network"]):
    def visible_to(self, user: User) -> NetworkQuerySet:
        """A network is visible when one of its ads is."""
        if (decided := visibility_preamble(self, user)) is not None:
            return decided
        return self.filter(
            pk__in=AdNetwork.objects.filter(ad__in=Ad.objects.visible_to(user)).values("network_id")
        )


class Network(models.Model):
    """A connected group of linked ads: one operator's postings, reviewed as one item."""

    size = models.PositiveIntegerField(default=0, db_index=True)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    cities = models.JSONField(default=list)
    max_risk = models.FloatField(null=True, blank=True, db_index=True)
    features = models.JSONField(default=dict, help_text="cities per week, names per phone, ...")
    template = models.JSONField(default=dict, help_text="Shared text and what varies.")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="absorbed"
    )
    # Set on the parts a network split into when a revision removed the links holding it together.
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="split_parts"
    )
    # Linking merged, split or dissolved this network; the queue stage has not caught up yet
    # (it moves, splits or closes the queue items and clears the flag).
    reshaped = models.BooleanField(default=False)
    # Ads that left this network in a split without joining another one (their own queue items).
    left_ads = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = NetworkQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["reshaped"], name="network_reshaped", condition=Q(reshaped=True))
        ]

    def __str__(self) -> str:
        return f"network {self.pk} ({self.size} ads)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A copy whose figures were recomputed for one viewer (analytics.selectors
        # .networks_as_seen) must never overwrite the stored figures of the whole network.
        if getattr(self, "seen_in_part", False):
            raise RuntimeError(f"network {self.pk} as seen by one user is not saved")
        super().save(*args, **kwargs)


class AdNetwork(models.Model):
    """Which network an ad belongs to (every linked ad belongs to exactly one)."""

    ad = models.OneToOneField(
        Ad, on_delete=models.CASCADE, related_name="network_membership", primary_key=True
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"ad {self.ad_id} in network {self.network_id}"


class LinkKind(models.TextChoices):
    PHONE = "phone", "Shared phone"
    EMAIL = "email", "Shared email"
    HANDLE = "handle", "Shared handle"
    URL = "url", "Shared URL"
    IMAGE = "image", "Same image"
    PAYMENT = "payment", "Shared payment identifier"
    TEXT = "text", "Near-duplicate text"


class Link(models.Model):
    """Why two ads are in one network: a shared identifier or near-duplicate text."""

    ad_a = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="links_out")
    ad_b = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    key = models.CharField(max_length=500, blank=True)
    similarity = models.FloatField(default=1.0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ad_a", "ad_b", "kind"], name="link_unique"),
            models.CheckConstraint(name="link_ordered", condition=Q(ad_a__lt=models.F("ad_b"))),
        ]

    def __str__(self) -> str:
        return f"{self.ad_a_id}-{self.ad_b_id} {self.kind}"


class TextBand(models.Model):
    """One LSH band key of an ad's MinHash signature: ads sharing a key are near-duplicates."""

    # Every batch inserts 32 rows per ad, so each index costs: the key index is a plain one
    # (db_index on a CharField adds a second, varchar_pattern_ops copy on PostgreSQL for LIKE,
    # which nothing runs). The narrow ad index stays although textband_unique (ad, key) could
    # serve: without statistics PostgreSQL chose a sequential scan over the wide one.
    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="text_bands")
    key = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ad", "key"], name="textband_unique")]
        indexes = [models.Index(fields=["key"], name="textband_key")]

    def __str__(self) -> str:
        return f"{self.ad_id}:{self.key}"


class AdSignature(models.Model):
    """The MinHash signature of an ad's normalised text (bytes), for similarity estimates."""

    ad = models.OneToOneField(
        Ad, on_delete=models.CASCADE, related_name="signature", primary_key=True
    )
    signature = models.BinaryField()
    version = models.CharField(max_length=50)
    # The first ad of the near-duplicate group this ad joined (null: it starts its own group).
    # Text links must stay close to the seed, so a group is a ball around one text, not a chain.
    seed_ad_id = models.BigIntegerField(null=True, blank=True)
    # The text's shingle hashes (sorted uint32 bytes, analytics.linking.text_shingles), so the
    # boilerplate guard weighs a candidate without reading and tokenising its text again; null
    # for ads linked before the guard.
    shingles = models.BinaryField(null=True, blank=True)

    def __str__(self) -> str:
        return f"signature of ad {self.ad_id}"


class ShingleFrequency(models.Model):
    """Distinct posters (up to a cap) that used one text shingle: the boilerplate guard's count."""

    # The 32-bit shingle hash of analytics.linking.rarity.text_shingles.
    shingle = models.BigIntegerField(primary_key=True)
    # Keyed hashes (HMAC with SECRET_KEY, 8 bytes as an integer) of the posters, never a phone:
    # kept only until the cap (stages.POSTER_CAP); a full list means "that many or more".
    posters = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"shingle {self.shingle}: {len(self.posters)} posters"


class CorrectionKind(models.TextChoices):
    DETACH = "detach", "Ad detached from the network"
    SPLIT = "split", "Network split"


class NetworkCorrection(models.Model):
    """An investigator's correction of linking: ads put apart from a network, and why."""

    kind = models.CharField(max_length=10, choices=CorrectionKind.choices)
    # The network corrected (kept when it is later merged or dissolved: the record stands).
    network = models.ForeignKey(
        Network, null=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    reason = models.TextField()
    by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="network_corrections"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The ads put apart, and the network's other members at that moment (ids only).
    apart = models.JSONField(default=list)
    kept = models.JSONField(default=list)
    links_removed = models.PositiveIntegerField(default=0)
    # The networks the correction left behind (the kept part keeps the id; parts get new ones).
    networks_after = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.CheckConstraint(name="correction_has_reason", condition=~Q(reason="")),
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} of network {self.network_id} by user {self.by_id}"


class KeptApartQuerySet(models.QuerySet["KeptApart"]):
    def touching(self, ad_ids: list[int]) -> KeptApartQuerySet:
        """The pairs with either ad among `ad_ids`."""
        return self.filter(Q(ad_a_id__in=ad_ids) | Q(ad_b_id__in=ad_ids))


class KeptApart(models.Model):
    """Two ads an investigator put apart: the linker never links them nor joins their networks."""

    ad_a = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="+")
    ad_b = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="+")
    correction = models.ForeignKey(
        NetworkCorrection, on_delete=models.CASCADE, related_name="pairs"
    )

    objects = KeptApartQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ad_a", "ad_b"], name="kept_apart_unique"),
            models.CheckConstraint(
                name="kept_apart_ordered", condition=Q(ad_a__lt=models.F("ad_b"))
            ),
        ]
        indexes = [models.Index(fields=["ad_b"], name="kept_apart_b")]

    def __str__(self) -> str:
        return f"{self.ad_a_id} apart from {self.ad_b_id}"
