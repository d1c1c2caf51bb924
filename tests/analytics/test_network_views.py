"""Network and entity pages: every actor, visibility across units, escaping, audit, merges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ads.models import Ad, Entity, EntityKind
from ads.readers import records_from_payload
from ads.services import ads_ingest
from ads.stages import ads_extract_entities
from analytics import selectors
from analytics.models import AdNetwork, Network
from analytics.stages import ads_link
from audit.models import Action, AuditEvent
from tests.conftest import ALL_ACTORS

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
_n = iter(range(1, 1_000_000))


def ingest(source, body: str, title: str = "Ad") -> Ad:
    ext = f"v-{next(_n)}"
    ads_ingest(
        source=source,
        rows=records_from_payload(
            [
                {
                    "external_id": ext,
                    "title": title,
                    "body": body,
                    "posted_at": datetime(2026, 3, 1, 12, tzinfo=UTC).isoformat(),
                    "location_text": "Reno, NV",
                }
            ]
        ),
    )
    ad = Ad.objects.get(external_id=ext)
    ads_extract_entities([ad])
    return ad


@pytest.fixture
def world(actors, settings):
    """Network 1 spans units A and B through one phone; network 2 lies in unit A only."""
    settings.PIPELINE_ENQUEUE = False
    a1 = ingest(actors.source_a, "Sweet companion, call 702-555-0134", title=HOSTILE)
    a2 = ingest(actors.source_a, "New in town, text 702-555-0134", title="Unit A words")
    b1 = ingest(actors.source_b, "Visiting Reno, 702-555-0134 now", title="Unit B words")
    a3 = ingest(actors.source_a, "Bike for sale, call 775-555-0101", title="Bike")
    a4 = ingest(actors.source_a, "Lamp for sale, call 775-555-0101", title="Lamp")
    ads_link([a1, a2, b1, a3, a4])
    spanning = AdNetwork.objects.get(ad=a1).network
    local = AdNetwork.objects.get(ad=a3).network
    phone = Entity.objects.get(kind=EntityKind.PHONE, value="+17025550134")
    return {"spanning": spanning, "local": local, "phone": phone, "a1": a1, "b1": b1}


def expected(actor: str, *, visible_to_b: bool) -> int:
    if actor == "anonymous":
        return 302
    if actor in {"partner_x", "partner_y", "auditor"}:
        return 403
    if actor == "investigator_b" and not visible_to_b:
        return 404
    return 200


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_every_actor_gets_the_exact_status_on_each_page(actors, world, actor):
    client = actors.client_for(actor)
    pages = [
        ("analytics:network", world["spanning"].pk, True),
        ("analytics:network", world["local"].pk, False),
        ("analytics:entity", world["phone"].pk, True),
        ("analytics:entity", Entity.objects.get(value="+17755550101").pk, False),
    ]
    for name, pk, visible_to_b in pages:
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == expected(actor, visible_to_b=visible_to_b), (name, pk)
    response = client.get(reverse("analytics:network-list"))
    assert response.status_code == expected(actor, visible_to_b=True)


def test_a_network_is_drawn_only_from_the_visible_ads(actors, world):
    page = actors.client_for("investigator_b").get(
        reverse("analytics:network", args=[world["spanning"].pk])
    )
    html = page.content.decode()
    assert "Unit B words" in html
    assert "Unit A words" not in html and "onerror" not in html, html[html.find("Unit A") :][:300]
    assert "2 ads of this network are outside your visibility" in html
    assert page.context["d"].hidden_count == 2
    assert [ad.pk for ad in page.context["d"].ads] == [world["b1"].pk]
    node_ids = {n["data"]["id"] for n in page.context["d"].graph["elements"]["nodes"]}
    assert node_ids == {f"ad{world['b1'].pk}", f"e{world['phone'].pk}"}


def test_hostile_ad_text_is_escaped_in_the_page_and_the_graph_data(actors, world):
    page = actors.client_for("investigator_a").get(
        reverse("analytics:network", args=[world["spanning"].pk])
    )
    html = page.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html  # the ads table, escaped
    assert "\\u003Cscript\\u003Ealert" in html  # the graph data, through json_script
    assert "Unit A words" in html and "Unit B words" not in html


def test_viewing_a_network_and_an_entity_is_audited_with_the_ads_shown(actors, world):
    client = actors.client_for("investigator_a")
    client.get(reverse("analytics:network", args=[world["spanning"].pk]))
    client.get(reverse("analytics:entity", args=[world["phone"].pk]))
    network_event = AuditEvent.objects.get(action=Action.VIEW, object_type="network")
    assert network_event.object_id == str(world["spanning"].pk)
    assert sorted(network_event.detail["ads"]) == sorted(
        Ad.objects.filter(
            source=actors.source_a, network_membership__network=world["spanning"]
        ).values_list("pk", flat=True)
    )
    entity_event = AuditEvent.objects.get(action=Action.VIEW, object_type="entity")
    assert entity_event.object_id == str(world["phone"].pk) and len(entity_event.detail["ads"]) == 2


def test_a_merged_network_redirects_to_the_network_that_absorbed_it(actors, world):
    Network.objects.filter(pk=world["local"].pk).update(merged_into=world["spanning"])
    AdNetwork.objects.filter(network=world["local"]).update(network=world["spanning"])
    response = actors.client_for("admin").get(
        reverse("analytics:network", args=[world["local"].pk])
    )
    assert response.status_code == 302
    assert response.url == reverse("analytics:network", args=[world["spanning"].pk])


def test_a_network_split_off_another_says_so(actors, world):
    Network.objects.filter(pk=world["local"].pk).update(split_from=world["spanning"])
    response = actors.client_for("investigator_a").get(
        reverse("analytics:network", args=[world["local"].pk])
    )
    assert response.status_code == 200
    parent = reverse("analytics:network", args=[world["spanning"].pk])
    assert f'split off <a href="{parent}">network {world["spanning"].pk}</a>' in response.text


def test_the_entity_page_shows_visible_ads_on_a_timeline_and_links_the_movement_map(actors, world):
    response = actors.client_for("investigator_b").get(
        reverse("analytics:entity", args=[world["phone"].pk])
    )
    html = response.content.decode()
    assert "Unit B words" in html and "Unit A words" not in html
    assert "3 in all, the others outside your visibility" in html
    assert reverse("maps:movement", args=[world["phone"].pk]) in html
    assert [day for day, _ in response.context["d"].days] == ["2026-03-01"]
    assert "treated as common" not in html


def test_an_identifier_over_the_limit_is_shown_as_common(actors, world, monkeypatch):
    monkeypatch.setattr(selectors, "COMMON_ENTITY_LIMIT", 2)
    response = actors.client_for("admin").get(reverse("analytics:entity", args=[world["phone"].pk]))
    assert "treated as common" in response.content.decode()


def test_the_network_list_shows_only_networks_with_a_visible_ad(actors, world):
    listed = actors.client_for("investigator_b").get(reverse("analytics:network-list"))
    assert [n.pk for n in listed.context["networks"]] == [world["spanning"].pk]
    everything = actors.client_for("admin").get(reverse("analytics:network-list"))
    assert {n.pk for n in everything.context["networks"]} == {
        world["spanning"].pk,
        world["local"].pk,
    }


def test_the_network_page_counts_ads_and_identifiers_not_pairs(actors, world):
    page = actors.client_for("investigator_a").get(
        reverse("analytics:network", args=[world["spanning"].pk])
    )
    html = page.content.decode()
    # Unit A sees two of the three ads sharing the phone: 2 ads and 1 identifier, not pairs.
    assert "Phone number: 1 identifier shared by 2 ads" in html
    assert page.context["d"].evidence == [
        {"kind": "phone", "label": "Phone number", "ads": 2, "identifiers": 1}
    ]
    assert "Shared share" not in html
    assert "No two visible ads of this network share a text" in html


def test_near_identical_ads_are_one_template_node_with_their_count(actors, world, settings):
    settings.RISK_FLAG_THRESHOLD = 0.42
    body = (
        "Quiet upscale companion quorbel vantissa melbrook visiting this week, dravenly "
        "custerine pollimar zenthaw gentlemen only, call 702-555-0188 {n}"
    )
    ads = [ingest(actors.source_a, body.format(n=n), title=f"Repost {n}") for n in "abc"]
    ads_link(ads)
    network = AdNetwork.objects.get(ad=ads[0]).network
    page = actors.client_for("investigator_a").get(reverse("analytics:network", args=[network.pk]))
    graph = page.context["d"].graph
    kinds = sorted(n["data"]["kind"] for n in graph["elements"]["nodes"])
    assert kinds == ["phone", "template"]
    (template,) = [n["data"] for n in graph["elements"]["nodes"] if n["data"]["kind"] == "template"]
    assert template["count"] == 3
    assert len(graph["elements"]["edges"]) == 1  # the phone to the template, not to each ad
    assert graph["risk_threshold"] == 0.42
    html = page.content.decode()
    assert "risk ≥ 0.42" in html and 'data-link-kind="phone"' in html


BRAND = (
    "Quiet upscale companion quorbel vantissa melbrook visiting this week, dravenly "
    "custerine pollimar zenthaw gentlemen only, call {phone} ask for {name}"
)


def test_a_template_posted_with_two_phones_is_recorded_with_each_ads_slots_and_is_the_lead(
    actors,
):
    ads = [
        ingest(actors.source_a, BRAND.format(phone="702-555-0161", name="Lola"), title="One"),
        ingest(actors.source_a, BRAND.format(phone="702-555-0161", name="Jade"), title="Two"),
        ingest(actors.source_b, BRAND.format(phone="702-555-0162", name="Mia"), title="Three"),
    ]
    ads_link(ads)
    network = AdNetwork.objects.get(ad=ads[0]).network
    network.refresh_from_db()
    (stored,) = network.template["templates"]
    assert [row["ad_id"] for row in stored["rows"]] == [ad.pk for ad in ads]
    assert stored["phones"] == ["+17025550161", "+17025550162"]
    assert "2 phones" in stored["lead"]
    html = actors.client_for("admin").get(reverse("analytics:network", args=[network.pk])).text
    assert "Template 1: 3 ads, 2 phones" in html and "Lead:" in html
    assert "+17025550162" in html


def test_a_template_shows_only_the_visible_ads_slots(actors):
    ads = [
        ingest(actors.source_a, BRAND.format(phone="702-555-0171", name="Lola"), title="One"),
        ingest(actors.source_a, BRAND.format(phone="702-555-0171", name="Jade"), title="Two"),
        ingest(actors.source_b, BRAND.format(phone="702-555-0172", name="Mia"), title="Three"),
    ]
    ads_link(ads)
    network = AdNetwork.objects.get(ad=ads[0]).network
    page = actors.client_for("investigator_a").get(reverse("analytics:network", args=[network.pk]))
    (template,) = page.context["d"].templates
    assert [row["ad_id"] for row in template["rows"]] == [ads[0].pk, ads[1].pk]
    assert template["phones"] == ["+17025550171"] and template["lead"] == ""
    assert "+17025550172" not in page.text and "Mia" not in page.text


def test_the_network_page_gives_its_confidence_and_strongest_ties_in_words(actors, world):
    html = (
        actors.client_for("investigator_a")
        .get(reverse("analytics:network", args=[world["spanning"].pk]))
        .text
    )
    assert "Confidence high (1.00)" in html
    # Unit A sees 2 of the network's 3 ads: the ties are counted over those (issue #19 H1).
    assert "2 ads share one phone number" in html and "3 ads share" not in html


def test_the_entity_page_profiles_who_uses_the_identifier_from_visible_ads_only(actors, world):
    lola = ingest(
        actors.source_a,
        "I'm Lola 23 years young, new in town, call 702-555-0134 or lola@example.com",
        title="Lola in Reno",
    )
    ads_link([lola])
    page = actors.client_for("investigator_a").get(
        reverse("analytics:entity", args=[world["phone"].pk])
    )
    profile = page.context["d"].profile
    assert ("Lola", 1) in profile.names
    assert (23, 1) in profile.ages
    assert profile.places == [("Reno, NV", 3)]
    assert [o["value"] for o in profile.others] == ["lola@example.com"]
    assert profile.first_seen is not None and profile.watch_kind == "phone"
    html = page.text
    assert "Who is this" in html and "Watch this" in html
    assert reverse("cases:watchlists") in html
    other = actors.client_for("investigator_b").get(
        reverse("analytics:entity", args=[world["phone"].pk])
    )
    assert other.context["d"].profile.others == []
    assert "lola@example.com" not in other.text and "Lola" not in other.text


def test_watch_this_on_the_profile_creates_a_watchlist(actors, world):
    import re

    client = actors.client_for("investigator_a")
    html = client.get(reverse("analytics:entity", args=[world["phone"].pk])).text
    form = html[html.index(f'action="{reverse("cases:watchlists")}"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields["kind"] == "phone" and fields["value"] == "+17025550134"
    assert client.post(reverse("cases:watchlists"), fields).status_code == 302
    from cases.models import Watchlist

    assert Watchlist.objects.get(user=actors.investigator_a).value == "+17025550134"


def test_the_profile_shows_the_ads_images_blurred_only(actors, world):
    from ads.demo_images import drawn_picture, encoded
    from ads.media import ad_image_store

    image = ad_image_store(
        ad=world["a1"], source_url="https://img.example/a.png", data=encoded(drawn_picture(0))
    )
    html = (
        actors.client_for("investigator_a")
        .get(reverse("analytics:entity", args=[world["phone"].pk]))
        .text
    )
    assert reverse("cases:ad-image", args=[image.ad_id, image.pk, "blurred"]) in html
    assert reverse("cases:ad-image", args=[image.ad_id, image.pk, "clear"]) not in html
    other = actors.client_for("investigator_b").get(
        reverse("analytics:entity", args=[world["phone"].pk])
    )
    assert other.context["d"].profile.images == []


def test_the_profile_offers_add_to_case_through_the_review_items_one_may_see(actors, world):
    from django.db import transaction

    from cases.models import QueueItem
    from cases.stages import ads_queue_for_review
    from tests.cases.factories import score

    for ad in Ad.objects.filter(network_membership__network=world["spanning"]):
        score(ad, risk=0.9)
    with transaction.atomic():
        ads_queue_for_review(list(Ad.objects.all()))
    item = QueueItem.objects.get(network=world["spanning"])
    page = actors.client_for("investigator_a").get(
        reverse("analytics:entity", args=[world["phone"].pk])
    )
    assert page.context["d"].profile.items == [item]
    assert reverse("cases:item", args=[item.pk]) in page.text and "Its review items" in page.text
    assert "Open a case titled" in page.text  # no open case yet: a new one


def test_hostile_text_in_a_template_is_escaped(actors):
    ads = [
        ingest(actors.source_a, BRAND.format(phone="702-555-0181", name=f"{HOSTILE} {n}"))
        for n in ("Lola", "Jade")
    ]
    ads_link(ads)
    network = AdNetwork.objects.get(ad=ads[0]).network
    html = actors.client_for("admin").get(reverse("analytics:network", args=[network.pk])).text
    section = html[html.index('id="templates"') : html.index('id="ads"')]
    assert "Template 1: 2 ads" in section
    assert "&lt;script&gt;" in section and "<script>" not in section and "<img" not in section


def test_the_network_pages_say_pattern_bonus_not_network_boost(actors, world):
    client = actors.client_for("investigator_a")
    page = client.get(reverse("analytics:network", args=[world["spanning"].pk])).text
    listing = client.get(reverse("analytics:network-list")).text
    assert "Network boost" not in page and "Patterns of this network" in page
    assert "<th>Boost</th>" not in listing and "Pattern bonus" in listing
