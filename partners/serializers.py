"""Input and output shapes of the partner API: no raw identifier, name, text or fine location."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ads.models import PIPELINE_DONE, EntityKind

from .models import Tip
from .selectors import MAX_STATS_WEEKS

IDENTIFIER_KINDS = [EntityKind.PHONE.value, EntityKind.EMAIL.value]
IDENTIFIER_KIND_CHOICES = [(kind, kind) for kind in IDENTIFIER_KINDS]
REGION_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"


class LookupInput(serializers.Serializer):
    """Exactly one of phone, email or token (a token needs its kind)."""

    phone = serializers.CharField(
        required=False, max_length=64, help_text="Any written form; parsed for `region`."
    )
    email = serializers.CharField(required=False, max_length=254)
    token = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        help_text="HMAC-SHA256 of the E.164 number or lowercased email under your key, hex.",
    )
    kind = serializers.ChoiceField(
        choices=IDENTIFIER_KINDS,
        required=False,
        help_text="With `token`: what the token stands for.",
    )
    region = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        default="US",
        help_text="Country to read a national phone number in.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("phone", "email", "token") if attrs.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError("Give exactly one of phone, email or token.")
        if given == ["token"] and not attrs.get("kind"):
            raise serializers.ValidationError(
                {"kind": "Say whether the token is a phone or email."}
            )
        return attrs


class LookupResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IDENTIFIER_KINDS)
    token = serializers.CharField(help_text="Your keyed token for this identifier.")
    seen = serializers.BooleanField()
    ads = serializers.IntegerField(help_text="How many ads carried it (tips excluded).")
    first_seen_week = serializers.CharField(allow_null=True, help_text="ISO week, e.g. 2026-W07.")
    last_seen_week = serializers.CharField(allow_null=True)
    regions = serializers.ListField(child=serializers.CharField(), help_text="e.g. US-NV")
    cities = serializers.ListField(
        child=serializers.CharField(),
        help_text="Cities, where the posting place is known that well.",
    )


class PartnerKeySerializer(serializers.Serializer):
    algorithm = serializers.CharField()
    key_id = serializers.CharField()
    key = serializers.CharField(help_text="Hex; a secret like your API token.")
    message = serializers.CharField(help_text="What is hashed.")


class StatsQuery(serializers.Serializer):
    weeks = serializers.IntegerField(
        required=False, default=12, min_value=1, max_value=MAX_STATS_WEEKS
    )
    region = serializers.RegexField(
        REGION_PATTERN, required=False, help_text="e.g. US-NV; all regions when absent."
    )


class StatsRowSerializer(serializers.Serializer):
    region = serializers.CharField()
    week = serializers.CharField()
    ads = serializers.IntegerField(allow_null=True)
    flagged = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField(help_text="A count below k was replaced by null.")


class StatsSerializer(serializers.Serializer):
    k = serializers.IntegerField(help_text="Counts below k are suppressed.")
    weeks = serializers.IntegerField()
    region = serializers.CharField(allow_null=True)
    results = StatsRowSerializer(many=True)


class TipIdentifierInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IDENTIFIER_KINDS)
    value = serializers.CharField(max_length=254)


class TipInput(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)
    identifiers = TipIdentifierInput(many=True, required=False, max_length=20)
    location = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Where, as you would write it (city, state).",
    )
    region = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        default="US",
        help_text="Country to read national phone numbers in.",
    )
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Your own case reference, kept as provenance.",
    )


class TipSerializer(serializers.ModelSerializer):
    """A tip as its partner sees it: our id for it, when, and how far it has got."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Tip
        fields = ["id", "submitted_at", "status"]

    def get_status(self, tip: Tip) -> str:
        if tip.ad.pipeline_failed:
            return "failed"
        return "processed" if tip.ad.pipeline_stage == PIPELINE_DONE else "processing"
