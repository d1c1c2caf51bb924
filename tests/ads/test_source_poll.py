"""Polling an online source stores its ads as evidence and keeps fetch problems on the source."""

from __future__ import annotations

import pytest

from ads.connectors.http import SafeFetcher
from ads.connectors.testing import LocalSite, Reply
from ads.models import Ad, Source, SourceKind
from ads.services import source_poll

pytestmark = pytest.mark.django_db

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Demo</title>
<item><guid>a-1</guid><title>New in town</title><description>Call 702 555 0143</description>
<link>http://127.0.0.1/ads/1</link><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><guid>a-2</guid><title>Spa</title><description>Relaxing massage</description></item>
</channel></rss>"""


def test_polling_a_feed_ingests_its_items_and_a_second_poll_changes_nothing():
    with LocalSite() as site:
        site.route("/feed.xml", Reply(body=FEED, headers={"Content-Type": "application/rss+xml"}))
        source = Source.objects.create(name="feed", kind=SourceKind.RSS, url=site.url("/feed.xml"))
        fetcher = SafeFetcher(user_agent="test", allowed_networks=("127.0.0.1/32",), min_interval=0)
        first = source_poll(source=source, fetcher=fetcher)
        second = source_poll(source=source, fetcher=fetcher)
    assert (first.new, second.unchanged) == (2, 2)
    ad = Ad.objects.get(external_id="a-1")
    assert ad.body.startswith("Call 702") and ad.posted_at.year == 2026
    source.refresh_from_db()
    assert source.last_polled_at is not None and source.last_poll_error == ""


def test_a_feed_that_cannot_be_fetched_is_recorded_on_the_source():
    with LocalSite() as site:
        source = Source.objects.create(
            name="gone", kind=SourceKind.RSS, url=site.url("/missing.xml")
        )
        fetcher = SafeFetcher(
            user_agent="test", allowed_networks=("127.0.0.1/32",), min_interval=0, retries=0
        )
        summary = source_poll(source=source, fetcher=fetcher)
    assert summary.new == 0 and summary.rejected
    source.refresh_from_db()
    assert "404" in source.last_poll_error
