"""Boilerplate that many posters share links nobody; a rare shared text still links."""

from __future__ import annotations

from analytics.linking import Linker
from analytics.linking.rarity import (
    DISTINCT_PHONES_SIMILARITY,
    SITE_PHONES_LIMIT,
    UNCOMMON_POSTERS,
    ShingleFrequency,
    is_home_page,
    links_by_itself,
    poster_key,
    shared_content,
    text_shingles,
)

# Synthetic stock phrases (the "market" boilerplate) and a rare text one writer reuses.
STOCK = (
    "new in town sweet and friendly girl available now for outcalls and incalls call me "
    "anytime day or night you will not be disappointed come see me soon babe kisses"
)


def _words(lo: int, hi: int, prefix: str = "z") -> str:
    letters = "bcdfghjklmnpqrstvwxz"
    return " ".join(f"{prefix}{letters[i // 20]}u{letters[i % 20]}e" for i in range(lo, hi))


def _phone(i: int) -> str:
    return f"+1{200 + i:03d}555{i:04d}"


def test_shingles_of_filler_and_short_texts_are_left_out():
    assert len(text_shingles("xx oo xx oo xx oo xx oo xx oo")) == 0
    assert len(text_shingles("call me now")) == 0
    assert len(text_shingles(STOCK)) > 10


def test_a_poster_counts_once_however_often_they_repost():
    freq = ShingleFrequency(bits=16, bloom_bits=20)
    sh = text_shingles(STOCK)
    for _ in range(5):
        freq.add(sh, "phone:+12135550101")
    assert freq.posters(sh).max() == 1
    freq.add(sh, "phone:+13105550102")
    assert freq.posters(sh).min() == 2


def test_an_ad_without_phone_or_region_is_no_poster():
    assert poster_key((), ()) is None
    assert poster_key(("+13105550102", "+12135550101"), ("ca",)) == "phone:+12135550101"
    assert poster_key((), ("los angeles",)) == "region:los angeles"


def test_shared_content_counts_only_what_few_posters_use():
    freq = ShingleFrequency(bits=16, bloom_bits=20)
    stock = text_shingles(STOCK)
    for i in range(10):
        freq.add(stock, f"phone:{_phone(i)}")
    a = text_shingles(STOCK + " " + _words(0, 20))
    b = text_shingles(STOCK + " " + _words(0, 20))
    shared = shared_content(a, b, freq)
    assert shared.shared == len(a)
    assert shared.rare == len(a) - len(stock)


def _local_phone(i: int) -> str:
    return f"+1213555{i:04d}"


def test_strangers_pasting_the_same_stock_text_are_not_linked():
    linker = Linker()
    for i in range(12):
        linker.add(f"s{i}", STOCK + " " + _words(i * 6, i * 6 + 6), {"phone": [_local_phone(i)]})
    # One area code corroborates, so the looser bar holds: only the first UNCOMMON_POSTERS
    # posters, before the phrase is known to be common, can link.
    assert [len(c) for c in linker.text_clusters()] == [UNCOMMON_POSTERS]
    assert linker.rejected_boilerplate > 0


def test_two_phones_in_two_places_need_a_near_copy_to_be_linked_by_text():
    # A site's page frame filled in for two posters: rare to the corpus, but the phone, city and
    # details differ, and nothing else ties the two.
    frame = _words(0, 40, prefix="f")
    linker = Linker()
    linker.add("p1", frame + " " + _words(40, 52, prefix="d"), {"phone": ["+13055550101"]})
    links = linker.add("p2", frame + " " + _words(60, 72, prefix="d"), {"phone": ["+13865550102"]})
    assert links == []
    assert linker.rejected_boilerplate == 1
    # The same page with the same phone area code (or a near-copy) still links.
    linker.add("p3", frame + " " + _words(80, 92, prefix="d"), {"phone": ["+13055550103"]})
    assert linker.same_network("p1", "p3")
    copy = frame + " " + _words(40, 50, prefix="d")
    linker.add("p4", copy, {"phone": ["+17025550104"]})
    assert linker.same_network("p1", "p4")
    assert DISTINCT_PHONES_SIMILARITY == 0.9


def test_without_the_guard_the_same_strangers_chain_into_one_cluster():
    linker = Linker(rarity=False)
    for i in range(12):
        linker.add(f"s{i}", STOCK + " " + _words(i * 6, i * 6 + 6), {"phone": [_phone(i)]})
    assert len(linker.text_clusters()[0]) > 6


def test_one_writer_reposting_a_rare_text_with_two_phones_is_linked():
    linker = Linker()
    for i in range(12):
        linker.add(f"s{i}", STOCK + " " + _words(i * 6, i * 6 + 6), {"phone": [_phone(i)]})
    rare = _words(100, 140, prefix="q")
    linker.add("w1", rare, {"phone": ["+17025550111"]})
    links = linker.add("w2", rare + " " + STOCK[:40], {"phone": ["+17025550112"]})
    assert [link.kind for link in links] == ["text"]
    assert linker.same_network("w1", "w2")


def _agency(linker: Linker, *, shared_image: bool) -> list[str]:
    """Five phones posting one text of their own; with `shared_image` every ad also carries the
    agency's photo, which ties the phones into one operator before any text is compared."""
    rare = _words(200, 240, prefix="k")
    ids = []
    for i in range(5):
        ad_id = f"agency{i}"
        identifiers = {"phone": [f"+1702555{i + 300:04d}"]}
        if shared_image:
            identifiers["image"] = ["photo-of-the-agency"]
        linker.add(ad_id, rare + " " + _words(300 + i * 3, 303 + i * 3), identifiers)
        ids.append(ad_id)
    return ids


def test_one_operators_phones_tied_by_an_identifier_count_as_one_poster():
    linker = Linker()
    ids = _agency(linker, shared_image=True)
    # Counted by phone, the fifth phone would make the text as common as a stock phrase.
    assert [sorted(c) for c in linker.text_clusters()] == [sorted(ids)]


def test_five_unrelated_phones_pasting_one_text_still_count_as_five_posters():
    linker = Linker()
    ids = _agency(linker, shared_image=False)
    clusters = linker.text_clusters()
    assert clusters and len(clusters[0]) < len(ids)
    assert linker.rejected_boilerplate > 0


def test_a_url_that_ads_of_many_phones_print_is_a_sites_and_links_nobody():
    linker = Linker()
    site = "http://video.example/watch"
    for i in range(SITE_PHONES_LIMIT + 2):
        linker.add(
            f"v{i}", _words(i * 7, i * 7 + 7, prefix="v"), {"phone": [_phone(i)], "url": [site]}
        )
    # Linked while few phones printed it, then found to be a site's: those links are dropped.
    assert linker.networks() == []
    assert f"url:{site}" in linker.common_keys()
    # A poster's own page, printed by one phone's ads, still links them.
    own = "http://agency.example/girls"
    linker.add("a1", _words(300, 310), {"phone": [_phone(50)], "url": [own]})
    linker.add("a2", _words(310, 320), {"phone": [_phone(50), _phone(51)], "url": [own]})
    assert linker.same_network("a1", "a2")


def test_a_sites_home_page_links_nobody():
    linker = Linker()
    linker.add("h1", _words(200, 210), {"url": ["http://directory.example/"]})
    assert linker.add("h2", _words(220, 230), {"url": ["http://directory.example"]}) == []
    assert is_home_page("http://directory.example/") and not is_home_page("http://d.example/me")


def test_what_links_by_itself_is_said_in_one_place():
    assert links_by_itself("phone", "+17025550134")
    assert not links_by_itself("phone", "+18005550134")  # a site's toll-free line
    assert not links_by_itself("url", "http://directory.example/")
    assert links_by_itself("url", "http://directory.example/profile/12")
    assert links_by_itself("email", "someone@example.com")
