"""The queue says its indicators in plain words and filters on codes that exist (issue #18)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.stages import ads_queue_for_review
from tests.cases.factories import make_ad, score

pytestmark = pytest.mark.django_db


def test_queue_rows_name_indicators_in_words_and_the_filter_lists_real_codes(actors) -> None:
    ad = make_ad(actors.source_a, body="Escort agency, ask about duos")
    score(ad, codes=("agency", "several_people"))
    ads_queue_for_review([ad])
    html = actors.client_for("investigator_a").get(reverse("cases:queue")).content.decode()
    assert "an agency or someone else takes the bookings" in html
    assert "several women offered in one ad" in html
    assert 'value="third_person"' in html and "youth_cue" not in html
    filtered = actors.client_for("investigator_a").get(
        reverse("cases:queue"), {"indicator": "agency"}
    )
    assert 'value="agency" selected' in filtered.content.decode()


def test_the_indicator_list_counts_the_items_that_the_other_filters_choose(actors) -> None:
    reno = make_ad(actors.source_a, location_text="Reno, NV", extract=False)
    vegas = make_ad(actors.source_a, location_text="Las Vegas, NV", extract=False)
    other = make_ad(actors.source_a, location_text="Las Vegas, NV", extract=False)
    score(reno, codes=("agency",))
    score(vegas, codes=("agency", "several_people"))
    score(other, codes=("new_in_town",))
    ads_queue_for_review([reno, vegas, other])
    client = actors.client_for("investigator_a")
    html = client.get(reverse("cases:queue")).content.decode()
    assert "an agency or someone else takes the bookings (2)" in html
    assert "several women offered in one ad (1)" in html
    assert "written about her in the third person (0)" in html
    # Picking an indicator keeps the other codes' counts; another filter narrows them.
    picked = client.get(reverse("cases:queue"), {"indicator": "agency"}).content.decode()
    assert "several women offered in one ad (1)" in picked and 'value="agency" selected' in picked
    reno_only = client.get(reverse("cases:queue"), {"location": "reno"}).content.decode()
    assert "an agency or someone else takes the bookings (1)" in reno_only
    assert "several women offered in one ad (0)" in reno_only
