"""The movement page says "a cue, not proof" once, and each cue in a short line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ads.models import Entity, EntityOccurrence
from tests.maps.test_views_map import place

pytestmark = pytest.mark.django_db


def test_the_disclaimer_is_said_once_for_many_cues(actors):
    entity = Entity.objects.create(kind="phone", value="+17025550143")
    cue = {
        "kind": "area_code_far_from_posting",
        "phone": "+17025550143",
        "distance_km": 2400,
        "posting": "Chicago, IL, US",
        "area_code_place": "Las Vegas, NV, US",
        "message": "The phone's area code … this is a cue to look at, not evidence of travel.",
    }
    for day in range(1, 6):
        ad = place(
            actors.source_a,
            lat=41.9,
            lng=-87.6,
            name="Chicago, IL, US",
            posted=datetime(2024, 3, day, tzinfo=UTC),
            cues=[cue],
        )
        EntityOccurrence.objects.create(ad=ad, entity=entity, revision=1, start=0, end=0)
    html = (
        actors.client_for("investigator_a")
        .get(reverse("maps:movement", args=[entity.pk]))
        .content.decode()
    )
    assert html.count("not proof") == 1
    assert "not evidence of travel" not in html
    assert html.count("area code of <bdi>Las Vegas, NV, US</bdi>, at least 2,400 km from") == 5
