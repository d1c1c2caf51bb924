"""Ages and emails in the shapes real listing pages use (issue 16, second pass).

Every text is written for the test: made-up names, fictional 555-01xx numbers, example domains.
"""

from __future__ import annotations

import pytest

from ads.extraction import extract


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        # A title's age suffix, as aggregator pages and flattened listings repeat it.
        ("Sweet Kandi best service - 23 at example.com more text", [23]),
        ("Sweet Kandi   - 24    downtown Springfield, incall only | Monday", [24]),
        ("Sweet Kandi - 25 212-555-0147 posting 212-555-0147 photos", [25]),
        ("Sweet Kandi - 26 - 212-555-0147 ad posting", [26]),
        ("call 212-555-0147 - 27 - 27 - Springfield listings", [27]),
        ("Sweet Kandi *** - - 28 - 28 - Springfield escorts", [28]),
        ("Sweet Kandi  @ @ 29  - 29    Springfield", [29]),
        ("KandiGoddess - 21                                    Springfield", [21]),
        ("Sweet Kandi - 22  Ad Post Date: Monday", [22]),
        # Labels laid out in columns, dot leaders, and two women in one field.
        ("Details   Age                                              27    Height 5'4", [27]),
        ("Age..... 22", [22]),
        ("Names: Rosa and Luz   Age:   19 and 21   Nationality: example", [19, 21]),
        ("About Kandi Age 24 Hair Blonde", [24]),
        # Abbreviations and a bare age between a name and the body's figures.
        ("Sexy Kandi 22y new in town", [22]),
        ("KANDI 19 AOS estudiante", [19]),
        ("Asian Kandiya 22, 5'3, 34dd, 100 lbs petite", [22]),
        ("Zorbina 23, 5'4 120lbs", [23]),
        ("petite girl, 115 lbs. 5'4.34D.24 year old", [24]),
    ],
)
def test_stated_ages_in_listing_page_shapes_are_found(text: str, ages: list[int]) -> None:
    assert extract(text).ages == ages


@pytest.mark.parametrize(
    "text",
    [
        "All welcome 30Yrs & Up",
        "you confirm that you are 18 year and older",
        "clients 35yrs to 70yrs welcome",
        "pareja edad entre los 18 a 28 años",
        "Springfield, example - 6 Pictures - 52 Ads - Reviews",
        "Rates: hh - 60  fh - 100",
        "Age: 21 - 25   Height: 5'4",
        "men over age 30 only",
        "tengo 22 y 23",
        "Suite 23, 5'4 door",
    ],
)
def test_client_ages_ranges_counts_and_rates_are_not_ages(text: str) -> None:
    assert extract(text).ages == []


@pytest.mark.parametrize(
    "text",
    [
        "Sweet Kandi - 23 at example.com photos",
        "Springfield Escorts at Example.com - listings",
        "phone reviews at examplereview.com",
        "PLEASE APPLY at WWW.EXAMPLE.NET OR CONTACT",
        "212-555-0147 at examplelookup.com",
    ],
)
def test_a_site_named_after_at_is_not_an_email(text: str) -> None:
    assert extract(text).emails == []


def test_spelled_addresses_still_need_a_spelled_dot_or_a_mail_provider() -> None:
    assert extract("write kandi at gmail.com").emails == ["kandi@gmail.com"]
    assert extract("write kandi at example dot net").emails == ["kandi@example.net"]
    assert extract("write kandi(at)example(.)com").emails == ["kandi@example.com"]


def test_an_address_cut_inside_its_local_part_is_read_whole() -> None:
    text = "Email resume to zorbaplumbing c@example.com today"
    assert extract(text).emails == ["zorbaplumbingc@example.com"]
    assert extract("email me c@example.com").emails == ["c@example.com"]


def test_a_word_before_a_cut_address_is_neither_email_nor_handle() -> None:
    result = extract("Contact Zorba 401 - or @example.com Source: listing")
    assert result.emails == []
    assert result.handles == []


def test_a_local_part_with_two_dots_in_a_row_is_no_address() -> None:
    assert extract("Kandi..Ch0c0l@tt3. TH!cK BbW").emails == []


def test_html_character_references_are_read_as_their_characters() -> None:
    result = extract("Hey gents! I&#39;m Kandi, I&#39;m 22 &amp; new in town")
    assert result.names == ["Kandi"]
    assert result.ages == [22]
    span = next(s for s in result.spans if s.kind == "age")
    assert "22" in "Hey gents! I&#39;m Kandi, I&#39;m 22 &amp; new in town"[span.start : span.end]


def test_an_age_written_with_old_alone_is_found_but_not_under_18() -> None:
    assert extract("I am ZORBINA 29 old. Sweet").ages == [29]
    assert extract("10 old photos").ages == []


# --- third pass: shapes read on unlabelled and tune-split real ads (all texts made up) -------


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("Sexy Kandi 22yoa new in town", [22]),
        ("Kandi, 22, new in town", [22]),
        ("Kandi (22) new in town", [22]),
        ("Kandi 22 here for you", [22]),
        ("Hi I'm Kandi 22", [22]),
        ("Japanese 21, 36D-23-33 real photos", [21]),
        ("Kandi, 19, 34dd, 100 lbs", [19]),
        ("I am 22 years of age, sweet and fun", [22]),
        ("HeightMediumBustLargeAge25ShavedYes", [25]),
        ("Sweet Kandi In & Outcalls 21 | 212-555-0147 on example.us", [21]),
        ("Profile   Age:   23 Yrs.   Ethnicity: example", [23]),
        ("July 11, 2016 01:29 PM   24   In Or  Springfield   example.com", [24]),
    ],
)
def test_more_stated_age_shapes_are_found(text: str, ages: list[int]) -> None:
    assert extract(text).ages == ages


@pytest.mark.parametrize(
    "text",
    [
        "Next tours 22 Jul. - 31 Jul. Springfield",
        "This company is 42 years old with a strong record",
        "With 20 years culminating experience in sales",
        "Job Title: Banker 2 - High Desert - 40 HoursJob ID",
        "I'm 34 D cup, soft",
        "only persons who are 18 years of age or older",
        "Call Kandi, 24/7",
        "Posted: Monday, June 20, 2016",
        "Suite 23, new building",
    ],
)
def test_dates_other_subjects_durations_and_cups_are_not_ages(text: str) -> None:
    assert extract(text).ages == []


def test_a_recruiters_poster_age_and_title_suffix_are_not_a_stated_age() -> None:
    text = (
        "Girls wanted, send us your name and age. Poster's age: 36   Location: Springfield\n"
        "Models wanted - 36 Models wanted - Springfield adult jobs - backpage.com"
    )
    assert extract(text).ages == []
    offered = text.replace("adult jobs", "escorts")
    assert extract(offered).ages == [36]


def test_a_page_listing_many_profiles_keeps_only_the_labelled_age() -> None:
    rows = "  ".join(
        f"{name}  -  {age} Yrs., Example Country"
        for name, age in [("Kandi", 21), ("Rosa", 22), ("Luz", 24), ("Zorbina", 26), ("Ana", 29)]
    )
    assert extract(rows).ages == []
    assert extract(rows + "   Profile Data   Age:   23 Yrs.   Ethnicity: example").ages == [23]
    # Two or three women of one ad are not a listing.
    assert extract("Kandi - 21 Yrs., Rosa - 22 Yrs., Luz - 24 Yrs.").ages == [21, 22, 24]


def test_a_posting_history_row_with_a_place_column_gives_the_posters_age() -> None:
    row = "May 02, 2016 10:15 PM   23   Example Town, Springfield   example.com   "
    assert extract(row * 3).ages == [23]
    # A unit after the number makes it a length of time, not the age column.
    assert extract("May 02, 2016 10:15 PM   20   mins of fun").ages == []


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        # Label separators other than ":" and a label read as a sentence.
        ("Stats  Age | 24  Height | 5'5", [24]),
        ("Age ~ 25 ~ Hair brown", [25]),
        ("Age; 26 Eyes green", [26]),
        ("Age (27) Height 5'6", [27]),
        ("Age» 28 Bust 34C", [28]),
        ("Hello, my age is 29 and I love to travel", [29]),
        # "22-yo", glued by a dash.
        ("petite 22-yo brunette, new in town", [22]),
        # Two women, each a given name and her age, joined by "&" or "and".
        ("two girls: Tiana 23 & Rosa 25", [23, 25]),
        ("Duo: Tiana 24 and Rosa 22", [24, 22]),
        # A title's age with the body run on after it in lowercase, digits or a symbol.
        ("Sweet Kandi new in town - 23 hey guys im new here", [23]),
        ("Asian GIRLS body to body - 25 24/7 hot body", [25]),
        ("Sweet Kandi - 26 *** new pics ***", [26]),
        ("Sweet Kandi - 27 !!! call now", [27]),
    ],
)
def test_more_label_pair_and_title_shapes_state_ages(text: str, ages: list[int]) -> None:
    assert extract(text).ages == ages


@pytest.mark.parametrize(
    "text",
    [
        # A rate, not a title's age: the words before it are a price list.
        "Incall - 60 outcall - 100",
        "roses - 45 100 for the hour",
        # Counts that read on after the number.
        "Sweet Kandi - 20 to 30 min sessions",
        "Sweet Kandi - 40 per hour",
        # A dash is no unit before "year": a length of time.
        "our 15-year history in the business",
        # "Age:" ranges and limits keep their meaning with the new separators.
        "Age | 18+ welcome",
        "(ages 19 - 25) wanted",
    ],
)
def test_rates_counts_and_durations_are_not_ages(text: str) -> None:
    assert extract(text).ages == []


def test_a_bare_im_height_beside_a_stated_age_is_not_an_age() -> None:
    # "im 58" is 5'8" written without the foot mark; the ad states her age in years.
    assert extract("Hello, Im 24years of age, im 58 and slim").ages == [24]
    # Alone it stays an age: a mature woman's "I'm 52" is a statement.
    assert extract("Mature lady here, I'm 52 and classy").ages == [52]


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        # About her in the third person, as "I'm 21" is in the first.
        ("Meet Tiana, she is 22 and sweet", [22]),
        ("she's 24, petite and fun", [24]),
        # A profile's "Name: 23", and a height in feet after a space.
        ("Rosa: 23, new in town", [23]),
        ("Latina 25 5'4 34C", [25]),
        # Spanish number words before "años".
        ("Hola, tengo veintidós años", [22]),
        ("chica de treinta y dos años", [32]),
        ("soy una chica de veinte anos", [20]),
    ],
)
def test_third_person_profile_and_spanish_word_ages(text: str, ages: list[int]) -> None:
    assert extract(text).ages == ages


@pytest.mark.parametrize(
    "text",
    [
        "solo hombres mayores de 35 años",
        "caballeros de treinta y cinco años",
        "más de 30 años en el negocio",
        "10 años de experiencia",
        "veinte años de experiencia",
        "she is 5'4 and slim",
        "she is 10 min away",
    ],
)
def test_spanish_client_ages_durations_and_third_person_heights_are_not_ages(text: str) -> None:
    assert extract(text).ages == []


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        # The men are greeted, then she states her own age.
        ("Hey guys I'm 23 and new here", [23]),
        ("Hi gents! 24 yrs old petite", [24]),
        ("Welcome gentlemen. Age: 26", [26]),
        ("Hi boys, I'm 21", [21]),
    ],
)
def test_a_greeting_to_men_does_not_hide_her_age(text: str, ages: list[int]) -> None:
    assert extract(text).ages == ages


@pytest.mark.parametrize(
    "text",
    ["men over 30 welcome", "Hey guys over 35 and up", "for men only 40 years and older"],
)
def test_men_and_their_ages_stay_apart_from_hers(text: str) -> None:
    assert extract(text).ages == []


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("Looking for fun 23 yrs old", [23]),
        ("Available for outcall 24 yo", [24]),
        ("About me: 23 years old, 5'4", [23]),
        ("My first day 22yo", [22]),
    ],
)
def test_a_time_word_before_an_age_written_as_one_does_not_hide_it(
    text: str, ages: list[int]
) -> None:
    assert extract(text).ages == ages


@pytest.mark.parametrize(
    "text",
    [
        "for 22 years now",
        "about 30 years ago",
        "escorting since 19 years old",
        "our company 29 years old",
    ],
)
def test_lengths_of_time_and_a_past_age_are_not_her_age(text: str) -> None:
    assert extract(text).ages == []


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("Car fun - m4w 26 white male brown hair", [26]),
        ("Looking for fun - w4m - 31", [31]),
        ("25 female here, looking for a date", [25]),
    ],
)
def test_a_personal_ads_poster_states_an_age(text: str, ages: list[int]) -> None:
    assert extract(text).ages == ages


@pytest.mark.parametrize(
    "text",
    ["40 male escorts available", "we have 20 female models", "30 girls available", "2 guys"],
)
def test_counts_of_people_are_not_a_personal_ads_age(text: str) -> None:
    assert extract(text).ages == []


@pytest.mark.parametrize(("text", "ages"), [("Hey I`m 24 and new", [24]), ("Hola, I´m 25", [25])])
def test_an_im_written_with_a_backtick_or_an_accent_states_an_age(
    text: str, ages: list[int]
) -> None:
    assert extract(text).ages == ages
