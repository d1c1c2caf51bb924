"""Input and output shapes for the ads API."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers


class IngestBatchInput(serializers.Serializer):
    """A batch of ads; each item is validated row by row by the ingestion service, not here."""

    source = serializers.CharField(required=False, help_text="Admins only: the source name.")
    ads = serializers.ListField(child=serializers.JSONField(), allow_empty=False)

    def validate_ads(self, value: list) -> list:
        if len(value) > settings.INGEST_API_MAX_BATCH:
            raise serializers.ValidationError(
                f"at most {settings.INGEST_API_MAX_BATCH} ads per batch"
            )
        return value


class RejectedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()
    external_id = serializers.CharField(allow_blank=True)


class WarningSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class SourceFactsCountSerializer(serializers.Serializer):
    kept = serializers.DictField(
        child=serializers.IntegerField(), help_text="Ads that kept each kind of source fact."
    )
    filler = serializers.DictField(
        child=serializers.IntegerField(), help_text="Filler values dropped, by field."
    )


class IngestSummarySerializer(serializers.Serializer):
    new = serializers.IntegerField()
    new_revisions = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rejected_rows = RejectedRowSerializer(many=True)
    warnings = WarningSerializer(many=True)
    unknown_columns = serializers.ListField(
        child=serializers.CharField(), help_text="Keys of the batch that ingestion does not read."
    )
    source_facts = SourceFactsCountSerializer()
