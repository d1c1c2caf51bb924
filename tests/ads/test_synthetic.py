"""The synthetic ad generator: deterministic, realistic, and honest about its truth."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest

from demo.synthetic import (
    CITIES,
    ILO_CUES,
    PHONE_STYLES,
    ads_to_csv,
    ads_to_jsonl,
    generate_ads,
    render_phone,
)

WORDS = {
    w: str(i)
    for i, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    )
}
WORDS["oh"] = "0"


@pytest.fixture(scope="module")
def ads():
    return list(generate_ads(3000, seed=11))


def _digits(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("[dot]", " ")
    text = text.removeprefix("+1 ")
    text = re.sub("|".join(sorted(WORDS, key=len, reverse=True)), lambda m: WORDS[m.group()], text)
    text = text.replace("o", "0").replace("l", "1").replace("i", "1")
    return "".join(ch for ch in text if ch.isdigit())


def test_the_same_seed_yields_the_same_ads():
    first = [
        (a.external_id, a.title, a.body, a.url, a.posted_at, a.truth)
        for a in generate_ads(300, seed=4)
    ]
    second = [
        (a.external_id, a.title, a.body, a.url, a.posted_at, a.truth)
        for a in generate_ads(300, seed=4)
    ]
    assert first == second


def test_another_seed_yields_other_ads():
    a = [ad.body for ad in generate_ads(50, seed=1)]
    b = [ad.body for ad in generate_ads(50, seed=2)]
    assert a != b


def test_posting_times_are_aware_utc_inside_the_window_and_in_order(ads):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    times = [ad.posted_at for ad in ads]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)
    assert start <= min(times) and max(times) <= start + timedelta(days=90)
    assert times == sorted(times)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next(generate_ads(1, start=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_every_phone_is_a_valid_fictional_us_number(ads):
    phones = {p for ad in ads for p in ad.truth["phones"]}
    assert len(phones) > 500
    for phone in phones:
        parsed = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(parsed), phone
        assert phone.startswith("+1") and phone[5:8] == "555", phone


def test_every_area_code_in_the_city_list_gives_valid_numbers():
    for _, _, area_codes, _ in CITIES:
        for ac in area_codes:
            for line in ("0100", "0199", "4321", "9999"):
                assert phonenumbers.is_valid_number(phonenumbers.parse(f"+1{ac}555{line}"))


def test_unrelated_posters_never_share_a_phone(ads):
    owners = defaultdict(set)
    for ad in ads:
        owner = ad.truth["network"] if ad.truth["network"] is not None else ("poster", ad.body)
        for phone in ad.truth["phones"]:
            owners[phone].add(owner if ad.truth["network"] is not None else "benign")
    assert all(len(o) == 1 for o in owners.values())


@pytest.mark.parametrize("style", PHONE_STYLES)
def test_each_phone_style_still_spells_the_number(style):
    import random

    rnd = random.Random(3)  # noqa: S311
    for digits in ("7025550123", "2155550199", "9175551010"):
        written = render_phone(digits, style, rnd)
        assert _digits(written) == digits, (style, written)


def test_obfuscated_phones_appear_in_the_text(ads):
    styles = {s for ad in ads for s in ad.truth["phone_styles"]}
    assert {"words", "lookalike", "keycap", "fullwidth", "zerowidth", "brackets"} <= styles
    bodies = "\n".join(ad.body for ad in ads)
    assert "\u20e3" in bodies  # keycap emoji
    assert "\u200b" in bodies  # zero-width space
    assert any("\uff10" <= ch <= "\uff19" for ch in bodies)  # full-width digits
    assert "[dot]" in bodies
    assert re.search(r"\b(?:six|seven|two|oh)\d", bodies, re.I)


def test_numbers_hidden_in_urls_are_the_ads_own(ads):
    in_url = [ad for ad in ads if re.search(r"/\d{10}-", ad.url)]
    assert in_url
    for ad in in_url:
        assert re.search(r"/(\d{10})-", ad.url).group(1) == ad.truth["phones"][0][2:]


def test_emails_are_written_out_as_words_in_some_ads(ads):
    bodies = "\n".join(ad.body for ad in ads)
    assert re.search(r"\w+ (?:\(at\)|at) \w+ (?:\(dot\)|dot) com", bodies)


def test_ages_prices_and_emoji_take_the_forms_seen_in_ads(ads):
    bodies = "\n".join(ad.body for ad in ads)
    assert re.search(r"\b\d\dyo\b", bodies)
    assert re.search(r"\btwenty (?:one|two|three|four|five|six|seven|eight|nine)\b", bodies)
    assert re.search(r"\$\d+ hh\b", bodies)
    assert re.search(r"\b\d+/hr\b", bodies)
    assert re.search(r"\b\d+ roses\b", bodies)
    assert "💋" in bodies or "🔥" in bodies


def test_categories_are_mixed_and_networks_are_a_minority(ads):
    cats = {ad.truth["category"] for ad in ads}
    assert cats == {"escort", "massage", "job", "other"}
    share = sum(ad.truth["network"] is not None for ad in ads) / len(ads)
    assert 0.15 < share < 0.45


def test_networks_tour_several_cities_with_several_phones_and_names(ads):
    by_network = defaultdict(list)
    for ad in ads:
        if ad.truth["network"] is not None:
            by_network[ad.truth["network"]].append(ad)
    big = [group for group in by_network.values() if len(group) >= 30]
    assert big
    for group in big:
        assert len({ad.truth["city"] for ad in group}) >= 3
        assert len({p for ad in group for p in ad.truth["phones"]}) >= 2
        assert len({n for ad in group for n in ad.truth["names"]}) >= 2
        days = (max(a.posted_at for a in group) - min(a.posted_at for a in group)).days
        assert days >= 7


def test_network_ads_of_one_template_vary_in_names_cities_and_prices(ads):
    by_template = defaultdict(list)
    for ad in ads:
        if ad.truth["network"] is not None:
            by_template[ad.truth["template"]].append(ad.body)
    bodies = max(by_template.values(), key=len)
    assert len(set(bodies)) == len(bodies)


def test_job_ads_with_forced_labour_cues_are_marked_risky(ads):
    cued = [
        ad
        for ad in ads
        if ad.truth["category"] == "job" and any(cue in ad.body for cue in ILO_CUES)
    ]
    assert cued
    assert all(ad.truth["risky"] for ad in cued)
    plain_benign = [ad for ad in ads if ad.truth["category"] == "other"]
    assert not any(ad.truth["risky"] for ad in plain_benign)


def test_files_hold_the_columns_ingest_reads(tmp_path):
    sample = list(generate_ads(20, seed=9))
    assert ads_to_jsonl(sample, tmp_path / "ads.jsonl") == 20
    assert ads_to_csv(sample, tmp_path / "ads.csv") == 20
    columns = ["external_id", "title", "body", "url", "posted_at", "location_text"]
    rows = [json.loads(line) for line in (tmp_path / "ads.jsonl").read_text("utf-8").splitlines()]
    assert list(rows[0]) == columns
    with (tmp_path / "ads.csv").open(encoding="utf-8", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert csv_rows == rows
    assert datetime.fromisoformat(rows[0]["posted_at"]) == sample[0].posted_at
    assert rows[5]["body"] == sample[5].body
