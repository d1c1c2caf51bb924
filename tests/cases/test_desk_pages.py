"""The ad page (escaping, highlights, revisions, similar ads), search, and their audit events."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ads.models import Ad
from ads.readers import records_from_payload
from ads.services import ads_ingest
from audit.models import Action, AuditEvent
from cases.filters import AdFilter
from cases.selectors import highlight, more_like_this, revision_diff, search_ads
from cases.stages import ads_queue_for_review
from maps.models import AdLocation
from tests.cases.factories import embed, make_ad, network_of, score

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> call 702-555-0134 "
    '\u202eevil reversed\u202c "quoted" & more'
)


def test_hostile_ad_text_is_escaped_and_bidi_controls_are_shown_not_obeyed(actors):
    ad = make_ad(actors.source_a, title="<b>bold</b>", body=HOSTILE)
    response = actors.client_for("investigator_a").get(reverse("cases:ad", args=[ad.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" not in html and "[U+202E]evil reversed[U+202C]" in html


def test_hostile_text_is_escaped_in_the_queue_and_item_pages(actors):
    ad = make_ad(actors.source_a, title="<script>x()</script>\u202e", body=HOSTILE)
    score(ad, reason="<i>why</i>")
    ads_queue_for_review([ad])
    client = actors.client_for("investigator_a")
    for url in (reverse("cases:queue"), reverse("cases:item", args=[ad.queue_item.pk])):
        html = client.get(url).content.decode()
        assert "<script>x()" not in html and "<i>why</i>" not in html, url


def test_the_ad_page_highlights_entities_and_indicators_with_why_flagged(actors):
    ad = make_ad(actors.source_a, title="New in town", body="Young and sweet, text 702-555-0134")
    start = ad.document.index("Young")
    score(
        ad,
        risk=0.87,
        minor=0.61,
        possible_minor=True,
        indicators=[
            {
                "code": "youth_cue",
                "label": "Youth wording",
                "span": [start, start + 5],
                "weight": 2.0,
                "provenance": "lexicon",
            }
        ],
        codes=("youth_cue",),
        reason="Youth wording and a new-in-town cue.",
    )
    AdLocation.objects.create(
        ad=ad,
        lat=36.17,
        lng=-115.14,
        precision="city",
        name="Las Vegas, NV",
        geocoder_version="test",
    )
    html = (
        actors.client_for("investigator_a").get(reverse("cases:ad", args=[ad.pk])).content.decode()
    )
    assert 'class="ind"' in html and "Youth wording" in html
    assert 'class="ent ent-phone"' in html and "+17025550134" in html
    assert "0.87" in html and "Lead score" in html and "age cues: 0.61 of 1" in html
    assert "Youth wording and a new-in-town cue." in html
    assert "precision <strong>City</strong>" in html
    assert "This ad links to no image." in html
    phone = ad.occurrences.get(entity__kind="phone").entity
    assert f'href="{reverse("analytics:entity", args=[phone.pk])}"' in html


def test_highlight_splits_overlapping_spans_into_marked_segments():
    segments = highlight("abcdef", [(1, 4, "ent", "E"), (3, 5, "ind", "I")])
    assert [(s.text, s.css) for s in segments] == [
        ("a", ""),
        ("bc", "ent"),
        ("d", "ent ind"),
        ("e", "ind"),
        ("f", ""),
    ]


def test_highlight_ignores_spans_outside_the_text():
    assert [s.text for s in highlight("abc", [(5, 9, "ent", "x"), (2, 1, "ent", "y")])] == ["abc"]


def test_revisions_are_listed_with_word_diffs(actors):
    ad = make_ad(actors.source_a, external_id="r1", body="Sweet girl, ask for Amy")
    ads_ingest(
        source=actors.source_a,
        rows=records_from_payload(
            [{"external_id": "r1", "title": "Friendly ad", "body": "Sweet girl, ask for Bella"}]
        ),
    )
    parts = revision_diff("ask for Amy", "ask for Bella")
    assert [(p.op, p.text) for p in parts if p.op != "equal"] == [
        ("delete", "Amy"),
        ("insert", "Bella"),
    ]
    html = (
        actors.client_for("investigator_a").get(reverse("cases:ad", args=[ad.pk])).content.decode()
    )
    assert "Revisions (2)" in html and "<del>Amy</del>" in html and "<ins>Bella</ins>" in html


def test_more_like_this_ranks_by_cosine_among_visible_ads_only(actors):
    ad = make_ad(actors.source_a, extract=False)
    near = make_ad(actors.source_a, extract=False)
    far = make_ad(actors.source_shared, extract=False)
    hidden = make_ad(actors.source_b, extract=False)
    embed(ad, [1, 0, 0])
    embed(near, [0.9, 0.1, 0])
    embed(far, [0, 1, 0])
    embed(hidden, [1, 0, 0])
    similar, note = more_like_this(user=actors.investigator_a, ad=ad)
    assert [a.pk for a, _ in similar] == [near.pk, far.pk]
    assert similar[0][1] == pytest.approx(0.9 / (0.81 + 0.01) ** 0.5, rel=1e-5)
    assert "Compared with the 2 most recent ads you may see" in note


def test_the_ad_page_names_its_network_and_is_audited(actors):
    a, b = make_ad(actors.source_a, extract=False), make_ad(actors.source_a, extract=False)
    network = network_of([a, b])
    html = (
        actors.client_for("investigator_a").get(reverse("cases:ad", args=[a.pk])).content.decode()
    )
    assert f'/analytics/networks/{network.pk}/">Network {network.pk}</a>' in html
    assert f'search/?network={network.pk}" class="pivot" id="pivot-network">its 2 ads</a>' in html
    event = AuditEvent.objects.get(action=Action.VIEW, object_type="ad")
    assert event.object_id == str(a.pk) and event.actor_username == "inv-a"


@pytest.mark.parametrize(
    "query", ["(702) 555-0134", "702.555.0134", "+1 702 555 0134", "7025550134"]
)
def test_search_finds_a_phone_in_any_format(actors, query):
    ad = make_ad(actors.source_a, body="text me at 702 555 0134 anytime")
    make_ad(actors.source_a, body="call 702-555-0199")
    result = search_ads(user=actors.investigator_a, query=query)
    assert result.mode == "phone" and result.phone == "+17025550134"
    assert list(result.ads) == [ad]


def test_word_search_respects_visibility_and_filters(actors):
    own = make_ad(actors.source_a, body="discreet upscale companion", location_text="Reno, NV")
    make_ad(actors.source_b, body="discreet upscale companion")
    make_ad(actors.source_a, body="used bicycle for sale")
    result = search_ads(user=actors.investigator_a, query="discreet companion")
    assert list(result.ads) == [own]
    filtered = search_ads(
        user=actors.investigator_a,
        query="discreet",
        filters=AdFilter({"location": "vegas"}, user=actors.investigator_a),
    )
    assert list(filtered.ads) == []


def test_searches_are_audited_with_the_query_and_ids(actors):
    ad = make_ad(actors.source_a, body="discreet upscale companion")
    response = actors.client_for("investigator_a").get(reverse("cases:search") + "?q=upscale")
    assert response.status_code == 200 and b"Friendly ad" in response.content
    event = AuditEvent.objects.get(action=Action.SEARCH)
    assert event.detail["q"] == "upscale" and event.detail["ids"] == [ad.pk]


def test_the_queue_page_is_audited_with_the_items_it_listed(actors):
    ad = make_ad(actors.source_a, extract=False)
    score(ad)
    ads_queue_for_review([ad])
    actors.client_for("investigator_a").get(reverse("cases:queue") + "?status=open")
    event = AuditEvent.objects.get(action=Action.LIST, object_type="queue_item")
    assert event.detail["ids"] == [ad.queue_item.pk]


def test_the_queue_paginates_with_htmx_load_more(actors):
    ads = [make_ad(actors.source_a, extract=False) for _ in range(52)]
    for ad in ads:
        score(ad)
    ads_queue_for_review(ads)
    client = actors.client_for("investigator_a")
    first = client.get(reverse("cases:queue")).content.decode()
    assert first.count('class="claim-cell"') == 50 and "Load more" in first
    more = client.get(reverse("cases:queue") + "?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert more.count('class="claim-cell"') == 2 and "<html" not in more and "Load more" not in more


def test_home_nav_leads_investigators_to_the_queue(actors):
    html = actors.client_for("investigator_a").get(reverse("cases:queue")).content.decode()
    assert f'href="{reverse("cases:queue")}"' in html
    assert Ad.objects.count() == 0


def test_a_cached_similar_ad_that_became_invisible_is_not_shown(actors):
    ad = make_ad(actors.source_a, extract=False)
    near = make_ad(actors.source_shared, extract=False)
    embed(ad, [1, 0, 0])
    embed(near, [1, 0.1, 0])
    assert [a.pk for a, _ in more_like_this(user=actors.investigator_a, ad=ad)[0]] == [near.pk]
    actors.source_shared.unit = actors.unit_b
    actors.source_shared.save()
    assert more_like_this(user=actors.investigator_a, ad=ad)[0] == []


def test_an_ad_without_its_own_item_does_not_borrow_another_ads_item(actors):
    queued = make_ad(actors.source_a, extract=False)
    score(queued)
    ads_queue_for_review([queued])
    calm = make_ad(actors.source_a, title="Calm ad", extract=False)
    client = actors.client_for("investigator_a")
    html = client.get(reverse("cases:ad", args=[calm.pk])).content.decode()
    assert "Queue item" not in html
    html = client.get(reverse("cases:ad", args=[queued.pk])).content.decode()
    assert f"Queue item {queued.queue_item.pk}" in html
