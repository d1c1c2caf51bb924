"""Tips that partners send, and the per-partner index of keyed identifier tokens."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Tip(models.Model):
    """A partner's tip: stored as an ad of the partner's "tip" source, with where it came from.

    The partner only ever learns `public_id`; the ad behind it (and its id, which would reveal
    volumes) stays on the investigators' side.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "accounts.PartnerOrganisation", on_delete=models.PROTECT, related_name="tips"
    )
    ad = models.OneToOneField("ads.Ad", on_delete=models.CASCADE, related_name="tip")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tips",
    )
    token = models.ForeignKey(
        "accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="tips"
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    provenance = models.JSONField(
        default=dict, help_text="Partner, token prefix, user, address and the partner's reference."
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["partner", "submitted_at"])]

    def __str__(self) -> str:
        return f"tip {self.public_id} from {self.partner_id}"


class PartnerTokenIndex(models.Model):
    """How far a partner's keyed-token index reaches, and under which key it was built."""

    partner = models.OneToOneField(
        "accounts.PartnerOrganisation", on_delete=models.CASCADE, related_name="token_index"
    )
    key_id = models.CharField(max_length=16, help_text="Fingerprint of the key the index uses.")
    last_entity_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"token index of {self.partner_id} up to entity {self.last_entity_id}"


class PartnerIdentifierToken(models.Model):
    """One entity's keyed token under one partner's key, so pre-hashed lookups are an index hit."""

    partner = models.ForeignKey(
        "accounts.PartnerOrganisation", on_delete=models.CASCADE, related_name="identifier_tokens"
    )
    entity = models.ForeignKey("ads.Entity", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "entity"], name="partner_token_unique"),
        ]
        indexes = [models.Index(fields=["partner", "token"])]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.token[:12]}…"
