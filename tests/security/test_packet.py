"""Exports and the evidence packet: POST with CSRF and a typed justification (L10), only images of
ads the exporter may see, blurred unless revealed or chosen at export (M3), and the packet's
files as an investigator and a court need them (issue #18)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from ads.demo_images import drawn_picture, encoded
from ads.media import ad_image_store
from audit.models import Action, AuditEvent
from cases.models import QueueItem
from cases.services.cases import MEMBER_REFUSED, case_add_item, case_add_member, case_create
from tests.cases.factories import make_ad, network_of, score

pytestmark = pytest.mark.django_db

RISK = 0.912345678901234


@pytest.fixture
def world(actors):
    """A unit-A case on a network of one unit-A ad and one unit-B ad, each with an image."""
    mine = make_ad(
        actors.source_a,
        title="Sweet 🌹 new girl",
        body="Roses 🌹🍒 only. Call 702-555-0134 or mail ann@example.org",
    )
    theirs = make_ad(actors.source_b, body="Call 918-555-0122, unit B only")
    score(mine, risk=RISK)
    score(theirs, risk=0.99)
    network = network_of([mine, theirs])
    item = QueueItem.objects.create(
        kind="network", network=network, lead_ad=theirs, risk=0.99, size=2, status="new"
    )
    case = case_create(title="Roses", unit=actors.unit_a, by=actors.investigator_a)
    case_add_item(case=case, item=item, by=actors.investigator_a)
    mine_image = ad_image_store(
        ad=mine, source_url="https://img.example.org/a.png", data=encoded(drawn_picture(3), "PNG")
    )
    their_image = ad_image_store(
        ad=theirs, source_url="https://img.example.org/b.png", data=encoded(drawn_picture(4), "PNG")
    )
    return mine, theirs, case, mine_image, their_image


def _packet(client: Client, case, **data: str) -> zipfile.ZipFile:
    response = client.post(
        reverse("cases:case-packet", args=[case.pk]), {"justification": "court order 7", **data}
    )
    assert response.status_code == 200, response.status_code
    return zipfile.ZipFile(io.BytesIO(response.content))


def _read(archive: zipfile.ZipFile, case, name: str) -> bytes:
    return archive.read(f"{case.number}/{name}")


def _manifest(archive, case) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read(archive, case, "MANIFEST.csv").decode())))


# --- L10: exports are POSTs with CSRF and a justification from the form -----------------------
def _export_urls(case) -> list[str]:
    return [
        reverse("cases:queue-csv"),
        reverse("cases:case-packet", args=[case.pk]),
        reverse("cases:case-csv", args=[case.pk]),
    ]


def test_an_export_by_link_is_refused_and_writes_nothing(actors, world) -> None:
    case = world[2]
    client = actors.client_for("investigator_a")
    for url in _export_urls(case):
        assert client.get(url + "?justification=forged").status_code == 405, url
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_an_export_without_the_csrf_token_is_refused(actors, world) -> None:
    case = world[2]
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.investigator_a)
    for url in _export_urls(case):
        response = client.post(url, {"justification": "forged from another site"})
        assert response.status_code == 403, url
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_an_export_without_a_justification_makes_no_file(actors, world) -> None:
    case = world[2]
    client = actors.client_for("investigator_a")
    for url in _export_urls(case):
        response = client.post(url, {"justification": "  "})
        assert response.status_code == 302, url
        assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_case_page_exports_through_forms_with_the_token(actors, world) -> None:
    case = world[2]
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.investigator_a)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert f'action="{reverse("cases:case-packet", args=[case.pk])}"' in page
    assert f'href="{reverse("cases:case-packet", args=[case.pk])}"' not in page
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("cases:case-csv", args=[case.pk]),
        {"justification": "referral 9", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.justification == "referral 9"


def test_the_queue_page_exports_its_filters_through_a_form(actors, world) -> None:
    client = actors.client_for("investigator_a")
    page = client.get(reverse("cases:queue") + "?status=all").content.decode()
    assert 'id="queue-export"' in page and 'value="status=all"' in page
    response = client.post(
        reverse("cases:queue-csv"), {"query": "status=all", "justification": "weekly"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.justification == "weekly" and event.detail["filters"] == {"status": "all"}


# --- M3: images in the packet -----------------------------------------------------------------
def test_the_packet_holds_blurred_copies_of_visible_images_only(actors, world) -> None:
    mine, theirs, case, mine_image, their_image = world
    archive = _packet(actors.client_for("investigator_a"), case)
    rows = _manifest(archive, case)
    assert {r["ad_id"] for r in rows} == {str(mine.pk)}
    (image_row,) = [r for r in rows if r["url"] == "https://img.example.org/a.png"]
    assert image_row["kind"] == "blurred copy"
    assert image_row["original_sha256"] == mine_image.evidence.sha256
    data = _read(archive, case, image_row["file"])
    assert hashlib.sha256(data).hexdigest() == image_row["sha256"] != mine_image.evidence.sha256
    assert data.startswith(b"\xff\xd8")  # a JPEG re-encoding, not the PNG original
    names = archive.namelist()
    assert not [n for n in names if mine_image.evidence.sha256 in n and "/evidence/" in n]
    assert not [n for n in names if their_image.evidence.sha256 in n]
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail["images_blurred"] == [mine_image.pk]
    assert event.detail["images_original"] == []
    assert event.detail["ads"] == [mine.pk]


def test_an_image_the_exporter_revealed_goes_out_as_its_original(actors, world) -> None:
    mine, _, case, mine_image, _ = world
    client = actors.client_for("investigator_a")
    reveal = client.post(reverse("cases:ad-image-reveal", args=[mine.pk, mine_image.pk]))
    assert reveal.status_code == 302
    archive = _packet(client, case)
    (row,) = [r for r in _manifest(archive, case) if r["url"].endswith("/a.png")]
    assert row["kind"] == "image (revealed)" and row["file"].endswith(".png")
    assert _read(archive, case, row["file"]) == mine_image.evidence.read()
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail["images_original"] == [mine_image.pk]


def test_originals_chosen_at_export_are_audited_as_reveals(actors, world) -> None:
    mine, _, case, mine_image, their_image = world
    archive = _packet(actors.client_for("investigator_a"), case, images="originals")
    (row,) = [r for r in _manifest(archive, case) if r["url"].endswith("/a.png")]
    assert row["kind"] == "image (chosen at export)"
    reveals = AuditEvent.objects.filter(action=Action.IMAGE_REVEAL)
    assert [(e.object_id, e.justification) for e in reveals] == [
        (str(mine_image.pk), "court order 7")
    ]
    assert not [n for n in archive.namelist() if their_image.evidence.sha256 in n]


# --- issue #18: the packet's files ------------------------------------------------------------
def test_packet_files_have_extensions_and_ads_csv_has_risk_and_identifiers(actors, world) -> None:
    mine, _, case, _, _ = world
    archive = _packet(actors.client_for("investigator_a"), case)
    for row in _manifest(archive, case):
        assert row["file"].rsplit(".", 1)[-1] in {"json", "png", "jpg", "csv", "html"}, row
    ads = list(csv.DictReader(io.StringIO(_read(archive, case, "ads.csv").decode())))
    assert [(r["ad"], r["risk"]) for r in ads] == [(str(mine.pk), "0.91")]
    assert "phone:+17025550134" in ads[0]["identifiers"]
    assert "email:ann@example.org" in ads[0]["identifiers"]
    assert "918" not in ads[0]["identifiers"]


def test_verify_names_the_real_command(actors, world) -> None:
    case = world[2]
    text = _read(_packet(actors.client_for("investigator_a"), case), case, "VERIFY.txt").decode()
    assert "verify_audit_chain" in text and "audit_verify`" not in text
    from django.core.management import get_commands

    assert "verify_audit_chain" in get_commands()


def test_custody_events_name_the_record_and_what_changed(actors, world) -> None:
    case = world[2]
    client = actors.client_for("investigator_a")
    client.post(reverse("cases:case-status", args=[case.pk]), {"status": "closed"})
    custody = json.loads(_read(_packet(client, case), case, "CHAIN_OF_CUSTODY.json"))
    for event in custody["audit_events"] + custody["case_timeline"]:
        assert event["record"] and "changed" in event, event
    assert custody["audit_events"][0]["record"] == f"case {case.pk}"
    assert custody["audit_events"][0]["changed"] == {"change": "status"}
    status = [e for e in custody["case_timeline"] if e["kind"] == "status"]
    assert [(e["what"], e["changed"]) for e in status] == [("Status changed", "Closed")]


def test_the_pdf_prints_emoji_risk_in_two_decimals_and_a_summary(actors, world) -> None:
    from cases.exports import packet_plan
    from cases.packet_pdf import case_story, markup, packet_fonts

    mine, _, case, _, _ = world
    fonts = packet_fonts()
    assert fonts.symbols is not None, "install fonts-symbola (see README)"
    assert markup("🌹") == '<font name="PacketSymbols">🌹</font>'
    assert markup("<b>&") == "&lt;b&gt;&amp;"
    assert markup("a\u202eb") == "a[U+202E]b"
    from reportlab.graphics.shapes import Drawing

    from maps.models import AdLocation, Precision

    AdLocation.objects.create(
        ad=mine,
        lat=36.17,
        lng=-115.14,
        name="Las Vegas, NV",
        precision=Precision.CITY,
        geocoder_version="test",
    )
    plan = packet_plan(
        case=case, user=actors.investigator_a, justification="j", revealed=set(), choice="blurred"
    )
    assert plan.places == [("Las Vegas, NV", 36.17, -115.14, 1)]
    assert any(isinstance(f, Drawing) for f in case_story(plan))  # where the ads were posted
    texts: list[str] = []
    for flowable in case_story(plan):
        if hasattr(flowable, "text"):
            texts.append(flowable.text)
        for row in getattr(flowable, "_cellvalues", []):  # tables: each cell's paragraph
            texts.extend(cell.text for cell in row)
    joined = "\n".join(texts)
    assert "Risk 0.91 " in joined and "0.9123" not in joined
    assert "PacketSymbols" in joined  # the emoji of the ad text and title print from Symbola
    assert "Identifiers" in joined and "+17025550134" in joined and "918" not in joined
    assert "Networks" in joined and "Timeline" in joined
    assert "Case opened" in joined and "opened ·" not in joined
    pdf = _read(_packet(actors.client_for("investigator_a"), case), case, "case.pdf")
    assert pdf.startswith(b"%PDF") and b"Symbola" in pdf  # the font is embedded


def test_the_page_and_the_packet_say_when_members_see_different_ads(actors, world) -> None:
    case = world[2]
    case_add_member(case=case, user=actors.investigator_b, by=actors.investigator_a)
    page = actors.client_for("investigator_a").get(reverse("cases:case", args=[case.pk]))
    html = page.content.decode()
    assert "looks different to each member" in html
    assert "inv-a 1" in html and "inv-b 1" in html and "holds 2 ads" in html
    archive = _packet(actors.client_for("investigator_b"), case)
    custody = json.loads(_read(archive, case, "CHAIN_OF_CUSTODY.json"))
    assert custody["visibility"] == {
        "ads_in_case": 2,
        "ads_each_member_sees": {"inv-a": 1, "inv-b": 1},
        "looks_different_to_members": True,
    }
    from cases.exports import packet_plan
    from cases.packet_pdf import case_story

    plan = packet_plan(
        case=case, user=actors.investigator_b, justification="j", revealed=set(), choice="blurred"
    )
    texts = " ".join(getattr(f, "text", "") for f in case_story(plan))
    assert "this packet holds the 1 that inv-b may see" in texts


def test_one_unit_case_says_nothing_about_different_views(actors) -> None:
    ad = make_ad(actors.source_a)
    case = case_create(title="Plain", unit=actors.unit_a, by=actors.investigator_a)
    case.ads.add(ad)
    html = actors.client_for("investigator_a").get(reverse("cases:case", args=[case.pk]))
    assert "looks different" not in html.content.decode()


# --- the case-member form does not tell accounts apart ----------------------------------------
@pytest.mark.parametrize("username", ["nobody-at-all", "partner-x", "auditor", "admin"])
def test_the_member_form_gives_one_answer_for_every_refusal(actors, world, username) -> None:
    case = world[2]
    client = actors.client_for("investigator_a")
    response = client.post(
        reverse("cases:case-member", args=[case.pk]), {"username": username}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [MEMBER_REFUSED]
