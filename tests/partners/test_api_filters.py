"""Date-time filters take any ISO 8601 offset without a server error (PostgreSQL refuses offsets
past ±15:59; schemathesis found "+18:28" answered with a 500)."""

from __future__ import annotations

import pytest

from tests.partners.world import token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("2026-01-10T12:00:00+18:28", 200),
        ("0016-08-15T15:08:23+18:28", 200),
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 in UTC
        ("2026-13-01T00:00:00Z", 400),
    ],
)
def test_tip_date_filters_take_any_offset_or_answer_400(actors, world, value, status):
    client = token_client(actors.token_x)
    for name in ("submitted_after", "submitted_before"):
        response = client.get("/api/v1/partner/tips/", {name: value})
        assert response.status_code == status, (name, response.content)
        if status == 400:
            assert response.json()["error"]["code"] in {"invalid", "error"}


def test_ad_date_filters_take_any_offset(actors, world):
    client = actors.client_for("admin")
    response = client.get(
        "/api/v1/investigator/ads/", {"posted_after": "2000-01-01T00:00:00-19:30"}
    )
    assert response.status_code == 200
    late = client.get("/api/v1/investigator/ads/", {"posted_after": "2999-01-01T00:00:00+18:00"})
    assert late.status_code == 200 and late.json()["results"] == []
