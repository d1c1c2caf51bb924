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
