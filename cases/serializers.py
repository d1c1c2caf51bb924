"""Serializers of the investigators' queue and case API (no ad text: the page shows that)."""

from __future__ import annotations

from rest_framework import serializers

from analytics.selectors import score_basis

from .models import Case, QueueItem


class QueueItemSerializer(serializers.ModelSerializer):
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    case = serializers.SlugRelatedField(slug_field="number", read_only=True)
    indicator_codes = serializers.SerializerMethodField()
    lead_ad = serializers.SerializerMethodField()
    risk_basis = serializers.SerializerMethodField(
        help_text="What backs `risk` (the active model's): a lead score, or a risk calibrated "
        "against investigators' decisions."
    )

    class Meta:
        model = QueueItem
        fields = [
            "id",
            "kind",
            "ad",
            "network",
            "lead_ad",
            "status",
            "priority",
            "risk",
            "risk_basis",
            "minor",
            "possible_minor",
            "size",
            "location",
            "indicator_codes",
            "reason",
            "assignee",
            "claimed_at",
            "due_at",
            "case",
            "last_seen_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_indicator_codes(self, item: QueueItem) -> list[str]:
        return item.indicator_codes.split()

    def get_risk_basis(self, item: QueueItem) -> str:
        if "risk_basis" not in self.context:
            self.context["risk_basis"] = score_basis()
        return self.context["risk_basis"]

    def get_lead_ad(self, item: QueueItem) -> int | None:
        """The lead ad's id, only when the caller may see that ad (`with_visible_lead`)."""
        return item.lead_ad_id if getattr(item, "lead_ad_visible", False) else None


class ClaimResultSerializer(serializers.Serializer):
    claimed = serializers.BooleanField()
    holder = serializers.CharField(allow_null=True)
    item = QueueItemSerializer()


class CaseSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "unit",
            "status",
            "summary",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
