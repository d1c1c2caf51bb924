"""'Who has seen ad X' finds every event that showed it: its page, lists, searches, exports,
packets, API calls and image reveals; ids are stored normalised; an id that is no record is a
form error, not "nobody"; the records an event showed are covered by the chain (issue #19 M6)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ads.demo_images import drawn_picture, encoded
from ads.media import ad_image_store
from audit.models import Action, AuditSeen
from audit.selectors import audit_viewers_of
from audit.services import audit_record, audit_verify_chain
from cases.stages import ads_queue_for_review
from tests.cases.factories import make_ad, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def ad(actors):
    ad = make_ad(actors.source_a, title="Upscale companion", body="Call 702-555-0134")
    score(ad)
    ads_queue_for_review([ad])
    return ad


def _who(ad) -> list[tuple[str, str]]:
    return [
        (e.actor_username, e.action) for e in audit_viewers_of(object_type="ad", object_id=ad.pk)
    ]


def test_a_search_that_listed_the_ad_counts_as_seeing_it(actors, ad) -> None:
    actors.client_for("investigator_a").get(reverse("cases:search") + "?q=upscale")
    assert _who(ad) == [("inv-a", Action.SEARCH)]


def test_the_queue_list_and_the_api_list_count(actors, ad) -> None:
    actors.client_for("supervisor_a").get(reverse("cases:queue"))
    actors.client_for("investigator_a").get("/api/v1/investigator/ads/")
    assert set(_who(ad)) == {("sup-a", Action.LIST), ("inv-a", Action.API_CALL)}


def test_exports_packets_and_image_reveals_count(actors, ad) -> None:
    from cases.services.cases import case_create

    case = case_create(title="c", unit=actors.unit_a, by=actors.investigator_a)
    case.ads.add(ad)
    image = ad_image_store(
        ad=ad, source_url="https://img.example.org/x.png", data=encoded(drawn_picture(2), "PNG")
    )
    client = actors.client_for("investigator_a")
    client.post(reverse("cases:case-csv", args=[case.pk]), {"justification": "j"})
    client.post(reverse("cases:case-packet", args=[case.pk]), {"justification": "j"})
    client.post(reverse("cases:ad-image-reveal", args=[ad.pk, image.pk]))
    actions = [action for _, action in _who(ad)]
    assert actions.count(Action.EXPORT) == 2 and Action.IMAGE_REVEAL in actions


def test_a_user_who_never_was_shown_the_ad_is_not_listed(actors, ad) -> None:
    actors.client_for("investigator_b").get(reverse("cases:search") + "?q=upscale")
    actors.client_for("investigator_b").get(reverse("cases:queue"))
    assert _who(ad) == []


def test_record_ids_are_stored_as_ascii_digits() -> None:
    event = audit_record(action=Action.VIEW, object_type="ad", object_id="٤٠١", seen={"ad": ["٤"]})
    assert event.object_id == "401"
    assert list(AuditSeen.objects.values_list("object_id", flat=True)) == ["4"]
    assert [e.pk for e in audit_viewers_of(object_type="ad", object_id="401")] == [event.pk]


def test_the_auditor_page_answers_and_refuses_non_records(actors, ad) -> None:
    actors.client_for("investigator_a").get(reverse("cases:search") + "?q=upscale")
    client = actors.client_for("auditor")
    url = reverse("admin:audit_who_has_seen")
    page = client.get(url, {"object_type": "ad", "object_id": str(ad.pk)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "inv-a" in html and "Search" in html
    for bad, message in (
        ("٤", "ASCII digits"),
        ("¹", "ASCII digits"),
        ("99999", "There is no ad 99999"),
    ):
        html = client.get(url, {"object_type": "ad", "object_id": bad}).content.decode()
        assert message in html, bad
        assert "Nobody has been shown" not in html, bad


def test_altering_the_records_an_event_showed_fails_verification(actors, ad) -> None:
    actors.client_for("investigator_a").get(reverse("cases:search") + "?q=upscale")
    assert audit_verify_chain()[1] == []
    AuditSeen.objects.filter(object_type="ad", object_id=str(ad.pk)).delete()
    problems = audit_verify_chain()[1]
    assert [p.problem for p in problems] == [
        "the records this event showed were altered (seen rows)"
    ]
