"""Watchlist matching and e-mail (immediate and digests), evidence packets and safe CSVs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.models import Alert, DecisionKind, QueueItem
from cases.services.cases import case_create
from cases.services.triage import queue_item_claim, queue_item_decide
from cases.services.watchlists import (
    watchlist_create,
    watchlists_match_ads,
    watchlists_send_digests,
)
from cases.stages import ads_queue_for_review
from maps.models import AdLocation
from tests.cases.factories import make_ad, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def watcher(actors):
    actors.investigator_a.email = "inv-a@example.test"
    actors.investigator_a.save()
    return actors.investigator_a


def test_a_phone_watch_matches_the_number_written_any_way(actors, watcher):
    watch = watchlist_create(user=watcher, kind="phone", value="702.555.0134", frequency="daily")
    assert watch.value == "+17025550134"
    hit = make_ad(actors.source_a, body="call seven oh two 555 0134 or 702-555-0134")
    miss = make_ad(actors.source_a, body="call 702-555-0199")
    alerts = watchlists_match_ads(ad_ids=[hit.pk, miss.pk])
    assert [a.ad_id for a in alerts] == [hit.pk]


def test_matching_twice_makes_one_alert(actors, watcher):
    watchlist_create(user=watcher, kind="keyword", value="New In Town", frequency="daily")
    ad = make_ad(actors.source_a, body="just new in town")
    watchlists_match_ads(ad_ids=[ad.pk])
    watchlists_match_ads(ad_ids=[ad.pk])
    assert Alert.objects.count() == 1


def test_no_alert_for_an_ad_the_watcher_cannot_see(actors, watcher):
    watchlist_create(user=watcher, kind="keyword", value="new in town")
    other_unit = make_ad(actors.source_b, body="new in town")
    assert watchlists_match_ads(ad_ids=[other_unit.pk]) == []


def test_an_area_watch_matches_ads_inside_its_box(actors, watcher):
    watchlist_create(
        user=watcher, kind="area", bbox=(35.9, -115.4, 36.4, -114.9), frequency="daily"
    )
    inside = make_ad(actors.source_a, extract=False)
    outside = make_ad(actors.source_a, extract=False)
    AdLocation.objects.create(
        ad=inside, lat=36.17, lng=-115.14, precision="city", geocoder_version="t"
    )
    AdLocation.objects.create(
        ad=outside, lat=34.05, lng=-118.24, precision="city", geocoder_version="t"
    )
    assert [a.ad_id for a in watchlists_match_ads(ad_ids=[inside.pk, outside.pk])] == [inside.pk]


def test_a_handle_watch_matches_on_any_platform(actors, watcher):
    watchlist_create(user=watcher, kind="handle", value="@sweetamy22", frequency="daily")
    ad = make_ad(actors.source_a, body="snap: sweetamy22 for pics")
    assert [a.ad_id for a in watchlists_match_ads(ad_ids=[ad.pk])] == [ad.pk]


def test_invalid_watches_are_refused(actors, watcher):
    with pytest.raises(ValidationError):
        watchlist_create(user=watcher, kind="phone", value="not a number")
    with pytest.raises(ValidationError):
        watchlist_create(user=watcher, kind="area", bbox=(40, 0, 30, 1))


@pytest.mark.django_db(transaction=True)
def test_an_immediate_watch_emails_links_but_never_ad_text(actors, watcher):
    watchlist_create(user=watcher, kind="keyword", value="private party", frequency="immediate")
    ad = make_ad(actors.source_a, body="private party tonight, ask for Amy")
    score(ad)
    ads_queue_for_review([ad])  # the stage enqueues matching after commit (eager in tests)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["inv-a@example.test"]
    assert reverse("cases:ad", args=[ad.pk]) in message.body
    assert "Amy" not in message.body and "private party" not in message.body
    assert Alert.objects.get().emailed_at is not None


def test_digests_wait_for_their_period_then_send_once(actors, watcher):
    watch = watchlist_create(
        user=watcher, kind="keyword", value="private party", frequency="hourly"
    )
    ad = make_ad(actors.source_a, body="private party")
    watchlists_match_ads(ad_ids=[ad.pk])
    assert mail.outbox == []
    assert watchlists_send_digests() == 1
    assert watchlists_send_digests() == 0
    second = make_ad(actors.source_a, body="another private party")
    watchlists_match_ads(ad_ids=[second.pk])
    assert watchlists_send_digests() == 0  # sent less than an hour ago
    assert watchlists_send_digests(now=timezone.now() + timedelta(hours=1, minutes=1)) == 1
    assert len(mail.outbox) == 2 and watch.alerts.filter(emailed_at__isnull=True).count() == 0


def test_alerts_show_on_the_dashboard_and_opening_the_ad_marks_them_read(actors, watcher):
    watchlist_create(user=watcher, kind="keyword", value="private party", frequency="daily")
    ad = make_ad(actors.source_a, body="private party")
    watchlists_match_ads(ad_ids=[ad.pk])
    client = actors.client_for("investigator_a")
    assert b"1 unread watchlist alert" in client.get(reverse("cases:queue")).content
    client.get(reverse("cases:ad", args=[ad.pk]))
    assert Alert.objects.get().read_at is not None


@pytest.fixture
def escalated_case(actors):
    ad = make_ad(actors.source_a, title='=HYPERLINK("http://evil")', body="call 702-555-0134")
    score(ad)
    ads_queue_for_review([ad])
    item = QueueItem.objects.get()
    queue_item_claim(item=item, user=actors.investigator_a)
    queue_item_decide(
        item=item,
        user=actors.investigator_a,
        decision=DecisionKind.TRUE_LEAD,
        case_title="Vegas lead",
    )
    return QueueItem.objects.get().case


def test_the_evidence_packet_holds_raw_bytes_hashes_pdf_custody_and_instructions(
    actors, escalated_case
):
    case = escalated_case
    response = actors.client_for("investigator_a").post(
        reverse("cases:case-packet", args=[case.pk]), {"justification": "court order 7"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert {
        "MANIFEST.csv",
        "case.pdf",
        "CHAIN_OF_CUSTODY.json",
        "VERIFY.txt",
        "SHA256SUMS",
    } <= names
    prefix = f"{case.number}/"
    manifest = list(csv.DictReader(io.StringIO(archive.read(prefix + "MANIFEST.csv").decode())))
    assert len(manifest) == 1
    assert manifest[0]["file"].endswith(".json")
    raw = archive.read(prefix + manifest[0]["file"])
    assert hashlib.sha256(raw).hexdigest() == manifest[0]["sha256"] and manifest[0]["captured_at"]
    for line in archive.read(prefix + "SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(prefix + name)).hexdigest() == digest, name
    assert archive.read(prefix + "case.pdf").startswith(b"%PDF")
    custody = json.loads(archive.read(prefix + "CHAIN_OF_CUSTODY.json"))
    assert [e["kind"] for e in custody["queue_item_events"]] == ["created", "claimed", "escalated"]
    assert custody["audit_events"][-1]["action"] == Action.EXPORT
    assert b"sha256sum -c SHA256SUMS" in archive.read(prefix + "VERIFY.txt")
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.justification == "court order 7"


def test_csv_exports_neutralise_formulas(actors, escalated_case):
    client = actors.client_for("investigator_a")
    body = client.post(
        reverse("cases:case-csv", args=[escalated_case.pk]), {"justification": "t"}
    ).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][4] == '\'=HYPERLINK("http://evil")'
    queue = client.post(
        reverse("cases:queue-csv"), {"query": "status=all", "justification": "t"}
    ).content.decode()
    assert "'=HYPERLINK" in queue and ",=HYPERLINK" not in queue


def test_case_numbers_are_sequential_within_a_year(actors):
    first = case_create(title="one", unit=actors.unit_a, by=actors.investigator_a)
    second = case_create(title="two", unit=actors.unit_a, by=actors.investigator_a)
    year = timezone.now().year
    assert (first.number, second.number) == (f"{year}-000001", f"{year}-000002")


def test_a_case_is_visible_to_its_unit_and_its_members_only(actors):
    from cases.models import Case
    from cases.services.cases import case_add_member

    case = case_create(title="one", unit=actors.unit_a, by=actors.investigator_a)
    assert set(Case.objects.visible_to(actors.supervisor_a)) == {case}
    assert not Case.objects.visible_to(actors.investigator_b).exists()
    case_add_member(case=case, user=actors.investigator_b, by=actors.investigator_a)
    assert set(Case.objects.visible_to(actors.investigator_b)) == {case}
    assert not Case.objects.visible_to(actors.auditor).exists()


def test_the_evidence_packet_carries_the_ads_images_with_their_hashes(actors, escalated_case):
    from ads.demo_images import drawn_picture, encoded
    from ads.media import ad_image_store
    from ads.models import Ad

    ad = Ad.objects.get()
    picture = encoded(drawn_picture(5), "PNG")
    image = ad_image_store(ad=ad, source_url="https://img.example.org/a.png", data=picture)
    response = actors.client_for("investigator_a").post(
        reverse("cases:case-packet", args=[escalated_case.pk]),
        {"justification": "court order 7", "images": "originals"},
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    prefix = f"{escalated_case.number}/"
    manifest = list(csv.DictReader(io.StringIO(archive.read(prefix + "MANIFEST.csv").decode())))
    (row,) = [r for r in manifest if r["url"] == "https://img.example.org/a.png"]
    assert row["sha256"] == image.evidence.sha256 == hashlib.sha256(picture).hexdigest()
    assert (row["content_type"], row["ad_id"]) == ("image/png", str(ad.pk))
    assert archive.read(prefix + row["file"]) == picture
    sums = archive.read(prefix + "SHA256SUMS").decode()
    assert f"{row['sha256']}  {row['file']}" in sums
