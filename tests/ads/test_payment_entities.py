"""Payment identifiers (Cash App, Venmo, bitcoin, ethereum) are entities like phones and emails:
stored with their spans, shown on the ad page, searchable, watchable, and they link ads
(issue #16). Also the region line of the ad page."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ads.extraction import extract
from ads.extraction.payments import is_placeholder_payment, normalise_payment
from ads.models import POSTER_KINDS, Ad, Entity, EntityKind, EntityOccurrence
from ads.readers import records_from_payload
from ads.services import ads_ingest
from ads.stages import ads_extract_entities
from analytics.models import AdNetwork, Link, LinkKind
from analytics.stages import ads_link
from cases.models import Alert, WatchKind
from cases.selectors import search_ads
from cases.services.watchlists import watch_value_normalise, watchlist_create, watchlists_match_ads

pytestmark = pytest.mark.django_db(transaction=True)

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_n = iter(range(1, 1_000_000))


def p2pkh(seed: str) -> str:
    """A checksum-valid bitcoin address made for the test (version 0, hash of `seed`)."""
    payload = b"\x00" + hashlib.sha256(seed.encode()).digest()[:20]
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\x00"))) + out


def ingest(source, bodies: list[str], url: str = "") -> list[Ad]:
    payload = []
    for body in bodies:
        ext = f"pay-{next(_n)}"
        payload.append(
            {
                "external_id": ext,
                "title": "Ad",
                "body": body,
                "url": url or f"https://example.test/{ext}",
                "location_text": "Las Vegas, NV",
            }
        )
    summary = ads_ingest(source=source, rows=records_from_payload(payload))
    assert summary.accepted == len(bodies), summary.rejected
    ads = list(Ad.objects.filter(external_id__in=[p["external_id"] for p in payload]))
    ads_extract_entities(ads)
    return sorted(ads, key=lambda a: a.pk)


@pytest.fixture
def quiet(settings):
    settings.PIPELINE_ENQUEUE = False


def test_payment_identifiers_become_entities_with_spans_into_the_document(actors, quiet):
    address = p2pkh("one")
    (ad,) = ingest(
        actors.source_a,
        [f"Deposit first: cash app $RosaLuv22, venmo @rosa-luv or BTC {address} thanks"],
    )
    stored = dict(
        EntityOccurrence.objects.filter(ad=ad, entity__kind=EntityKind.PAYMENT).values_list(
            "entity__value", "start"
        )
    )
    assert set(stored) == {"cashapp:$rosaluv22", "venmo:rosa-luv", f"btc:{address}"}
    occurrence = EntityOccurrence.objects.get(entity__value=f"btc:{address}")
    assert ad.document[occurrence.start : occurrence.end] == address
    assert EntityKind.PAYMENT in POSTER_KINDS


def test_a_bech32_address_is_one_entity_whatever_its_case(actors, quiet):
    lower = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    ingest(actors.source_a, [f"tips to {lower.upper()} please", f"send btc {lower} ok"])
    assert list(Entity.objects.filter(kind=EntityKind.PAYMENT).values_list("value", flat=True)) == [
        f"btc:{lower}"
    ]


def test_two_unrelated_texts_sharing_a_cashtag_are_linked_in_one_network(actors, quiet):
    a, b, c = ingest(
        actors.source_a,
        [
            "Blue velvet sofa for sale, pay with cash app $bluesofa77 before pickup",
            "Guitar lessons every weekend downtown, Cashapp: $BlueSofa77 accepted",
            "Garden chairs, cash app $othertag99 only",
        ],
    )
    ads_link([a, b, c])
    link = Link.objects.get()
    assert (link.ad_a_id, link.ad_b_id, link.kind) == (a.pk, b.pk, LinkKind.PAYMENT)
    assert link.key == "payment:cashapp:$bluesofa77"
    networks = dict(AdNetwork.objects.values_list("ad_id", "network_id"))
    assert networks[a.pk] == networks[b.pk] and c.pk not in networks


def test_an_example_address_copied_from_documentation_links_nobody(actors, quiet):
    example = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
    assert is_placeholder_payment(f"btc:{example}")
    ads = ingest(actors.source_a, [f"Bike for sale, btc {example}", f"Sofa, pay {example}"])
    ads_link(ads)
    assert Entity.objects.filter(kind=EntityKind.PAYMENT, value=f"btc:{example}").exists()
    assert not Link.objects.exists()
    # A real address shared the same way does link.
    real = p2pkh("shared")
    more = ingest(actors.source_a, [f"Bike for sale, btc {real}", f"Sofa, pay {real}"])
    ads_link(more)
    assert Link.objects.get().kind == LinkKind.PAYMENT


def test_a_typed_payment_identifier_is_stored_as_extraction_stores_it():
    text = f"cash app $Kandi_22 / Venmo @Kandi-Lane / eth 0x{'ab' * 20} / {p2pkh('x')}"
    found = extract(text).payments
    typed = ["$kandi_22", "Venmo @Kandi-Lane", f"ETH:0x{'AB' * 20}", p2pkh("x")]
    assert [watch_value_normalise(WatchKind.PAYMENT, t) for t in typed] == found
    assert [normalise_payment(v) for v in found] == found  # a stored value reads as itself
    for not_one in ("$200", "kandi", p2pkh("x")[:-1] + "z", "venmo"):
        with pytest.raises(ValidationError):
            watch_value_normalise(WatchKind.PAYMENT, not_one)


def test_a_payment_watchlist_alerts_on_the_ads_that_carry_it(actors, quiet):
    watch = watchlist_create(
        user=actors.investigator_a, kind=WatchKind.PAYMENT, value="$bluesofa77"
    )
    hit, miss = ingest(
        actors.source_a, ["Sofa, cash app $bluesofa77", "Sofa, cash app $bluesofa78"]
    )
    unseen = ingest(actors.source_b, ["Sofa, cash app $bluesofa77"])
    watchlists_match_ads(ad_ids=[hit.pk, miss.pk, unseen[0].pk])
    assert list(Alert.objects.filter(watchlist=watch).values_list("ad_id", flat=True)) == [hit.pk]


def test_search_reads_a_payment_identifier_and_finds_its_ads(actors, quiet):
    hit, _ = ingest(actors.source_a, ["Sofa, venmo @blue-sofa", "Sofa, venmo @blue-sofb"])
    for query in ("venmo @Blue-Sofa", "venmo:blue-sofa"):
        result = search_ads(user=actors.investigator_a, query=query)
        assert result.mode == "payment" and result.payment == "venmo:blue-sofa"
        assert list(result.ads) == [hit]
    # Investigator B does not see source A's ads, so finds nothing.
    other = search_ads(user=actors.investigator_b, query="venmo:blue-sofa")
    assert list(other.ads) == []


def test_the_ad_page_lists_the_payment_identifier_and_says_which_rule_chose_the_region(
    actors, quiet
):
    (ad,) = ingest(
        actors.source_a,
        ["Sofa, cash app $bluesofa77, call 0412 345 678"],
        url="https://sydney.example.com.au/ads/1",
    )
    html = (
        actors.client_for("investigator_a").get(reverse("cases:ad", args=[ad.pk])).content.decode()
    )
    assert "Payment identifier: " in html and "cashapp:$bluesofa77" in html
    assert "Region: AU (from the ad&#x27;s URL)" in html
    payment = Entity.objects.get(kind=EntityKind.PAYMENT, value="cashapp:$bluesofa77")
    assert f'search/?entity={payment.pk}" class="pivot"' in html


def test_the_region_line_names_the_source_setting_when_the_url_says_nothing(actors, quiet):
    (ad,) = ingest(actors.source_a, ["Sofa, call 702-555-0134"])
    assert ad.extracted["region_rule"] == "source"
    assert ad.region_reading == f"{actors.source_a.default_country} (from the source's setting)"
    html = (
        actors.client_for("investigator_a").get(reverse("cases:ad", args=[ad.pk])).content.decode()
    )
    assert "Region: US (from the source&#x27;s setting)" in html


def test_an_investigator_watches_a_payment_identifier_from_the_watchlist_page(actors, quiet):
    from cases.models import Watchlist

    client = actors.client_for("investigator_a")
    page = client.get(reverse("cases:watchlists")).content.decode()
    assert 'value="payment"' in page
    url = reverse("cases:watchlists")
    form = {"kind": "payment", "value": "Cash App $BlueSofa77", "frequency": "immediate"}
    assert client.post(url, form).status_code == 302
    watch = Watchlist.objects.get(user=actors.investigator_a)
    assert (watch.kind, watch.value) == ("payment", "cashapp:$bluesofa77")
    refused = client.post(url, {**form, "value": "$200"})
    assert refused.status_code == 400 and Watchlist.objects.count() == 1
