"""Template view: one shared text with the slots the operator varied."""

from __future__ import annotations

from analytics.linking import template_view

ADS = [
    "New in Vegas! I'm Lola 22yo, sweet and discreet. $200 hh. Text 702-555-0101 now",
    "New in Philly! I'm Candy 24yo, sweet and discreet. 300/hr. Text 215-555-0102 now",
    "New in Miami! I'm Lola 22yo, sweet and discreet. $200 hh. Text 305-555-0103 now",
    "New in Vegas! I'm Jade 19yo, sweet and discreet. 150 roses. Text 702-555-0104 now",
]


def _slots(view):
    return [seg for seg in view["segments"] if seg["type"] == "slot"]


def test_shared_text_and_varied_slots_are_separated():
    view = template_view(ADS)
    shared = " ".join(seg["text"] for seg in view["segments"] if seg["type"] == "shared")
    assert "sweet and discreet." in shared
    assert "New in" in shared and "Text" in shared
    values = [set(seg["values"]) for seg in _slots(view)]
    assert {"Vegas!", "Philly!", "Miami!"} in values
    assert {"702-555-0101", "215-555-0102", "305-555-0103", "702-555-0104"} in values


def test_slot_values_are_counted_and_kinds_guessed():
    slots = _slots(template_view(ADS))
    price = next(s for s in slots if "$200 hh." in s["values"])
    assert price["values"]["$200 hh."] == 2 and price["kind"] == "price"
    age = next(s for s in slots if any("yo" in v for v in s["values"]))
    assert age["kind"] == "age"


def test_the_most_central_text_is_the_reference():
    texts = [*ADS, "Completely different words about a sofa for sale in town today"]
    view = template_view(texts)
    assert view["central_index"] != 4
    assert 0.3 < view["shared_ratio"] < 1.0


def test_identical_texts_are_all_shared():
    view = template_view([ADS[0]] * 3)
    assert view["shared_ratio"] == 1.0
    assert _slots(view) == []


def test_no_texts_gives_an_empty_view():
    assert template_view([])["size"] == 0


def test_words_put_before_the_shared_start_become_a_leading_slot():
    texts = [
        f"{lead}Hello gents, classy companion in town, text me now".strip()
        for lead in ("", "🔥 ", "", "", "", "Wow ")
    ]
    view = template_view(texts)
    first = view["segments"][0]
    assert first["type"] == "slot"
    assert first["values"] == {"": 4, "🔥": 1, "Wow": 1}


def _ad(ad_id, text, *, names=(), ages=(), phones=(), city=""):
    return {
        "ad_id": ad_id,
        "text": text,
        "names": list(names),
        "ages": list(ages),
        "phones": list(phones),
        "city": city,
    }


def test_each_near_duplicate_group_is_a_template_with_every_ads_slot_values():
    from analytics.linking import network_templates

    ads = [
        _ad(1, ADS[0], names=["Lola"], ages=[22], phones=["+17025550101"], city="Las Vegas"),
        _ad(2, ADS[1], names=["Candy"], ages=[24], phones=["+12155550102"], city="Philadelphia"),
        _ad(3, ADS[2], names=["Lola"], ages=[22], phones=["+13055550103"], city="Miami"),
        _ad(9, "a lone ad with words of its own", phones=["+17025550101"]),
    ]
    (template,) = network_templates(ads, {1: 1, 2: 1, 3: 1, 9: 9})
    assert template["ads"] == 3
    assert [row["ad_id"] for row in template["rows"]] == [1, 2, 3]
    assert template["rows"][1] == {
        "ad_id": 2,
        "names": ["Candy"],
        "ages": [24],
        "phones": ["+12155550102"],
        "city": "Philadelphia",
    }
    assert template["names"] == ["Lola", "Candy"]
    assert "sweet and discreet." in " ".join(
        s["text"] for s in template["segments"] if s["type"] == "shared"
    )
    assert "3 phones" in template["lead"]


def test_a_template_posted_with_one_phone_is_no_lead():
    from analytics.linking import network_templates

    ads = [_ad(i, ADS[0], names=["Lola"], phones=["+17025550101"]) for i in range(1, 4)]
    (template,) = network_templates(ads, dict.fromkeys(range(1, 4), 1))
    assert template["phones"] == ["+17025550101"] and template["lead"] == ""
