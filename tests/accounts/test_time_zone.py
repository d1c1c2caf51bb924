"""A user chooses a time zone on their profile; their pages show times in it, with its name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from ads.models import Ad
from audit.models import Action, AuditEvent
from tests.cases.factories import make_ad

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _posted_at_noon_utc(actors) -> Ad:
    ad = make_ad(actors.source_a, extract=False)
    Ad.objects.filter(pk=ad.pk).update(posted_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    return ad


def test_a_chosen_zone_is_saved_audited_and_used_on_the_pages(actors):
    ad = _posted_at_noon_utc(actors)
    client = _client(actors.investigator_a)
    page = reverse("cases:ad", args=[ad.pk])
    assert "Posted 2026-01-15 12:00 UTC" in client.get(page).content.decode()
    response = client.post(reverse("profile"), {"time_zone": "America/Los_Angeles"})
    assert response.status_code == 302
    actors.investigator_a.refresh_from_db()
    assert actors.investigator_a.time_zone == "America/Los_Angeles"
    assert "Posted 2026-01-15 04:00 PST" in client.get(page).content.decode()
    event = AuditEvent.objects.get(object_type="user", action=Action.CHANGE)
    assert event.detail["to"] == "America/Los_Angeles"


def test_one_users_zone_is_not_another_users(actors):
    ad = _posted_at_noon_utc(actors)
    _client(actors.investigator_a).post(reverse("profile"), {"time_zone": "Asia/Tokyo"})
    page = reverse("cases:ad", args=[ad.pk])
    assert "2026-01-15 21:00 JST" in _client(actors.investigator_a).get(page).content.decode()
    other = _client(actors.supervisor_a).get(page).content.decode()
    assert "2026-01-15 12:00 UTC" in other


def test_an_unknown_zone_is_refused_and_the_choice_kept(actors):
    client = _client(actors.investigator_a)
    response = client.post(reverse("profile"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    actors.investigator_a.refresh_from_db()
    assert actors.investigator_a.time_zone == ""


def test_the_profile_is_for_signed_in_users_only(actors):
    assert Client().get(reverse("profile")).status_code == 302
    assert _client(actors.partner_x).get(reverse("profile")).status_code == 200
