"""The cold-start lead score: evidence weights an auditor can read, fair by construction
(issue #15)."""

from __future__ import annotations

import pytest

from analytics.scoring.indicators import detect
from analytics.scoring.lead import lead_score, minor_score

ETHNICITIES = ["Latina", "Puerto Rican", "Asian", "Ebony", "Brazilian", "Russian", "Korean"]
ADS = [
    "Sweet and classy, incall only, call me tonight, roses 200.",
    "Hi gentlemen, I am Rose, independent, upscale, discreet. Text only.",
    "New girl, my daddy handles bookings, available now.",
    "Barely legal, my manager sets everything, call 2ONE6-SIX2TWO-5NINE5FOUR.",
    "Real pics, no games, 100% real. Visiting until Sunday.",
]


@pytest.mark.parametrize("ad", ADS)
@pytest.mark.parametrize("who", ETHNICITIES)
def test_adding_or_swapping_a_stated_ethnicity_moves_no_score(ad: str, who: str) -> None:
    base_score, base_flag = lead_score(detect(ad))
    for variant in (f"{who} {ad}", f"{ad} I am {who}.", ad.replace("Rose", f"{who} Rose")):
        hits = detect(variant, {"ethnicities": [who]})
        score, flag = lead_score(hits)
        assert abs(score - base_score) <= 0.01 and flag == base_flag
        assert abs(minor_score(hits, []) - minor_score(detect(ad), [])) <= 0.01


def test_weak_signs_alone_never_flag() -> None:
    score, flagged = lead_score(
        detect("100% real, no games 🍒🍭🌹 roses 80, call 2ONE6-SIX2TWO-5NINE5FOUR")
    )
    assert not flagged and score < 0.5


def test_one_moderate_sign_is_not_enough_and_two_are() -> None:
    assert not lead_score(detect("my daddy handles bookings"))[1]
    assert lead_score(detect("new girl, my daddy handles bookings"))[1]


def test_an_explicit_minor_is_flagged_and_a_possible_minor_every_time() -> None:
    hits = detect("I am 16 years old, call me", {"ages": [16]})
    assert lead_score(hits)[1]
    assert minor_score(hits, [16]) >= 0.9


def test_an_adult_age_with_no_youth_wording_keeps_possible_minor_low() -> None:
    hits = detect("Hi, I am 34, classy and discreet", {"ages": [34]})
    assert minor_score(hits, [34]) < 0.05


def test_the_flag_threshold_is_the_setting(settings) -> None:
    hits = detect("new girl, my daddy handles bookings")
    score, _ = lead_score(hits)
    settings.RISK_FLAG_THRESHOLD = score + 0.01
    assert not lead_score(hits)[1]


def _codes(text: str) -> set[str]:
    return {h.code for h in detect(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Call our escort agency to meet the girls",
        "Incall and outcall. Text us to book, our booking line is open",
        "Sensual massage: ask the receptionist for tonight's ladies",
    ],
)
def test_an_agency_or_someone_else_booking_is_third_party(text: str) -> None:
    assert "agency" in _codes(text)


@pytest.mark.parametrize(
    "text", ["Independent, no agency, just me", "I am not an agency", "non-agency provider"]
)
def test_a_negated_agency_does_not_fire(text: str) -> None:
    assert "agency" not in _codes(text)


def test_an_ad_about_her_not_by_her_is_third_person() -> None:
    about = "Escort. She is sweet. Her smile is warm and she loves to dance. Book her today."
    by = "Escort. I am sweet. My smile is warm, I love to dance and my friend says she agrees."
    assert "third_person" in _codes(about)
    assert "third_person" not in _codes(by)


@pytest.mark.parametrize(
    "text",
    [
        "Meet my sexy girls tonight",
        "Massage: try our new ladies",
        "2 girl specials incall",
        "escort, ask about duos",
    ],
)
def test_several_women_in_one_ad_are_found(text: str) -> None:
    assert "several_people" in _codes(text)


def test_an_age_in_years_before_the_word_escorts_is_not_a_count_of_women() -> None:
    assert "several_people" not in _codes("I am 22 years young, one of the best escorts here")


@pytest.mark.parametrize(
    "text",
    [
        "Escort agency now hiring, send a recent photo",
        "Adult work: join our team, take home $1000 per day",
        "Have you thought about becoming a companion? Apply today",
    ],
)
def test_recruitment_into_the_trade_is_found(text: str) -> None:
    assert "recruitment" in _codes(text)


def test_an_agency_offering_several_women_is_flagged_but_either_alone_is_not() -> None:
    assert not lead_score(detect("Call our escort agency tonight"))[1]
    assert not lead_score(detect("escort, ask about duos"))[1]
    assert lead_score(detect("Call our escort agency tonight, ask about duos"))[1]


@pytest.mark.parametrize(
    "text",
    [
        "Electricians wanted: join our team, call us, applications for two positions, apply now",
        "Home care: she helps her clients; her schedule suits her; she drives her own car",
        "Warehouse pickers, High School diploma required, $600/week",
    ],
)
def test_an_ordinary_job_ad_has_no_third_party_recruitment_or_minor_sign(text: str) -> None:
    codes = _codes(text)
    assert not codes & {"agency", "third_person", "recruitment", "underage_cue"}, codes


def test_symbols_after_a_plain_number_do_not_make_it_obscured() -> None:
    assert "obscured_phone_text" not in _codes("call 555-201-4567 |  ### 5552014567 ###")
    assert "obscured_phone_text" in _codes("call 555*201*4567 now")
    assert "obscured_phone_text" in _codes("call five5five-2zero1-4567")


def test_gfe_and_full_service_are_not_risky_but_unprotected_services_are() -> None:
    assert "risky_services" not in _codes("GFE, full service, incall")
    assert "risky_services" in _codes("incall, BBBJ and CIM")


@pytest.mark.parametrize("who", ["Asian", "Latina", "Russian", "Ebony"])
def test_a_stated_ethnicity_between_two_words_neither_adds_nor_hides_a_sign(who: str) -> None:
    plain = "Escort studio: new girls every week, my daddy handles bookings"
    stated = plain.replace("new girls", f"new {who} girls")
    hits = detect(stated, {"ethnicities": [who]})
    assert lead_score(hits) == lead_score(detect(plain))
    several = next(h for h in hits if h.code == "several_people")
    assert several.span is not None
    assert stated[several.span[0] : several.span[1]] == several.matched == f"new {who} girls"


def _codes(text: str) -> set[str]:
    return {h.code for h in detect(text)}


def test_recruitment_that_hires_and_promises_pay_is_strong_and_either_alone_is_not() -> None:
    hiring = "Now hiring sexy escorts for upscale outcalls, apply today."
    pay = "Escort work: take home $500 per day, no experience necessary."
    both = "Now hiring sexy escorts for outcalls. Take home $500 per day, no experience needed."
    assert "recruitment" in _codes(hiring) and not lead_score(detect(hiring))[1]
    assert "recruitment_pay" in _codes(pay) and not lead_score(detect(pay))[1]
    assert {"recruitment", "recruitment_pay"} <= _codes(both)
    assert lead_score(detect(both))[1]


def test_pay_words_outside_the_sex_trade_are_no_recruitment() -> None:
    assert "recruitment_pay" not in _codes(
        "Warehouse staff wanted. Make good money, no experience necessary, $120 per day."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Independent escort here, and you can meet my escorts friends too when you visit.",
        "Book a girl of your choice tonight, the best escort service in town.",
        "Select any escorts you like, incall and outcall.",
    ],
)
def test_an_ad_offering_other_women_is_third_party(text: str) -> None:
    assert "offers_others" in _codes(text)


@pytest.mark.parametrize(
    ("text", "youthful"),
    [
        ("Sexy escort, first timer, be gentle, incall only.", True),
        ("Soy estudiante y primeriza, escort en Valencia.", True),
        ("Sexy escort, great with first timers, incall only.", False),
        ("Escort here. Whether you're a first timer or not, relax with me.", False),
        ("Classy young lady, escort, incall only.", False),
    ],
)
def test_youth_wording_reads_first_timers_and_students_but_not_new_clients(
    text: str, youthful: bool
) -> None:
    assert ("youthful_language" in _codes(text)) is youthful


def test_a_paraphrase_is_never_age_evidence() -> None:
    from analytics.scoring.indicators import Indicator

    paraphrase = Indicator(
        "paraphrase_underage", "wording close to 'x'", "underage", 0.3, "similarity 0.5", None
    )
    assert minor_score([paraphrase], []) < 0.5
    assert not lead_score([paraphrase])[1]


def test_a_pay_amount_is_read_whole() -> None:
    # "$2500": the word-end guard once failed after the first digit, so no amount of 10+ matched.
    assert "recruitment_pay" in _codes("Models wanted for BDSM videos, the pay will be $2500.")
    assert "recruitment_pay" in _codes("Escort agency: take home $1000 on a good night.")
