"""A new revision never hides the old phone (issue #18): the identifiers an earlier revision had
stay on the ad, marked by that revision, and only the current text is highlighted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ads.models import Ad, EntityKind, EntityOccurrence
from ads.readers import records_from_payload
from ads.services import ads_ingest
from ads.stages import ads_extract_entities

pytestmark = pytest.mark.django_db


def _post(source, body: str) -> Ad:
    ads_ingest(
        source=source,
        rows=records_from_payload(
            [
                {
                    "external_id": "rev-1",
                    "title": "Sweet escort",
                    "body": body,
                    "url": "https://example.test/rev-1",
                    "posted_at": datetime(2026, 11, 1, 12, 0, tzinfo=UTC).isoformat(),
                    "location_text": "Las Vegas, NV",
                }
            ]
        ),
    )
    ad = Ad.objects.get(source=source, external_id="rev-1")
    ads_extract_entities([ad])
    return ad


def _phones(ad: Ad) -> dict[str, int]:
    return dict(
        EntityOccurrence.objects.filter(ad=ad, entity__kind=EntityKind.PHONE).values_list(
            "entity__value", "revision"
        )
    )


def test_a_revision_keeps_the_old_phone_marked_by_its_revision(actors):
    first = _post(actors.source_a, "Call 702-555-0134 today")
    assert _phones(first) == {"+17025550134": 1}
    second = _post(actors.source_a, "New number: call 702-555-0199 today")
    assert second.revision_count == 2
    assert _phones(second) == {"+17025550134": 1, "+17025550199": 2}
    # Extracting the same revision again changes nothing.
    ads_extract_entities([second])
    assert _phones(second) == {"+17025550134": 1, "+17025550199": 2}


def test_a_phone_that_both_revisions_have_is_counted_once_at_the_latest(actors):
    _post(actors.source_a, "Call 702-555-0134 today")
    ad = _post(actors.source_a, "Still at 702-555-0134, incall only")
    assert _phones(ad) == {"+17025550134": 2}


def test_the_ad_page_lists_the_old_phone_and_highlights_only_the_current_text(actors):
    _post(actors.source_a, "Call 702-555-0134 today")
    ad = _post(actors.source_a, "New number: call 702-555-0199 today")
    html = actors.client_for("investigator_a").get(reverse("cases:ad", args=[ad.pk])).content
    html = html.decode()
    assert "+17025550134" in html and "in revision 1 only" in html
    assert html.count('class="ent ent-phone"') == 1


def test_an_old_phone_still_finds_the_ad_but_links_no_ads(actors):
    from ads.models import Entity

    _post(actors.source_a, "Call 702-555-0134 today")
    ad = _post(actors.source_a, "New number: call 702-555-0199 today")
    old = Entity.objects.get(kind=EntityKind.PHONE, value="+17025550134")
    assert not EntityOccurrence.objects.current().filter(entity=old).exists()
    page = actors.client_for("investigator_a").get(reverse("cases:search"), {"entity": old.pk})
    assert f'href="{reverse("cases:ad", args=[ad.pk])}"' in page.content.decode()
