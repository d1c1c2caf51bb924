"""The plumbing every API shares (core/api.py): token scopes, one error body, bad
cursors answered 400, and an audit row for every call, denied ones included."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from audit.models import Action, AuditEvent, Outcome
from cases.stages import ads_queue_for_review
from tests.cases.factories import make_ad, score

pytestmark = pytest.mark.django_db

INVESTIGATOR_LISTS = [
    "/api/v1/investigator/ads/",
    "/api/v1/investigator/entities/",
    "/api/v1/investigator/networks/",
    "/api/v1/investigator/queue/",
    "/api/v1/investigator/cases/",
]


def _token_client(user, scopes: list[str]) -> Client:
    _, token = api_token_create(user=user, name="t", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


@pytest.mark.parametrize("path", INVESTIGATOR_LISTS)
def test_an_investigator_token_needs_the_read_scope(actors, path):
    without = _token_client(actors.investigator_a, ["tips"]).get(path)
    assert without.status_code == 403
    assert without.json()["error"]["code"] == "permission_denied"
    assert "'read'" in without.json()["error"]["message"]
    assert _token_client(actors.investigator_a, ["read"]).get(path).status_code == 200


def test_a_token_cannot_claim_a_queue_item_but_a_session_can(actors):
    ad = make_ad(actors.source_a, title="x")
    score(ad)
    ads_queue_for_review([ad])
    item = ad.queue_item
    url = f"/api/v1/investigator/queue/{item.pk}/claim/"
    assert _token_client(actors.investigator_a, ["read"]).post(url).status_code == 403
    assert actors.client_for("investigator_a").post(url).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/investigator/queue/", "/api/v1/investigator/cases/"])
def test_a_malformed_cursor_is_a_400_with_the_error_body(actors, path):
    response = actors.client_for("investigator_a").get(path, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "detail"}
    assert "cursor" in response.json()["error"]["detail"]


def test_denied_investigator_calls_are_audited_too(actors):
    response = _token_client(actors.investigator_a, ["tips"]).get("/api/v1/investigator/cases/")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=Action.API_CALL, object_type="case")
    assert (event.actor_username, event.outcome, event.detail["status"]) == (
        "inv-a",
        Outcome.DENIED,
        403,
    )
    assert event.detail["token"] and event.detail["returned"] == []


def _queries(client: Client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def test_list_calls_make_as_many_queries_for_many_rows_as_for_one(actors):
    """No query per row (N+1) in the audited list calls: one tip or six, one ad or six."""
    from partners.services import tip_submit

    partner = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    admin = actors.client_for("admin")

    def tip() -> None:
        tip_submit(
            partner=actors.partner_x.partner,
            user=actors.partner_x,
            token=None,
            text="seen at the bus station",
            identifiers=[],
        )

    tip()
    make_ad(actors.source_a, title="one")
    # A token's first call also records its last use, and a session's first request its idle
    # clock (then each at most once a minute): not counted.
    _queries(partner, "/api/v1/partner/tips/")
    _queries(admin, "/api/v1/investigator/ads/")
    few = (_queries(partner, "/api/v1/partner/tips/"), _queries(admin, "/api/v1/investigator/ads/"))
    for i in range(5):
        tip()
        make_ad(actors.source_a, title=f"more {i}")
    many = (
        _queries(partner, "/api/v1/partner/tips/"),
        _queries(admin, "/api/v1/investigator/ads/"),
    )
    assert many == few
