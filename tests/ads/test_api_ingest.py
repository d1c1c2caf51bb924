"""The ingest endpoint: partners post batches and get the per-row summary."""

from __future__ import annotations

import pytest
from django.test import Client

from ads.models import Ad
from audit.models import AuditEvent
from tests.conftest import ALL_ACTORS

pytestmark = pytest.mark.django_db
URL = "/api/v1/ingest/"


def _batch() -> dict:
    return {
        "ads": [
            {"external_id": "p1", "title": "New in town", "body": "call me"},
            {"external_id": "p2", "body": 42.5},
            {"title": "no id"},
        ]
    }


def test_a_partner_with_the_ads_scope_posts_a_batch(actors):
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    response = client.post(URL, _batch(), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["new"], body["rejected"]) == (2, 1)
    assert body["rejected_rows"] == [
        {"line": 3, "reason": "missing external_id", "external_id": ""}
    ]
    assert set(Ad.objects.values_list("source__name", flat=True)) == {"partner:ngo-x"}
    assert AuditEvent.objects.filter(action="ingest.batch", actor_username="partner-x").exists()


def test_a_token_without_the_ads_scope_is_refused(actors):
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_y}")
    response = client.post(URL, _batch(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Ad.objects.exists()


def test_a_revoked_or_forged_token_is_refused(actors):
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}x")
    assert client.post(URL, _batch(), content_type="application/json").status_code == 401
    actors.partner_x.api_tokens.update(revoked_at="2026-01-01T00:00:00Z")
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    assert client.post(URL, _batch(), content_type="application/json").status_code == 401


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_who_may_post_batches(actors, actor):
    expected = {
        "anonymous": 401,
        "investigator_a": 403,
        "investigator_b": 403,
        "supervisor_a": 403,
        "partner_x": 200,
        "partner_y": 403,
        "auditor": 403,
        "admin": 400,
    }
    client = actors.client_for(actor)
    if actor.startswith("partner"):
        client = Client(HTTP_AUTHORIZATION=f"Token {getattr(actors, 'token_' + actor[-1])}")
    response = client.post(URL, _batch(), content_type="application/json")
    assert response.status_code == expected[actor], (actor, response.content)


def test_an_admin_names_the_source(actors):
    response = actors.client_for("admin").post(
        URL, {**_batch(), "source": "site-a"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Ad.objects.filter(source=actors.source_a).count() == 2


def test_an_oversized_batch_is_refused(actors, settings):
    settings.INGEST_API_MAX_BATCH = 2
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    response = client.post(URL, _batch(), content_type="application/json")
    assert response.status_code == 400
    assert "at most 2" in str(response.json())
