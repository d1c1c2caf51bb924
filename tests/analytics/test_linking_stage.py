"""The linking stage against the database: signatures, text and identifier links, networks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ads.models import PIPELINE_DONE, Ad, Entity, EntityKind, EntityOccurrence, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest
from ads.stages import ads_extract_entities
from analytics import stages as link_stage
from analytics.linking import text_shingles
from analytics.linking.rarity import SITE_PHONES_LIMIT
from analytics.models import (
    AdNetwork,
    AdScore,
    AdSignature,
    Link,
    LinkKind,
    Network,
    ShingleFrequency,
    TextBand,
)
from analytics.stages import ads_link, network_boost
from maps.models import AdLocation

TEMPLATE = (
    "Sweet and discreet companion visiting your city this week only, upscale gentlemen "
    "welcome, incall and outcall available all night, ask for {name} and {extra}"
)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_n = iter(range(1, 1_000_000))


def ingest(source, rows: list[dict]) -> list[Ad]:
    """Store ads through real ingestion (no enqueue) and real extraction."""
    payload = []
    for row in rows:
        ext = f"ext-{next(_n)}"
        payload.append(
            {
                "external_id": ext,
                "title": row.get("title", "Ad"),
                "body": row["body"],
                "url": f"https://example.test/{ext}",
                "posted_at": row.get("posted_at", T0).isoformat(),
                "location_text": row.get("location_text", "Las Vegas, NV"),
            }
        )
    summary = ads_ingest(source=source, rows=records_from_payload(payload))
    assert summary.accepted == len(rows), summary.rejected
    ads = list(
        Ad.objects.filter(external_id__in=[p["external_id"] for p in payload]).order_by("pk")
    )
    ads_extract_entities(ads)
    return ads


def network_of(ad: Ad) -> int | None:
    return AdNetwork.objects.filter(ad=ad).values_list("network_id", flat=True).first()


@pytest.fixture
def quiet(settings):
    settings.PIPELINE_ENQUEUE = False


def test_ads_sharing_a_phone_form_one_network_and_a_loner_gets_none(actors, quiet):
    a, b, c = ingest(
        actors.source_a,
        [
            {"body": "Bike for sale, call 702-555-0134"},
            {"body": "Sofa, text (702) 555 0134 after 5"},
            {"body": "Garden tools, call 775-555-0101"},
        ],
    )
    ads_link([a, b, c])
    link = Link.objects.get()
    assert (link.ad_a_id, link.ad_b_id, link.kind) == (a.pk, b.pk, LinkKind.PHONE)
    assert link.key == "phone:+17025550134"
    assert network_of(a) == network_of(b) is not None
    assert network_of(c) is None
    network = Network.objects.get()
    assert network.size == 2


def test_near_duplicate_texts_link_by_text_and_unrelated_text_does_not(actors, quiet):
    ads = ingest(
        actors.source_a,
        [
            {"body": TEMPLATE.format(name="Candy", extra="roses")},
            {"body": TEMPLATE.format(name="Lola", extra="kisses")},
            {
                "body": "Selling a mountain bike with new tyres, barely used, pick up only "
                "near the river park on weekends, cash preferred"
            },
        ],
    )
    ads_link(ads[:1])  # incremental: the first ad alone, then the others arrive
    assert not Link.objects.exists()
    ads_link(ads[1:])
    link = Link.objects.get()
    assert link.kind == LinkKind.TEXT and link.key.startswith("b")
    assert 0.5 <= link.similarity < 1.0
    assert network_of(ads[0]) == network_of(ads[1]) is not None
    assert network_of(ads[2]) is None
    assert AdSignature.objects.count() == 3
    assert TextBand.objects.filter(ad=ads[0]).count() == link_stage.BANDS


def test_a_common_identifier_is_reported_and_not_linked_through(actors, quiet, monkeypatch):
    monkeypatch.setattr(link_stage, "COMMON_ENTITY_LIMIT", 3)
    texts = ["Bike", "Sofa", "Lamp", "Desk"]
    rows = [{"body": f"{t} for sale, agency line 312-555-0199"} for t in texts]
    ads = ingest(actors.source_a, rows[:3])
    ads_link(ads)
    assert Link.objects.filter(kind=LinkKind.PHONE).count() == 3  # 3 ads: not yet common
    ads += ingest(actors.source_a, rows[3:])
    result = link_stage.ads_link_batch(ads=ads[3:])
    hotline = Entity.objects.get(kind=EntityKind.PHONE, value="+13125550199")
    assert result.common_entities == {hotline.pk: 4}
    assert not Link.objects.filter(ad_b=ads[3]).exists()
    assert network_of(ads[3]) is None


def test_a_toll_free_line_links_nobody(actors, quiet):
    rows = [{"body": f"{t} for sale, directory line 877-555-0199"} for t in ["Bike", "Sofa"]]
    ads = ingest(actors.source_a, rows)
    ads_link(ads)
    assert Entity.objects.filter(kind=EntityKind.PHONE, value="+18775550199").exists()
    assert not Link.objects.exists()


def test_identifier_links_are_bounded_per_key(actors, quiet, monkeypatch):
    monkeypatch.setattr(link_stage, "IDENTIFIER_LINKS_PER_KEY", 2)
    ads = ingest(
        actors.source_a, [{"body": f"Item {i} for sale, call 702-555-0134"} for i in range(5)]
    )
    for ad in ads:
        ads_link([ad])
    # Each ad links to the two most recent others sharing the phone: linear, yet all in one
    # network. Links other ads made to an ad stay when it is linked itself (they still hold).
    assert Link.objects.count() <= 2 * len(ads)
    assert {(ads[2].pk, ads[4].pk), (ads[3].pk, ads[4].pk)} <= set(
        Link.objects.values_list("ad_a_id", "ad_b_id")
    )
    assert len({network_of(ad) for ad in ads}) == 1
    assert Network.objects.get(merged_into__isnull=True).size == 5


def test_an_ad_bridging_two_networks_merges_them_into_the_larger(actors, quiet):
    ads = ingest(
        actors.source_a,
        [
            {"body": "Bike for sale, call 702-555-0134"},
            {"body": "Lamp for sale, call 702-555-0134"},
            {"body": "Rug for sale, call 702-555-0134"},
            {"body": "Chair for sale, call 775-555-0101"},
            {"body": "Table for sale, call 775-555-0101"},
        ],
    )
    ads_link(ads)
    big, small = network_of(ads[0]), network_of(ads[3])
    assert big != small
    bridge = ingest(
        actors.source_a, [{"body": "Everything must go: 702-555-0134 or 775-555-0101"}]
    )[0]
    result = link_stage.ads_link_batch(ads=[bridge])
    assert result.merged == {small: big}
    assert {network_of(ad) for ad in [*ads, bridge]} == {big}
    absorbed = Network.objects.get(pk=small)
    assert absorbed.merged_into_id == big and absorbed.size == 0
    assert Network.objects.get(pk=big).size == 6
    assert not AdNetwork.objects.filter(network_id=small).exists()


def test_a_new_revision_replaces_the_signature_and_its_links(actors, quiet):
    first, second = ingest(
        actors.source_a,
        [
            {"body": TEMPLATE.format(name="Candy", extra="roses")},
            {"body": TEMPLATE.format(name="Lola", extra="kisses")},
        ],
    )
    ads_link([first, second])
    old_signature = bytes(AdSignature.objects.get(ad=second).signature)
    assert Link.objects.filter(kind=LinkKind.TEXT).count() == 1
    payload = [
        {
            "external_id": second.external_id,
            "title": "Ad",
            "body": "Selling a mountain bike with new tyres, barely used, pick up only near the "
            "river park on weekends, cash preferred",
            "posted_at": T0.isoformat(),
        }
    ]
    ads_ingest(source=actors.source_a, rows=records_from_payload(payload))
    second.refresh_from_db()
    assert second.revision_count == 2
    ads_link([second])
    assert bytes(AdSignature.objects.get(ad=second).signature) != old_signature
    assert not Link.objects.exists()
    assert TextBand.objects.filter(ad=second).count() == link_stage.BANDS


def test_network_facts_and_the_boost_reach_member_scores(actors, quiet):
    cities = ["Las Vegas, NV", "Reno, NV", "Phoenix, AZ", "Denver, CO"]
    ads = ingest(
        actors.source_a,
        [
            {
                "body": TEMPLATE.format(name=name, extra=f"call 702-555-01{10 + i}"),
                "posted_at": T0 + timedelta(days=i),
            }
            for i, name in enumerate(["Candy", "Lola", "Mimi", "Roxy"])
        ],
    )
    for i, ad in enumerate(ads):
        AdLocation.objects.create(
            ad=ad, precision="city", name=cities[i], geocoder_version="t", posted_at=ad.posted_at
        )
        AdScore.objects.create(ad=ad, risk=0.2 + 0.1 * i, model_version="t", revision=1)
    ads_link(ads)
    network = Network.objects.get()
    assert network.size == 4
    assert network.first_seen_at == T0 and network.last_seen_at == T0 + timedelta(days=3)
    assert sorted(network.cities) == sorted(cities)
    assert network.max_risk == pytest.approx(0.5)
    assert network.features["cities"] == 4
    assert network.features["max_phones_per_template"] == 4  # one text, four phones
    assert network.template["size"] == 4 and network.template["shared_ratio"] > 0.5
    boost = network.features["boost"]
    assert boost["value"] == pytest.approx(0.10)  # moves fast + one text, several phones
    assert len(boost["reasons"]) == 2
    assert list(AdScore.objects.values_list("network_boost", flat=True)) == pytest.approx([0.1] * 4)


def test_boost_rule_needs_a_pattern_and_three_ads():
    quiet = {"size": 2, "cities": 5, "cities_per_week": 5.0, "max_names_per_phone": 4}
    assert network_boost(quiet)["value"] == 0.0
    busy = {**quiet, "size": 10, "max_phones_per_template": 1}
    assert network_boost(busy)["value"] == pytest.approx(0.10)
    assert network_boost({"size": 10, "cities": 2, "cities_per_week": 2.0})["reasons"] == []


def test_no_movement_pattern_where_the_rate_is_not_measured():
    undated = {"size": 50, "cities": 27, "cities_per_week": None, "span_days": 0.0, "dated": 0}
    assert network_boost(undated) == {"value": 0.0, "reasons": []}
    dated = {**undated, "cities_per_week": 9.0, "span_days": 21.0, "dated": 50}
    (reason,) = network_boost(dated)["reasons"]
    assert "measured over 21 days of 50 dated ads" in reason


def test_text_signature_is_stored_as_bytes_of_the_minhash(actors, quiet):
    (ad,) = ingest(actors.source_a, [{"body": TEMPLATE.format(name="Candy", extra="roses")}])
    ads_link([ad])
    stored = np.frombuffer(bytes(AdSignature.objects.get(ad=ad).signature), dtype=np.uint32)
    assert stored.shape == (link_stage.NUM_PERM,)
    assert AdSignature.objects.get(ad=ad).version == link_stage.SIGNATURE_VERSION


@pytest.mark.django_db(transaction=True)
def test_ingested_ads_are_linked_by_the_pipeline(actors, settings, monkeypatch):
    monkeypatch.setattr(
        "ads.pipeline.STAGES",
        [
            ("extract", "ads.stages.ads_extract_entities"),
            ("link", "analytics.stages.ads_link"),
        ],
    )
    settings.PIPELINE_ENQUEUE = True
    rows = [
        {"external_id": "1", "title": "Bike", "body": "call 702-555-0134"},
        {"external_id": "2", "title": "Sofa", "body": "text 702 555 0134"},
    ]
    ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    assert set(Ad.objects.values_list("pipeline_stage", flat=True)) == {PIPELINE_DONE}
    assert StageRun.objects.filter(stage="link", version=link_stage.VERSION).count() == 2
    assert AdNetwork.objects.count() == 2
    assert Network.objects.get().size == 2
    assert EntityOccurrence.objects.count() == 2


# --- the boilerplate guard: stock text pasted by many posters links nobody ---
STOCK = (
    "new in town sweet and friendly girl available now for outcalls and incalls call me "
    "anytime day or night you will not be disappointed come see me soon babe kisses"
)
# Each poster's own few words (not in any phrase list), so only the stock part is shared.
OWN = ["quorbel", "vantissa", "melbrook", "dravenly", "custerine", "pollimar", "zenthaw"]
# Different area codes, so no pair is corroborated by the same one.
PHONES = ["312", "415", "702", "303", "206", "617", "404", "305"]


def _stock_ad(i: int) -> dict:
    return {"body": f"{STOCK} {OWN[i % len(OWN)]} call {PHONES[i]}-555-01{i:02d}"}


def test_posters_pasting_the_same_stock_text_stop_linking_once_it_is_common(actors, quiet):
    ads = []
    for i in range(6):
        (ad,) = ingest(actors.source_a, [_stock_ad(i)])
        ads_link([ad])
        ads.append(ad)
    linked = {
        pk
        for pair in Link.objects.filter(kind=LinkKind.TEXT).values_list("ad_a_id", "ad_b_id")
        for pk in pair
    }
    # Only the first two posters, before the text is known to be shared, can link by it.
    assert linked <= {ads[0].pk, ads[1].pk}
    assert max(len(p) for p in ShingleFrequency.objects.values_list("posters", flat=True)) == (
        link_stage.POSTER_CAP
    )


def test_the_recheck_unlinks_the_first_posters_of_a_text_found_common_later(actors, quiet):
    from analytics.recheck import links_recheck_text

    ads = []
    for i in range(8):
        # One area code: the looser bar lets the first few posters link by the stock text.
        body = f"{STOCK} {OWN[i % len(OWN)]}{i} call 702-555-01{i:02d}"
        (ad,) = ingest(actors.source_a, [{"body": body}])
        ads_link([ad])
        ads.append(ad)
    early = Link.objects.filter(kind=LinkKind.TEXT).count()
    assert early >= 1 and network_of(ads[0]) is not None  # linked before it was known common
    result = links_recheck_text()
    assert result.checked == early and result.dropped == early
    assert not Link.objects.filter(kind=LinkKind.TEXT).exists()
    assert network_of(ads[0]) is None and network_of(ads[1]) is None
    # A poster's own repost still holds when weighed again.
    own = " ".join(f"{w}{suffix}" for suffix in ("a", "o") for w in OWN)
    mine = ingest(actors.source_a, [{"body": f"{own} call 312-555-0142"}])
    ads_link(mine)
    again = ingest(actors.source_a, [{"body": f"{own} call 312-555-0142 hugs"}])
    ads_link(again)
    assert Link.objects.filter(kind=LinkKind.TEXT, ad_b=again[0]).exists()
    assert links_recheck_text().dropped == 0


def test_one_poster_reposting_a_text_still_links(actors, quiet):
    own = " ".join(f"{w}{suffix}" for suffix in ("a", "o") for w in OWN)
    body = f"{STOCK} {own} call 312-555-0142"
    first = ingest(actors.source_a, [{"body": body}])
    ads_link(first)
    for i in range(4):
        (ad,) = ingest(actors.source_a, [_stock_ad(i + 1)])
        ads_link([ad])
    again = ingest(actors.source_a, [{"body": body.replace("kisses", "hugs")}])
    ads_link(again)
    assert Link.objects.filter(ad_b=again[0], kind=LinkKind.TEXT).exists()


# A site's page frame filled in for two posters: rare, but phones and cities differ.
FRAME = (
    "Review board evaluation page not yet rated by members kind woman city listed below "
    "no review on this companion sorry but there are no member reviews of this companion "
    "if you see the board evaluation followed by stars the profile was rated by members"
)


def test_two_phones_in_two_places_are_not_linked_by_a_shared_page_frame(actors, quiet):
    first = ingest(actors.source_a, [{"body": f"{FRAME} quorbel 305-555-0111 miami"}])
    ads_link(first)
    other = ingest(actors.source_a, [{"body": f"{FRAME} vantissa 386-555-0112 daytona"}])
    ads_link(other)
    assert not Link.objects.filter(kind=LinkKind.TEXT).exists()
    # The same frame with a phone of the same area code is corroborated and still links.
    near = ingest(actors.source_a, [{"body": f"{FRAME} melbrook 305-555-0113 miami"}])
    ads_link(near)
    assert Link.objects.filter(ad_b=near[0], kind=LinkKind.TEXT).exists()


def test_a_url_that_ads_of_many_phones_print_links_nobody(actors, quiet):
    ads = []
    for i in range(SITE_PHONES_LIMIT + 1):
        body = (
            f"{OWN[i % len(OWN)]} {i} see http://video.example/watch call {PHONES[i]}-555-01{i:02d}"
        )
        (ad,) = ingest(actors.source_a, [{"body": body}])
        ads_link([ad])
        ads.append(ad)
    assert not Link.objects.filter(kind=LinkKind.URL, ad_b=ads[-1]).exists()
    # One poster's page, printed by ads of one phone, links.
    mine = ingest(
        actors.source_a,
        [{"body": f"{w} see http://agency.example/girls call 702-555-0199"} for w in ("a", "b")],
    )
    ads_link(mine)
    assert Link.objects.filter(kind=LinkKind.URL, ad_b=mine[1]).exists()
    # A site's home page, even printed by one phone's ads, links nobody.
    home = ingest(
        actors.source_a,
        [{"body": f"{w} see http://directory.example call 702-555-0198"} for w in ("c", "d")],
    )
    ads_link(home)
    assert not Link.objects.filter(kind=LinkKind.URL, ad_b=home[1]).exists()


def test_shingle_counts_hold_no_phone(actors, quiet):
    (ad,) = ingest(actors.source_a, [_stock_ad(0)])
    ads_link([ad])
    stored = list(ShingleFrequency.objects.values_list("posters", flat=True))
    assert stored and all(len(p) == 1 for p in stored)
    assert "3125550100" not in repr(stored) and "+13125550100" not in repr(stored)


def test_the_shingles_the_guard_weighs_are_stored_beside_the_signature(actors, quiet):
    (ad,) = ingest(actors.source_a, [_stock_ad(3)])
    ads_link([ad])
    raw = AdSignature.objects.get(ad=ad).shingles
    stored = np.frombuffer(bytes(raw), dtype="<u4")
    assert len(stored) > 10
    assert stored.tolist() == text_shingles(ad.document).tolist()


def test_one_operators_phones_printed_together_count_as_one_poster_of_its_text(actors, quiet):
    own = " ".join(f"{w}{suffix}" for suffix in ("e", "i") for w in OWN)
    ads = []
    # Five phones, each ad printing two of them: one operator, not five unrelated posters.
    for i in range(5):
        body = f"{own} {STOCK} call 312-555-01{i:02d} or 312-555-01{i + 1:02d}"
        (ad,) = ingest(actors.source_a, [{"body": body}])
        ads_link([ad])
        ads.append(ad)
    texts = Link.objects.filter(kind=LinkKind.TEXT).values_list("ad_b_id", flat=True)
    # Counted by phone, the text would be common by the fourth ad and its text links refused.
    assert set(texts) == {ad.pk for ad in ads[1:]}


CITIES = ["Reno, NV", "Fresno, CA", "Tulsa, OK", "Boise, ID", "Omaha, NE", "Akron, OH"]


def test_phone_less_pages_count_for_their_place_so_their_shared_text_links_nobody(actors, quiet):
    # A site's age-gate or landing page: no phone, the same words in every city it serves.
    ads = []
    for i, city in enumerate(CITIES):
        body = f"{STOCK} {OWN[i % len(OWN)]}"
        (ad,) = ingest(actors.source_a, [{"body": body, "location_text": city}])
        ads_link([ad])
        ads.append(ad)
    linked = {
        pk
        for pair in Link.objects.filter(kind=LinkKind.TEXT).values_list("ad_a_id", "ad_b_id")
        for pk in pair
    }
    # Each page counted as a poster of its place: once the text is common, it links nobody.
    assert linked <= {ads[0].pk, ads[1].pk}
    assert max(len(p) for p in ShingleFrequency.objects.values_list("posters", flat=True)) >= 4


def test_phone_less_reposts_in_one_place_are_one_poster_and_still_link(actors, quiet):
    own = " ".join(f"{w}{suffix}" for suffix in ("a", "o") for w in OWN)
    ads = []
    for tail in ("", " hugs", " kisses", " soon"):
        (ad,) = ingest(actors.source_a, [{"body": f"{STOCK} {own}{tail}", "location_text": "Reno"}])
        ads_link([ad])
        ads.append(ad)
    assert network_of(ads[0]) is not None
    assert len({network_of(ad) for ad in ads}) == 1
    assert max(len(p) for p in ShingleFrequency.objects.values_list("posters", flat=True)) == 1
