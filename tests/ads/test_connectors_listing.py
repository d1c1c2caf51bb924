"""HTML listing connector: pagination, field extraction, missing fields and failing pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ads.connectors import InvalidSettings, poll, validate_settings
from ads.connectors.http import SafeFetcher
from ads.connectors.testing import LocalSite, Reply, loopback_only

PAGES = Path(__file__).with_name("pages")
HTML = {"Content-Type": "text/html; charset=utf-8"}
FIELDS = {
    "title": "h1.postingtitle",
    "body": "#postingbody",
    "posted_at": "time.date@datetime",
    "location_text": ".location",
    "language": "html@lang",
    "external_id": r"@url-regex:/(\d+)\.html$",
}


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.fixture(autouse=True)
def connect_attempts() -> Iterator[list[object]]:
    with loopback_only() as attempts:
        yield attempts


@pytest.fixture
def fetcher() -> Iterator[SafeFetcher]:
    with SafeFetcher(
        user_agent="NorthgateTestBot/1.0",
        allow_private=True,
        min_interval=0.0,
        retries=0,
        max_bytes=1024 * 1024,
        sleep=lambda seconds: None,
    ) as safe:
        yield safe


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        running.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /city/jobs/hidden/\n"))
        running.route("/city/jobs/", Reply(body=page("listing_page1.html"), headers=HTML))
        running.route("/city/jobs/?page=2", Reply(body=page("listing_page2.html"), headers=HTML))
        running.route("/city/jobs/?page=3", Reply(body=page("listing_page3.html"), headers=HTML))
        running.route("/city/jobs/3301.html", Reply(body=page("ad_full.html"), headers=HTML))
        running.route("/city/jobs/3302.html", Reply(body=page("ad_sparse.html"), headers=HTML))
        running.route("/city/jobs/3304.html", Reply(body=page("ad_other.html"), headers=HTML))
        running.route(
            "/city/jobs/hidden/3305.html", Reply(body=page("ad_other.html"), headers=HTML)
        )
        running.route("/city/jobs/3306.html", Reply(body=page("ad_other.html"), headers=HTML))
        yield running


def settings_for(site: LocalSite, **overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "listing_url": site.url("/city/jobs/"),
        "item_link": "a.ad-link",
        "next_page": "a.next",
        "max_pages": 2,
        "images": "#gallery img",
        "fields": dict(FIELDS),
    }
    settings.update(overrides)
    return settings


def test_listing_pages_are_walked_up_to_max_pages(site: LocalSite, fetcher: SafeFetcher) -> None:
    result = poll("html", settings_for(site), fetcher=fetcher)
    assert "/city/jobs/?page=2" in site.paths
    assert "/city/jobs/?page=3" not in site.paths
    assert "/city/jobs/3306.html" not in site.paths
    assert [r.external_id for r in result.records] == ["3301", "3302", "3304"]
    # line is the ad's place in the crawl, failed pages included, so reports can point at it.
    assert [r.line for r in result.records] == [1, 2, 5]


def test_each_ad_page_is_fetched_once_and_off_site_links_are_not_followed(
    site: LocalSite, fetcher: SafeFetcher, connect_attempts: list[object]
) -> None:
    poll("html", settings_for(site), fetcher=fetcher)
    assert site.paths.count("/city/jobs/3301.html") == 1
    assert "/promo/upgrade.html" not in site.paths
    assert all(address[0] == "127.0.0.1" for address in connect_attempts)  # type: ignore[index]


def test_a_full_ad_page_yields_every_field(site: LocalSite, fetcher: SafeFetcher) -> None:
    record = poll("html", settings_for(site), fetcher=fetcher).records[0]
    assert record.url == site.url("/city/jobs/3301.html")
    assert record.title == "Hostess wanted, cash daily, housing provided"
    assert record.body == (
        "New club opening, looking for friendly girls 18+ to work as hostesses.\n\n"
        "We provide housing and transport. Cash paid every night.\n"
        "No experience, no papers needed.\n\n"
        "Text 555-0119 with a photo. Ask for Tony."
    )
    assert record.posted_at == datetime(2025, 6, 3, 18, 20, tzinfo=timezone(timedelta(hours=-4)))
    assert record.location_text == "Eastside, near the bus station"
    assert record.language == "en"
    assert record.raw == page("ad_full.html")
    assert record.content_type == "text/html"


def test_image_urls_are_absolute_deduplicated_and_skip_data_uris(
    site: LocalSite, fetcher: SafeFetcher
) -> None:
    record = poll("html", settings_for(site), fetcher=fetcher).records[0]
    assert record.image_urls == (
        site.url("/city/jobs/images/3301-1.jpg"),
        "http://img.northgate-classifieds.example/3301-2.jpg",
    )


def test_missing_fields_are_empty_not_errors(site: LocalSite, fetcher: SafeFetcher) -> None:
    result = poll("html", settings_for(site), fetcher=fetcher)
    sparse = result.records[1]
    assert sparse.title == "Models needed for photo shoots"
    assert sparse.body == "Paid photo shoots, travel to other cities. Send age and measurements."
    assert sparse.posted_at is None
    assert sparse.location_text == ""
    assert sparse.language == ""
    assert sparse.image_urls == ()


def test_failing_and_forbidden_ad_pages_are_reported_and_the_rest_goes_on(
    site: LocalSite, fetcher: SafeFetcher
) -> None:
    result = poll("html", settings_for(site), fetcher=fetcher)
    assert result.errors == [
        {"url": site.url("/city/jobs/3303.html"), "reason": "server answered HTTP 404"},
        {"url": site.url("/city/jobs/hidden/3305.html"), "reason": "disallowed by robots.txt"},
    ]
    assert "/city/jobs/hidden/3305.html" not in site.paths
    assert result.records[-1].title == "Nanny, live-in"


def test_without_an_id_field_the_ad_url_is_the_id(site: LocalSite, fetcher: SafeFetcher) -> None:
    fields = {k: v for k, v in FIELDS.items() if k != "external_id"}
    result = poll("html", settings_for(site, fields=fields, max_pages=1), fetcher=fetcher)
    assert result.records[0].external_id == site.url("/city/jobs/3301.html")


def test_a_next_link_back_to_a_seen_page_ends_the_walk(fetcher: SafeFetcher) -> None:
    with LocalSite() as site:
        page_a = b'<a class="ad-link" href="/ad/1.html">1</a><a class="next" href="/b">b</a>'
        page_b = b'<a class="ad-link" href="/ad/2.html">2</a><a class="next" href="/a">a</a>'
        site.route("/a", Reply(body=page_a, headers=HTML))
        site.route("/b", Reply(body=page_b, headers=HTML))
        site.route("/ad/1.html", Reply(body=b"<h1>one</h1>", headers=HTML))
        site.route("/ad/2.html", Reply(body=b"<h1>two</h1>", headers=HTML))
        settings = {
            "listing_url": site.url("/a"),
            "item_link": "a.ad-link",
            "next_page": "a.next",
            "max_pages": 10,
            "fields": {"title": "h1"},
        }
        result = poll("html", settings, fetcher=fetcher)
        assert [p for p in site.paths if p in ("/a", "/b")] == ["/a", "/b"]
        assert [r.title for r in result.records] == ["one", "two"]


def test_a_listing_that_cannot_be_fetched_is_one_error(fetcher: SafeFetcher) -> None:
    with LocalSite() as site:
        result = poll(
            "html",
            {"listing_url": site.url("/nothing/"), "item_link": "a"},
            fetcher=fetcher,
        )
    assert result.records == []
    assert result.errors == [{"url": site.url("/nothing/"), "reason": "server answered HTTP 404"}]


# --- hostile pages --------------------------------------------------------------------------


def test_invalid_utf8_and_nul_bytes_still_give_a_clean_record(fetcher: SafeFetcher) -> None:
    hostile = (
        b"<html><body><h1>Caf\xe9 \xff\xfe staff\x00 wanted</h1>"
        b'<div id="postingbody">Call\x00 now \x01\x02 please</div></body></html>'
    )
    with LocalSite() as site:
        site.route("/list", Reply(body=b'<a class="ad" href="/ad/7.html">7</a>', headers=HTML))
        site.route("/ad/7.html", Reply(body=hostile, headers=HTML))
        result = poll(
            "html",
            {
                "listing_url": site.url("/list"),
                "item_link": "a.ad",
                "fields": {"title": "h1", "body": "#postingbody"},
            },
            fetcher=fetcher,
        )
    (record,) = result.records
    assert "\x00" not in record.title + record.body
    assert record.title.startswith("Caf")
    assert record.title.endswith("staff wanted")
    assert record.body == "Call now please"
    assert record.raw == hostile


def test_a_ten_megabyte_ad_page_is_reported_and_the_others_are_kept(
    fetcher: SafeFetcher,
) -> None:
    listing = b'<a class="ad" href="/ad/1.html">1</a><a class="ad" href="/ad/2.html">2</a>'
    with LocalSite() as site:
        site.route("/list", Reply(body=listing, headers=HTML))
        site.route(
            "/ad/1.html", Reply(body=b"<p>" + b"A" * (10 * 1024 * 1024), declare_length=False)
        )
        site.route("/ad/2.html", Reply(body=b"<h1>fine</h1>", headers=HTML))
        result = poll(
            "html",
            {"listing_url": site.url("/list"), "item_link": "a.ad", "fields": {"title": "h1"}},
            fetcher=fetcher,
        )
    assert [r.title for r in result.records] == ["fine"]
    assert result.errors[0]["url"] == site.url("/ad/1.html")
    assert "cap" in result.errors[0]["reason"]


def test_a_non_html_ad_page_is_reported(fetcher: SafeFetcher) -> None:
    with LocalSite() as site:
        site.route("/list", Reply(body=b'<a class="ad" href="/ad/1.pdf">1</a>', headers=HTML))
        site.route(
            "/ad/1.pdf", Reply(body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
        )
        result = poll(
            "html", {"listing_url": site.url("/list"), "item_link": "a.ad"}, fetcher=fetcher
        )
    assert result.records == []
    assert "expected an HTML page" in result.errors[0]["reason"]


# --- settings -------------------------------------------------------------------------------


def test_good_listing_settings_have_no_problems() -> None:
    settings = {
        "listing_url": "https://northgate-classifieds.example/city/jobs/",
        "item_link": "a.ad-link",
        "next_page": "a.next",
        "max_pages": 3,
        "fields": dict(FIELDS),
    }
    assert validate_settings("html", settings) == []


def test_listing_settings_problems_are_listed_in_words() -> None:
    problems = validate_settings(
        "html",
        {
            "listing_url": "ftp://northgate.example/",
            "item_link": "a[href",
            "max_pages": 500,
            "max_items": "ten",
            "same_host_only": "yes",
            "fields": {
                "title": "",
                "phone": ".tel",
                "external_id": "@url-regex:(unclosed",
                "posted_at": "time@datetime",
            },
            "cookie": "abc",
        },
    )
    assert problems[0] == "unknown setting 'cookie'"
    assert "listing_url must be an http or https URL with a host" in problems
    assert any(p.startswith("item_link is not a valid CSS selector 'a[href'") for p in problems)
    assert "max_pages must be between 1 and 50" in problems
    assert "max_items must be a whole number" in problems
    assert "same_host_only must be true or false" in problems
    assert "field 'title' is empty" in problems
    assert any(p.startswith("unknown field 'phone'") for p in problems)
    assert any(
        p.startswith("field 'external_id' has an invalid regular expression") for p in problems
    )
    assert len(problems) == 9


def test_listing_settings_need_a_url_and_an_item_selector() -> None:
    assert validate_settings("html", {}) == [
        "listing_url is required",
        "item_link must be a CSS selector",
    ]


def test_polling_a_listing_with_invalid_settings_raises(fetcher: SafeFetcher) -> None:
    with pytest.raises(InvalidSettings, match="item_link"):
        poll("html", {"listing_url": "https://ok.example/"}, fetcher=fetcher)


def test_ad_dates_use_the_same_plausibility_rules_as_feeds(fetcher: SafeFetcher) -> None:
    future = (datetime.now(tz=UTC) + timedelta(days=400)).isoformat()
    body = f'<h1>x</h1><time datetime="{future}">soon</time>'.encode()
    with LocalSite() as site:
        site.route("/list", Reply(body=b'<a class="ad" href="/ad/1.html">1</a>', headers=HTML))
        site.route("/ad/1.html", Reply(body=body, headers=HTML))
        result = poll(
            "html",
            {
                "listing_url": site.url("/list"),
                "item_link": "a.ad",
                "fields": {"posted_at": "time@datetime"},
            },
            fetcher=fetcher,
        )
    assert result.records[0].posted_at is None
