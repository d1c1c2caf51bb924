"""The incremental linker: shared identifiers, near-duplicates, and the common-key guard."""

from __future__ import annotations

from collections import Counter

import pytest

from analytics.linking import Linker, cluster_scores
from demo.synthetic import generate_ads

ESCORT = (
    "Hi guys I'm {name}, a playful {eth} doll {age}. new in {city} this week only. outcall to "
    "hotels, available all weekend. {price}. deposit required to book, text first. curvy, "
    "bubbly and elegant. book me {phone}. see you soon"
)
MASSAGE = (
    "Licensed massage therapist with ten years of practice near {city}. Swedish, deep tissue and "
    "hot stone by appointment, clean quiet rooms with free parking and gift cards. call {phone}"
)


def _text(template: str, **kw: str) -> str:
    slots = {
        "name": "Mia",
        "eth": "Thai",
        "age": "23yo",
        "city": "Houston",
        "price": "$180 hh",
        "phone": "713-555-0100",
    }
    return template.format(**{**slots, **kw})


def test_ads_sharing_a_phone_are_linked_with_the_phone_as_the_reason():
    linker = Linker()
    assert linker.add("a1", "first ad text", {"phone": ["+17135550100"]}) == []
    links = linker.add("a2", "something unrelated", {"phone": ["+17135550100"]})
    assert [(lk.a, lk.b, lk.kind, lk.key, lk.similarity) for lk in links] == [
        ("a1", "a2", "phone", "phone:+17135550100", 1.0)
    ]
    assert linker.same_network("a1", "a2")


def test_near_duplicates_with_varied_names_prices_and_cities_are_linked():
    linker = Linker()
    linker.add("n1", _text(ESCORT), {})
    links = linker.add(
        "n2",
        _text(
            ESCORT,
            name="Jade",
            price="300/hr",
            city="Dallas",
            phone="(214) 555-0177",
            age="twenty one",
        ),
        {},
    )
    assert len(links) == 1
    link = links[0]
    assert link.kind == "text" and link.key.startswith("b") and link.similarity >= 0.5
    assert linker.text_clusters() == [["n1", "n2"]]


def test_different_templates_are_not_linked():
    linker = Linker()
    linker.add("e1", _text(ESCORT), {})
    assert linker.add("m1", _text(MASSAGE), {}) == []
    assert not linker.same_network("e1", "m1")


def test_networks_merge_as_ads_arrive():
    linker = Linker()
    linker.add("a", _text(ESCORT), {"phone": ["+1"]})
    linker.add("b", _text(MASSAGE), {"email": ["x@example.com"]})
    assert not linker.same_network("a", "b")
    # One ad carrying both identifiers joins the two networks, with no rebuild.
    linker.add("c", "short", {"phone": ["+1"], "email": ["x@example.com"]})
    assert linker.same_network("a", "b")
    assert sorted(linker.network_of("a")) == ["a", "b", "c"]
    assert linker.networks() == [linker.network_of("a")]


def test_a_key_in_too_many_ads_is_reported_and_not_linked_through():
    linker = Linker(common_key_limit=5)
    for i in range(12):
        linker.add(f"ad{i}", f"unrelated words number {i}", {"phone": ["+13125550100"]})
    assert linker.common_keys() == {"phone:+13125550100": 12}
    assert linker.networks() == []
    assert not any(lk.key == "phone:+13125550100" for lk in linker.links())
    assert sum(1 for _ in linker.links(include_common=True)) == 4


def test_the_common_key_guard_keeps_real_links():
    linker = Linker(common_key_limit=3)
    linker.add("x1", "a", {"phone": ["+1hot"], "email": ["op@example.com"]})
    linker.add("x2", "b", {"phone": ["+1hot"], "email": ["op@example.com"]})
    for i in range(5):
        linker.add(f"y{i}", "c", {"phone": ["+1hot"]})
    assert "phone:+1hot" in linker.common_keys()
    assert linker.networks() == [["x1", "x2"]]


def test_keys_known_to_be_common_never_link():
    linker = Linker(known_common=["phone:+18005550100"])
    linker.add("a", "x", {"phone": ["+18005550100"]})
    assert linker.add("b", "y", {"phone": ["+18005550100"]}) == []


def test_an_ad_cannot_be_added_twice():
    linker = Linker()
    linker.add("a", "x", {})
    with pytest.raises(ValueError, match="already linked"):
        linker.add("a", "x", {})


@pytest.mark.parametrize("processes", [1, 2])
def test_bulk_and_one_by_one_linking_agree(processes):
    ads = list(generate_ads(600, seed=21))
    items = [(a.external_id, f"{a.title}\n{a.body}", {"phone": a.truth["phones"]}) for a in ads]
    bulk = Linker()
    assert bulk.add_many(items, batch=100, processes=processes) == 600
    single = Linker()
    for item in items:
        single.add(*item)
    assert bulk.network_labels() == single.network_labels()
    assert bulk.text_labels() == single.text_labels()


def test_text_clusters_recover_the_generators_templates():
    ads = list(generate_ads(4000, seed=5))
    linker = Linker()
    linker.add_many((a.external_id, f"{a.title}\n{a.body}", {}) for a in ads)
    scores = cluster_scores(linker.text_labels(), [a.truth["template"] for a in ads])
    assert scores["precision"] > 0.9
    assert scores["recall"] > 0.5


def test_networks_from_phones_and_text_match_the_generators_operators():
    ads = list(generate_ads(3000, seed=8))
    linker = Linker()
    for a in ads:
        linker.add(
            a.external_id,
            f"{a.title}\n{a.body}",
            {"phone": a.truth["phones"], "image": a.truth["images"]},
        )
    operators = [
        a.truth["network"] if a.truth["network"] is not None else a.truth["phones"][0] for a in ads
    ]
    scores = cluster_scores(linker.network_labels(), operators)
    assert scores["precision"] > 0.95 and scores["recall"] > 0.95
    biggest = linker.networks()[0]
    truth = {a.external_id: a.truth["network"] for a in ads}
    assert Counter(truth[i] for i in biggest).most_common(1)[0][1] == len(biggest)


def _words(lo: int, hi: int) -> str:
    letters = "bcdfghjklmnpqrstvwxz"
    return " ".join(f"{letters[i // 20]}a{letters[i % 20]}o" for i in range(lo, hi))


def test_a_chain_of_drifting_texts_does_not_grow_one_cluster():
    # A~B and B~C are above the threshold, A~C is far below: C is not A's template.
    a, b, c = _words(0, 40), _words(10, 50), _words(20, 60)
    linker = Linker()
    linker.add("A", a, {})
    assert len(linker.add("B", b, {})) == 1
    assert linker.add("C", c, {}) == []
    assert linker.text_clusters() == [["A", "B"]]


def test_without_the_seed_guard_the_chain_would_link():
    a, b, c = _words(0, 40), _words(10, 50), _words(20, 60)
    linker = Linker(seed_threshold=0.0)
    for ad_id, text in (("A", a), ("B", b), ("C", c)):
        linker.add(ad_id, text, {})
    assert linker.text_clusters() == [["A", "B", "C"]]


def test_a_toll_free_number_is_a_sites_line_and_links_nobody():
    linker = Linker()
    linker.add("a", "x", {"phone": ["+18775550100"]})
    assert linker.add("b", "y", {"phone": ["+18775550100"]}) == []
    assert linker.add("c", "z", {"phone": ["+13125550100", "+18775550100"]}) == []
    assert linker.networks() == []
