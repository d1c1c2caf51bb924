"""RSS and Atom feeds become AdRecords; hostile XML becomes a clear error, never a crash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ads.connectors import InvalidSettings, poll, validate_settings
from ads.connectors.feeds import FeedError, parse_feed
from ads.connectors.http import SafeFetcher
from ads.connectors.testing import LocalSite, Reply, loopback_only

PAGES = Path(__file__).with_name("pages")
FEED_URL = "https://northgate-classifieds.example/jobs/hospitality/feed.xml"
NOW = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.fixture(autouse=True)
def connect_attempts() -> Iterator[list[object]]:
    with loopback_only() as attempts:
        yield attempts


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        yield running


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


# --- RSS ------------------------------------------------------------------------------------


def test_rss_items_become_records_with_ids_links_and_text() -> None:
    result = parse_feed(page("feed_rss.xml"), feed_url=FEED_URL, now=NOW)
    first, second, third = result.records
    assert first.external_id == "ngc-7710042"
    assert first.url == "https://northgate-classifieds.example/jobs/hospitality/7710042.html"
    assert first.title == "Hostesses wanted & dancers - travel + housing provided"
    assert first.language == "en-us"
    assert first.content_type == "application/rss+xml"
    assert [r.line for r in result.records] == [1, 2, 3]
    # The item without a guid is known by its link.
    assert second.external_id == second.url
    assert third.external_id == "ngc-7710044"


def test_rss_body_prefers_full_content_and_is_plain_text() -> None:
    first = parse_feed(page("feed_rss.xml"), feed_url=FEED_URL, now=NOW).records[0]
    assert first.body.startswith("Young ladies 18-22 wanted for club work in the city.")
    assert "Housing & transport provided" in first.body
    assert "Text only: 555-0142\nAsk for Mimi" in first.body
    assert "<" not in first.body
    assert "trackVisit" not in first.body


def test_rss_dates_are_timezone_aware_and_absurd_ones_are_dropped() -> None:
    first, second, third = parse_feed(page("feed_rss.xml"), feed_url=FEED_URL, now=NOW).records
    assert first.posted_at == datetime(2025, 6, 2, 21, 15, tzinfo=timezone(timedelta(hours=2)))
    assert first.posted_at is not None and first.posted_at.utcoffset() == timedelta(hours=2)
    assert second.posted_at is None  # the year 2999
    assert third.posted_at is None  # the year 1901


def test_rss_item_raw_is_the_items_own_bytes_from_the_feed() -> None:
    data = page("feed_rss.xml")
    records = parse_feed(data, feed_url=FEED_URL, now=NOW).records
    for record in records:
        assert record.raw.startswith(b"<item>")
        assert record.raw.endswith(b"</item>")
        assert record.raw in data
    assert b"ngc-7710042" in records[0].raw
    assert b"ngc-7710042" not in records[1].raw


def test_rss_images_come_from_enclosures_and_media_content() -> None:
    first = parse_feed(page("feed_rss.xml"), feed_url=FEED_URL, now=NOW).records[0]
    assert first.image_urls == (
        "https://northgate-classifieds.example/img/7710042-1.jpg",
        "https://img.northgate-classifieds.example/7710042-2.jpg",
    )


def test_a_javascript_link_is_not_kept_as_the_ads_url() -> None:
    third = parse_feed(page("feed_rss.xml"), feed_url=FEED_URL, now=NOW).records[2]
    assert third.url == ""


def test_an_item_without_id_or_link_is_reported_not_invented() -> None:
    result = parse_feed(page("feed_rss.xml"), feed_url=FEED_URL, now=NOW)
    assert len(result.records) == 3
    assert result.errors == [
        {"url": FEED_URL, "reason": "item 4 has neither an id/guid nor an http(s) link"}
    ]


def test_max_items_keeps_the_first_items_only() -> None:
    result = parse_feed(page("feed_rss.xml"), feed_url=FEED_URL, max_items=2, now=NOW)
    assert [r.external_id for r in result.records][:1] == ["ngc-7710042"]
    assert len(result.records) == 2


# --- Atom -----------------------------------------------------------------------------------


ATOM_URL = "https://costasur.example/feeds/masajes.atom"


def test_atom_entries_become_records() -> None:
    first, second, third = parse_feed(page("feed_atom.xml"), feed_url=ATOM_URL, now=NOW).records
    assert first.external_id == "tag:costasur.example,2025:anuncio-55120"
    assert first.url == "https://costasur.example/anuncio/55120"
    assert first.title == "Masajista nueva en la ciudad 24h"
    assert first.body == "Chica nueva, solo unos dias.\n\nHotel o domicilio. WhatsApp 555 0187"
    assert first.language == "es"
    assert first.image_urls == ("https://costasur.example/fotos/55120.png",)
    assert first.content_type == "application/atom+xml"
    assert second.body == "Licensed therapist, 10 years of experience.\n\nBy appointment only."
    assert second.language == "en"
    # No id: the link (resolved against the entry's xml:base) identifies it.
    assert third.url == "https://costasur.example/archivo/55122"
    assert third.external_id == third.url
    assert third.body == "Buscamos recepcionista con papeles en regla."


def test_atom_prefers_published_over_updated_and_drops_unparseable_dates() -> None:
    first, second, third = parse_feed(page("feed_atom.xml"), feed_url=ATOM_URL, now=NOW).records
    assert first.posted_at == datetime(2025, 6, 4, 3, 30, tzinfo=UTC)
    assert second.posted_at == datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    assert third.posted_at is None


def test_atom_entry_raw_is_the_entrys_own_bytes() -> None:
    data = page("feed_atom.xml")
    first = parse_feed(data, feed_url=ATOM_URL, now=NOW).records[0]
    assert first.raw.startswith(b"<entry>")
    assert first.raw.endswith(b"</entry>")
    assert first.raw in data


def test_rss_1_0_rdf_items_are_read() -> None:
    data = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example/"><title>Old board</title>
    <dc:language>fr</dc:language></channel>
  <item rdf:about="https://old.example/annonce/12">
    <title>Serveuse, nourrie logee</title>
    <link>https://old.example/annonce/12</link>
    <description>Restaurant cherche serveuse.</description>
    <dc:date>2025-05-30T08:00:00+02:00</dc:date>
  </item>
</rdf:RDF>"""
    (record,) = parse_feed(data, feed_url="https://old.example/rss", now=NOW).records
    assert record.external_id == "https://old.example/annonce/12"
    assert record.body == "Restaurant cherche serveuse."
    assert record.language == "fr"
    assert record.posted_at == datetime(2025, 5, 30, 6, 0, tzinfo=UTC)


# --- hostile XML ----------------------------------------------------------------------------


def test_billion_laughs_is_refused_with_a_clear_error() -> None:
    with pytest.raises(FeedError, match="unsafe XML"):
        parse_feed(page("billion_laughs.xml"), feed_url=FEED_URL)


def test_an_external_entity_is_refused_and_no_file_is_read() -> None:
    with pytest.raises(FeedError, match="unsafe XML") as caught:
        parse_feed(page("xxe.xml"), feed_url=FEED_URL)
    assert "root:" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0" encoding="utf-8"?><rss><channel><item><title>\xff\xfe'
            b"</title></item></channel></rss>",
            "not well-formed",
        ),
        (b"<rss><channel><item><title>a\x00b</title></item></channel></rss>", "not well-formed"),
        (b"<rss><channel><item><title>unclosed", "not well-formed"),
        (b"<html><body>not a feed</body></html>", "is not rss"),
        (b"", "not well-formed"),
        (b"<rss version='2.0'></rss>", "without a <channel>"),
    ],
)
def test_broken_documents_raise_a_feed_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(data, feed_url=FEED_URL)


def test_text_with_control_characters_is_cleaned() -> None:
    data = (
        b"<rss><channel><item><guid>g1</guid><title>Call&#x1;me</title>"
        b"<description>line one&lt;br&gt;line\ttwo</description></item></channel></rss>"
    )
    # &#x1; is not allowed in XML 1.0, so expat refuses it; that is the clear error we want.
    with pytest.raises(FeedError):
        parse_feed(data, feed_url=FEED_URL)
    clean = data.replace(b"&#x1;", b" ")
    (record,) = parse_feed(clean, feed_url=FEED_URL).records
    assert record.title == "Call me"
    assert record.body == "line one\nline two"


# --- polling over HTTP ----------------------------------------------------------------------


def test_polling_an_rss_source_fetches_and_parses_it(site: LocalSite, fetcher: SafeFetcher) -> None:
    site.route("/jobs/feed.xml", Reply(body=page("feed_rss.xml"), headers=RSS))
    result = poll("rss", {"feed_url": site.url("/jobs/feed.xml")}, fetcher=fetcher)
    assert [r.external_id for r in result.records][0] == "ngc-7710042"
    assert result.records[0].url == site.url("/jobs/hospitality/7710042.html")
    assert len(result.errors) == 1


def test_polling_a_billion_laughs_feed_reports_an_error(
    site: LocalSite, fetcher: SafeFetcher
) -> None:
    site.route("/feed.xml", Reply(body=page("billion_laughs.xml"), headers=RSS))
    result = poll("rss", {"feed_url": site.url("/feed.xml")}, fetcher=fetcher)
    assert result.records == []
    assert result.errors[0]["url"] == site.url("/feed.xml")
    assert "unsafe XML" in result.errors[0]["reason"]


def test_polling_a_ten_megabyte_feed_reports_the_size_cap(
    site: LocalSite, fetcher: SafeFetcher
) -> None:
    huge = b"<rss><channel>" + b"<item><guid>x</guid></item>" * 400_000 + b"</channel></rss>"
    assert len(huge) > 10 * 1024 * 1024
    site.route("/feed.xml", Reply(body=huge, headers=RSS, declare_length=False))
    result = poll("rss", {"feed_url": site.url("/feed.xml")}, fetcher=fetcher)
    assert result.records == []
    assert "cap" in result.errors[0]["reason"]


def test_polling_an_unreachable_feed_reports_instead_of_raising(
    site: LocalSite, fetcher: SafeFetcher
) -> None:
    result = poll("rss", {"feed_url": site.url("/missing.xml")}, fetcher=fetcher)
    assert result.records == []
    assert result.errors == [
        {"url": site.url("/missing.xml"), "reason": "server answered HTTP 404"}
    ]


# --- settings -------------------------------------------------------------------------------


def test_feed_settings_problems_are_listed_in_words() -> None:
    assert validate_settings("rss", {"feed_url": "https://ok.example/feed"}) == []
    problems = validate_settings(
        "rss", {"feed_url": "file:///etc/passwd", "max_items": 0, "colour": "red"}
    )
    assert problems == [
        "unknown setting 'colour'",
        "feed_url must be an http or https URL with a host",
        "max_items must be between 1 and 5000",
    ]
    assert validate_settings("rss", {}) == ["feed_url is required"]
    assert validate_settings("telegram", {}) == [
        "unknown connector kind 'telegram' (known: rss, html)"
    ]


def test_polling_with_invalid_settings_raises_with_the_problems(fetcher: SafeFetcher) -> None:
    with pytest.raises(InvalidSettings) as caught:
        poll("rss", {"feed_url": "gopher://x"}, fetcher=fetcher)
    assert caught.value.problems == ["feed_url must be an http or https URL with a host"]
