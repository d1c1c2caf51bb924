"""Pages link on to cases: add an ad, a network or an identifier to an open case or a new one,
from its own page; a "true lead" offers the open cases that already hold it first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ads.models import Entity, EntityKind
from audit.models import AuditEvent
from cases.models import Case, CaseEvent, CaseStatus, QueueItem
from cases.services.cases import case_add_ad, case_create
from cases.stages import ads_queue_for_review
from tests.cases.factories import make_ad, network_of, score

pytestmark = pytest.mark.django_db


def _attach(client, **data):
    return client.post(reverse("cases:case-attach"), data)


def test_an_ad_is_added_to_an_open_case_from_its_page_with_its_identifiers(actors):
    ad = make_ad(actors.source_a, body="Call 702-555-0134, ask for Rosa")
    case = case_create(title="Strip hotels", unit=actors.unit_a, by=actors.investigator_a)
    client = actors.client_for("investigator_a")
    page = client.get(reverse("cases:ad", args=[ad.pk])).content.decode()
    assert 'action="/cases/cases/add/"' in page and f'value="{case.pk}"' in page
    assert "Not in any case you can see." in page

    back = reverse("cases:ad", args=[ad.pk])
    response = _attach(client, kind="ad", object_id=ad.pk, case=case.pk, next=back)
    assert response.status_code == 302 and response["Location"] == back
    assert list(case.ads.values_list("pk", flat=True)) == [ad.pk]
    phone = Entity.objects.get(kind=EntityKind.PHONE)
    assert case.entities.filter(pk=phone.pk).exists()
    assert CaseEvent.objects.filter(case=case, kind="item_added", text=f"Added ad {ad.pk}").exists()
    event = AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).last()
    assert event.detail == {"change": "add", "kind": "ad", "id": ad.pk}
    page = client.get(back).content.decode()
    assert f'class="case-link">case {case.number}</a>' in page


def test_a_network_opens_a_new_case_and_links_to_its_review_item(actors):
    ads = [make_ad(actors.source_a, body=f"Call 702-555-01{i:02d}") for i in range(2)]
    network = network_of(ads)
    client = actors.client_for("investigator_a")
    page = client.get(reverse("analytics:network", args=[network.pk])).content.decode()
    assert "Open a case titled" in page
    response = _attach(client, kind="network", object_id=network.pk, case_title="Two phones")
    case = Case.objects.get(title="Two phones")
    assert response["Location"] == reverse("cases:case", args=[case.pk])
    assert list(case.networks.values_list("pk", flat=True)) == [network.pk]
    assert case.unit == actors.unit_a
    case_page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert f'href="/analytics/networks/{network.pk}/" class="case-network"' in case_page


def test_an_identifier_is_added_from_its_profile(actors):
    make_ad(actors.source_a, body="Call 702-555-0134")
    phone = Entity.objects.get(kind=EntityKind.PHONE)
    case = case_create(title="Phones", unit=actors.unit_a, by=actors.investigator_a)
    client = actors.client_for("investigator_a")
    page = client.get(reverse("analytics:entity", args=[phone.pk])).content.decode()
    assert 'name="kind" value="entity"' in page
    _attach(client, kind="entity", object_id=phone.pk, case=case.pk)
    assert list(case.entities.values_list("pk", flat=True)) == [phone.pk]
    assert case.ads.count() == 0


def test_the_case_page_adds_an_ad_by_its_number(actors):
    ad = make_ad(actors.source_a)
    case = case_create(title="By number", unit=actors.unit_a, by=actors.investigator_a)
    client = actors.client_for("investigator_a")
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'id="case-add-ad"' in page
    _attach(client, kind="ad", object_id=ad.pk, case=case.pk)
    assert case.ads.filter(pk=ad.pk).exists()


def test_nobody_adds_what_they_may_not_see_or_to_a_case_they_may_not_see(actors):
    other_units_ad = make_ad(actors.source_b)
    mine = make_ad(actors.source_a)
    theirs = case_create(title="Unit B", unit=actors.unit_b, by=actors.investigator_b)
    ours = case_create(title="Unit A", unit=actors.unit_a, by=actors.investigator_a)
    client = actors.client_for("investigator_a")
    assert _attach(client, kind="ad", object_id=other_units_ad.pk, case=ours.pk).status_code == 404
    assert _attach(client, kind="ad", object_id=mine.pk, case=theirs.pk).status_code == 404
    assert ours.ads.count() == 0 and theirs.ads.count() == 0
    for role in ("partner_x", "auditor"):
        response = _attach(actors.client_for(role), kind="ad", object_id=mine.pk, case=ours.pk)
        assert response.status_code in (302, 403)
        assert ours.ads.count() == 0


def test_a_closed_case_or_no_choice_is_refused_with_a_reason(actors):
    ad = make_ad(actors.source_a)
    case = case_create(title="Done", unit=actors.unit_a, by=actors.investigator_a)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    client = actors.client_for("investigator_a")
    back = reverse("cases:ad", args=[ad.pk])
    response = _attach(client, kind="ad", object_id=ad.pk, case=case.pk, next=back)
    assert response["Location"] == back
    page = client.get(back).content.decode()
    assert f"Case {case.number} is closed: reopen it first." in page
    _attach(client, kind="ad", object_id=ad.pk, next=back)
    refused = client.get(back).content.decode()
    assert "Choose an open case, or give a title to open a new one." in refused
    # A next address off this site is not followed.
    response = _attach(
        client, kind="ad", object_id=ad.pk, case_title="X", next="https://evil.test/"
    )
    assert response["Location"].startswith("/cases/cases/")
    assert case.ads.count() == 0


def _claimed_lead_of_a_followed_phone(actors):
    """An open case holding an ad with a phone, and a claimed review item of a new ad with it."""
    earlier = make_ad(actors.source_a, body="Call 702-555-0188 tonight")
    case = case_create(title="Phone 0188", unit=actors.unit_a, by=actors.investigator_a)
    case_add_ad(case=case, ad_id=earlier.pk, by=actors.investigator_a)
    ad = make_ad(actors.source_a, body="New photos, call 702-555-0188")
    score(ad, risk=0.95)
    ads_queue_for_review([ad])
    item = QueueItem.objects.get(ad_id=ad.pk)
    client = actors.client_for("investigator_a")
    client.post(reverse("cases:item-claim", args=[item.pk]))
    return case, ad, item, client


def test_a_true_lead_offers_the_open_cases_that_already_hold_its_identifiers(actors):
    case, ad, item, client = _claimed_lead_of_a_followed_phone(actors)
    page = client.get(reverse("cases:item", args=[item.pk])).content.decode()
    assert 'id="related-cases"' in page and f'name="case_pick" value="{case.pk}"' in page

    decide = reverse("cases:item-decide", args=[item.pk])
    response = client.post(decide, {"decision": "true_lead", "reason": "same phone"})
    assert response.status_code == 400
    assert f"Open cases already hold this ad, its network or its identifiers ({case.number})" in (
        response.content.decode()
    )
    assert Case.objects.count() == 1 and QueueItem.objects.get(pk=item.pk).is_open

    client.post(decide, {"decision": "true_lead", "reason": "same phone", "case_pick": case.pk})
    item.refresh_from_db()
    assert item.case_id == case.pk and Case.objects.count() == 1
    assert case.ads.filter(pk=ad.pk).exists()


def test_a_true_lead_with_a_title_still_opens_a_new_case(actors):
    _, _, item, client = _claimed_lead_of_a_followed_phone(actors)
    client.post(
        reverse("cases:item-decide", args=[item.pk]),
        {"decision": "true_lead", "reason": "r", "case_title": "A separate one"},
    )
    assert Case.objects.filter(title="A separate one").exists()
    assert QueueItem.objects.get(pk=item.pk).case.title == "A separate one"
