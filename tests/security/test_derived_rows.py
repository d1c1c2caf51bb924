"""Derived rows follow the visibility of the ads they come from: a network spanning two units
gives neither unit the other's identifiers or ad ids (issue #19 H1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import QueueItem
from cases.services.cases import case_add_item, case_create
from tests.cases.factories import make_ad, network_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanning(actors):
    mine = make_ad(actors.source_a, body="Call 702-555-0134, ask for Ann")
    theirs = make_ad(actors.source_b, body="Call 702-555-0199 or mail secret.b@example.org")
    network = network_of([mine, theirs])
    # The network's lead ad is unit B's: the riskiest member, as the queue stage would pick.
    item = QueueItem.objects.create(
        kind="network", network=network, lead_ad=theirs, risk=0.9, size=2, status="new"
    )
    return mine, theirs, network, item


def test_a_case_page_lists_only_identifiers_behind_ads_the_viewer_may_see(actors, spanning):
    _, _, _, item = spanning
    case = case_create(title="Spanning", unit=actors.unit_a, by=actors.investigator_a)
    case_add_item(case=case, item=item, by=actors.investigator_a)
    values = set(case.entities.values_list("value", flat=True))
    assert "+17025550199" in values  # the case keeps what it was given
    page = actors.client_for("investigator_a").get(reverse("cases:case", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "+17025550134" in html
    assert "+17025550199" not in html and "secret.b@example.org" not in html
    admin = actors.client_for("admin").get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "secret.b@example.org" in admin


def test_the_queue_api_hides_a_lead_ad_of_another_unit(actors, spanning):
    mine, theirs, _, item = spanning
    from cases.models import QueueItemSource

    QueueItemSource.objects.get_or_create(item=item, source=actors.source_a)
    QueueItemSource.objects.get_or_create(item=item, source=actors.source_b)
    for actor, expected in (("investigator_a", None), ("investigator_b", theirs.pk)):
        client = actors.client_for(actor)
        detail = client.get(f"/api/v1/investigator/queue/{item.pk}/")
        assert detail.status_code == 200, actor
        assert detail.json()["lead_ad"] == expected, actor
        listed = client.get("/api/v1/investigator/queue/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert [r["lead_ad"] for r in rows if r["id"] == item.pk] == [expected], actor
