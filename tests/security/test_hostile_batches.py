"""Hostile import files and batches: a deeply nested row is rejected alone, a repeated id is
bounded, and the API answers 400, never 500 (issue #19 L3, L4)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ads.models import Ad, AdRevision
from ads.readers import read_file
from ads.services import ads_ingest

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def test_one_deeply_nested_json_line_is_rejected_with_its_line_and_the_rest_is_kept(
    actors, tmp_path
) -> None:
    path = tmp_path / "hostile.jsonl"
    lines = [
        json.dumps({"external_id": "a", "body": "first"}),
        '{"external_id": "deep", "body": ' + DEEP + "}",
        '{"external_id": "shallow-but-deep", "x": ' + "[" * 40 + "]" * 40 + "}",
        json.dumps({"external_id": "b", "body": "last"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    rejected = {row["line"]: row["reason"] for row in summary.rejected}
    assert set(rejected) == {2, 3}
    assert all("nested deeper" in reason for reason in rejected.values())
    assert set(Ad.objects.values_list("external_id", flat=True)) == {"a", "b"}


def test_a_deeply_nested_api_request_is_a_400(actors) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    body = '{"ads": [{"external_id": "x", "body": ' + DEEP + "}]}"
    response = client.post("/api/v1/ingest/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["error"]["message"]


def test_a_row_nested_too_deeply_in_a_payload_is_rejected_alone(actors) -> None:
    from ads.readers import records_from_payload

    rows = [
        {"external_id": "ok", "body": "fine"},
        {"external_id": "deep", "x": json.loads(DEEP[:80] + DEEP[-80:])},
    ]
    summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    assert summary.new == 1
    assert summary.rejected == [
        {"line": 2, "reason": "JSON nested deeper than 32 levels", "external_id": ""}
    ]


def test_one_external_id_repeated_a_thousand_times_is_bounded(actors, settings) -> None:
    settings.INGEST_MAX_REPEATS_PER_BATCH = 10
    rows = [{"external_id": "same", "body": f"version {i}"} for i in range(1000)]
    from ads.readers import records_from_payload

    summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    assert summary.new == 1
    assert summary.revised == 10
    assert len(summary.rejected) == 989
    assert summary.rejected[0]["reason"] == "external_id repeated more than 10 times in one batch"
    assert AdRevision.objects.filter(ad__external_id="same").count() == 11


def test_api_errors_carry_plain_messages_not_python_reprs(actors) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    response = client.post("/api/v1/ingest/", {"ads": "nope"}, content_type="application/json")
    assert response.status_code == 400
    assert "ErrorDetail" not in response.content.decode()
