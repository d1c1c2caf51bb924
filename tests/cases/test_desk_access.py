"""Every desk endpoint answers each actor exactly as it should (pages and the API)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from cases.models import Alert, Case, QueueItem, SavedView, Watchlist
from cases.services.cases import case_create
from cases.services.watchlists import watchlist_create
from cases.stages import ads_queue_for_review
from tests.cases.factories import make_ad, score
from tests.conftest import ALL_ACTORS

pytestmark = pytest.mark.django_db

DESK_OK = {
    "anonymous": 302,
    "investigator_a": 200,
    "investigator_b": 200,
    "supervisor_a": 200,
    "partner_x": 403,
    "partner_y": 403,
    "auditor": 403,
    "admin": 200,
}
# A record of unit A: unit B's investigator gets a 404 (its existence is not confirmed).
UNIT_A = {**DESK_OK, "investigator_b": 404}


@dataclass
class World:
    item: QueueItem
    case: Case
    watch_owner: str


@pytest.fixture
def world(actors) -> World:
    ad = make_ad(actors.source_a, title="Hostile <b>title</b>")
    score(ad)
    ads_queue_for_review([ad])
    case = case_create(title="Case A", unit=actors.unit_a, by=actors.investigator_a)
    case.ads.add(ad)
    watch = watchlist_create(user=actors.investigator_a, kind="keyword", value="hostile")
    Alert.objects.create(watchlist=watch, ad=ad)
    SavedView.objects.create(user=actors.investigator_a, name="mine", query="mine=1")
    return World(item=QueueItem.objects.get(), case=case, watch_owner="investigator_a")


GETS = {
    "queue": (lambda w: reverse("cases:queue"), DESK_OK),
    "item": (lambda w: reverse("cases:item", args=[w.item.pk]), UNIT_A),
    "ad": (lambda w: reverse("cases:ad", args=[w.item.ad_id]), UNIT_A),
    "search": (lambda w: reverse("cases:search") + "?q=hostile", DESK_OK),
    "case-list": (lambda w: reverse("cases:case-list"), DESK_OK),
    "case": (lambda w: reverse("cases:case", args=[w.case.pk]), UNIT_A),
    "watchlists": (lambda w: reverse("cases:watchlists"), DESK_OK),
    "alerts": (lambda w: reverse("cases:alerts"), DESK_OK),
}


@pytest.mark.parametrize("name", list(GETS))
@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_pages_answer_each_actor_as_expected(actors, world, name, actor):
    url, expected = GETS[name]
    response = actors.client_for(actor).get(url(world))
    assert response.status_code == expected[actor], (name, actor)


# POSTs: a valid request by the actor; 302 = done and redirected.
OWN = {
    "anonymous": 302,
    "investigator_a": 302,
    "investigator_b": 404,
    "supervisor_a": 302,
    "partner_x": 403,
    "partner_y": 403,
    "auditor": 403,
    "admin": 302,
}
SUPERVISOR_ONLY = {**OWN, "investigator_a": 403}

DESK_POST = {**OWN, "investigator_b": 302}
POSTS = {
    "item-claim": (lambda w: reverse("cases:item-claim", args=[w.item.pk]), {}, OWN),
    "item-note": (lambda w: reverse("cases:item-note", args=[w.item.pk]), {"text": "seen"}, OWN),
    "item-due": (
        lambda w: reverse("cases:item-due", args=[w.item.pk]),
        {"due_at": "2026-12-01T10:00"},
        OWN,
    ),
    "item-assign": (
        lambda w: reverse("cases:item-assign", args=[w.item.pk]),
        {"username": "inv-a"},
        SUPERVISOR_ONLY,
    ),
    "case-note": (lambda w: reverse("cases:case-note", args=[w.case.pk]), {"text": "note"}, OWN),
    "case-member": (
        lambda w: reverse("cases:case-member", args=[w.case.pk]),
        {"username": "sup-a"},
        OWN,
    ),
    "case-status": (
        lambda w: reverse("cases:case-status", args=[w.case.pk]),
        {"status": "closed"},
        OWN,
    ),
    "case-create": (lambda w: reverse("cases:case-create"), {"title": "New"}, DESK_POST),
    "saved-view-save": (
        lambda w: reverse("cases:saved-view-save"),
        {"name": "v", "query": "a=1"},
        DESK_POST,
    ),
    "watchlists": (
        lambda w: reverse("cases:watchlists"),
        {"kind": "phone", "value": "(702) 555-0199", "frequency": "daily"},
        DESK_POST,
    ),
    "alerts-read": (lambda w: reverse("cases:alerts-read"), {"alert": "1"}, DESK_POST),
    "queue-csv": (
        lambda w: reverse("cases:queue-csv"),
        {"query": "status=all", "justification": "weekly review"},
        DESK_OK,  # exports answer the file itself
    ),
    "case-packet": (
        lambda w: reverse("cases:case-packet", args=[w.case.pk]),
        {"justification": "court request 12", "images": "blurred"},
        UNIT_A,
    ),
    "case-csv": (
        lambda w: reverse("cases:case-csv", args=[w.case.pk]),
        {"justification": "court request 12"},
        UNIT_A,
    ),
}


@pytest.mark.parametrize("name", list(POSTS))
@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_forms_answer_each_actor_as_expected(actors, world, name, actor):
    url, data, expected = POSTS[name]
    response = actors.client_for(actor).post(url(world), data)
    assert response.status_code == expected[actor], (name, actor)
    if actor == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_only_the_owner_can_delete_a_watchlist_or_saved_view(actors, world, actor):
    watch = Watchlist.objects.get()
    view = SavedView.objects.get()
    client = actors.client_for(actor)
    expected = {
        "anonymous": 302,
        "investigator_a": 302,
        "partner_x": 403,
        "partner_y": 403,
        "auditor": 403,
    }.get(actor, 404)
    assert client.post(reverse("cases:watchlist-delete", args=[watch.pk])).status_code == expected
    assert client.post(reverse("cases:saved-view-delete", args=[view.pk])).status_code == expected


def test_decide_as_the_holder_escalates_and_audits(actors, world):
    client = actors.client_for("investigator_a")
    client.post(reverse("cases:item-claim", args=[world.item.pk]))
    response = client.post(
        reverse("cases:item-decide", args=[world.item.pk]),
        {"decision": "true_lead", "case_number": world.case.number},
    )
    assert response.status_code == 302
    item = QueueItem.objects.get(pk=world.item.pk)
    assert item.case == world.case and item.status == "escalated"
    assert AuditEvent.objects.filter(
        action=Action.CHANGE, object_type="case", object_id=str(world.case.pk)
    ).exists()


def test_decide_without_the_claim_is_refused_with_a_message(actors, world):
    response = actors.client_for("investigator_a").post(
        reverse("cases:item-decide", args=[world.item.pk]), {"decision": "true_lead"}
    )
    assert response.status_code == 403
    assert b"Claim the item" in response.content


def test_a_second_claimer_through_htmx_sees_who_holds_the_item(actors, world):
    actors.client_for("investigator_a").post(reverse("cases:item-claim", args=[world.item.pk]))
    response = actors.client_for("supervisor_a").post(
        reverse("cases:item-claim", args=[world.item.pk]) + "?from=queue", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"Already claimed by inv-a" in response.content
    plain = actors.client_for("supervisor_a").post(
        reverse("cases:item-claim", args=[world.item.pk])
    )
    assert plain.status_code == 409


API = {
    "queue-list": (lambda w: "/api/v1/investigator/queue/", DESK_OK),
    "queue-detail": (lambda w: f"/api/v1/investigator/queue/{w.item.pk}/", UNIT_A),
    "case-list": (lambda w: "/api/v1/investigator/cases/", DESK_OK),
    "case-detail": (lambda w: f"/api/v1/investigator/cases/{w.case.pk}/", UNIT_A),
}
API_STATUS = {"anonymous": 401, "partner_x": 403, "partner_y": 403, "auditor": 403}


@pytest.mark.parametrize("name", list(API))
@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_the_api_answers_each_actor_as_expected(actors, world, name, actor):
    url, expected = API[name]
    response = actors.client_for(actor).get(url(world))
    assert response.status_code == API_STATUS.get(actor, expected[actor]), (name, actor)


def test_partner_tokens_cannot_reach_the_investigators_api(actors, world):
    from django.test import Client

    response = Client().get(
        "/api/v1/investigator/queue/", HTTP_AUTHORIZATION=f"Token {actors.token_x}"
    )
    assert response.status_code == 403


def test_api_claim_answers_409_with_the_holder_to_a_second_claimer(actors, world):
    url = f"/api/v1/investigator/queue/{world.item.pk}/claim/"
    first = actors.client_for("investigator_a").post(url)
    second = actors.client_for("supervisor_a").post(url)
    assert first.status_code == 200 and first.json()["claimed"] is True
    assert second.status_code == 409 and second.json()["holder"] == "inv-a"


def test_api_lists_are_audited_with_the_ids_returned(actors, world):
    actors.client_for("investigator_a").get("/api/v1/investigator/queue/")
    event = AuditEvent.objects.filter(action=Action.API_CALL, object_type="queue_item").get()
    assert event.detail["returned"] == [str(world.item.pk)]
