"""The decision form says what to fix and keeps what was typed; a decision is confirmed and
offers the next item."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import QueueItem
from cases.stages import ads_queue_for_review
from tests.cases.factories import make_ad, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_items(actors) -> tuple[QueueItem, QueueItem]:
    first, second = make_ad(actors.source_a), make_ad(actors.source_a, body="Call 775-555-0100")
    score(first, risk=0.95)
    score(second, risk=0.6)
    ads_queue_for_review([first, second])
    return (
        QueueItem.objects.get(ad_id=first.pk),
        QueueItem.objects.get(ad_id=second.pk),
    )


def test_a_too_long_case_title_is_named_and_the_choice_and_text_are_kept(actors, two_items):
    item, _ = two_items
    client = actors.client_for("investigator_a")
    client.post(reverse("cases:item-claim", args=[item.pk]))
    title = "T" * 300
    response = client.post(
        reverse("cases:item-decide", args=[item.pk]),
        {"decision": "true_lead", "case_title": title, "reason": "same phone as last week"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Or title of a new case: Ensure this value has at most 200 characters" in html
    assert "Choose a decision" not in html
    assert 'value="true_lead" required checked' in html
    assert f'value="{title}"' in html and "same phone as last week</textarea>" in html
    assert QueueItem.objects.get(pk=item.pk).is_open


def test_a_decision_is_confirmed_and_offers_the_next_open_item(actors, two_items):
    item, other = two_items
    client = actors.client_for("investigator_a")
    client.post(reverse("cases:item-claim", args=[item.pk]))
    response = client.post(
        reverse("cases:item-decide", args=[item.pk]),
        {"decision": "not_a_lead", "reason": "a licensed spa"},
        follow=True,
    )
    html = response.content.decode()
    assert "Decision recorded." in html
    assert f'id="next-item"><a class="button" href="/cases/items/{other.pk}/"' in html
