"""The desk in headless Chromium: sign in, claim, read the ad, escalate, export, get an alert.

Run with `pytest -m browser tests/cases/test_desk_browser.py`. Needs Debian's chromium at
/usr/bin/chromium; without it the test skips (and fails under CI=true, where it must run).
Screenshots of the queue and the ad page are written to docs/screenshots/ for the README.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.db import transaction

from ads.models import Ad
from cases.models import Alert, Case, QueueItem
from cases.stages import ads_queue_for_review
from maps.services import ads_geocode
from tests.cases.factories import make_ad, network_of, score
from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: apt-get install -y chromium")
        pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the test makes
    # between page actions are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                errors.append(f"{m.text} {m.location.get('url', '')}")
                if m.type == "error"
                else None
            ),
        )
        yield page, errors
        browser.close()


def _seed(actors) -> None:
    vegas = [
        make_ad(
            actors.source_a,
            title="New girl in town, sweet and young",
            body="Just arrived, in-call only. Text 702-555-0134, ask for Amy. <script>x()</script>",
            location_text="Las Vegas, NV",
        ),
        make_ad(
            actors.source_a,
            title="Sweet new girl, just arrived",
            body="In-call only. Text 702 555 0134 ask for Bella",
            location_text="Henderson, NV",
        ),
    ]
    for ad in vegas:
        start = ad.document.index("young") if "young" in ad.document else 0
        score(
            ad,
            risk=0.91,
            minor=0.64,
            possible_minor=True,
            codes=("youth_cue", "new_in_town"),
            indicators=[
                {
                    "code": "youth_cue",
                    "label": "Youth wording",
                    "span": [start, start + 5],
                    "weight": 2.0,
                    "provenance": "lexicon",
                }
            ],
            reason="Youth wording, just-arrived cue, shared phone across two cities.",
        )
    network_of(vegas, cities=["Las Vegas, NV", "Henderson, NV"])
    single = make_ad(
        actors.source_shared,
        title="Relaxing massage, licensed therapist",
        body="Licensed LMT #12345, call 775-555-0101",
        location_text="Reno, NV",
    )
    score(single, risk=0.58, minor=0.05, codes=("cash_only",), reason="Cash-only wording.")
    with transaction.atomic():
        ads_queue_for_review([*vegas, single])


def test_investigator_claims_reads_escalates_exports_and_is_alerted(
    actors, live_server, browser_page
):
    page, errors = browser_page
    actors.investigator_a.email = "inv-a@example.test"
    actors.investigator_a.save()
    _seed(actors)
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next=/cases/")
    page.fill("#id_username", "inv-a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/")
    assert page.locator("table.queue tbody tr").count() == 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    network_item = QueueItem.objects.get(kind="network")
    page.click(f"#claim-{network_item.pk} button")
    page.wait_for_selector(f"#claim-{network_item.pk} >> text=inv-a")
    assert QueueItem.objects.get(pk=network_item.pk).assignee == actors.investigator_a

    page.click(f"#item-{network_item.pk} td a")
    page.wait_for_selector("a.network-ad")
    page.click("a.network-ad >> text=New girl in town")
    page.wait_for_selector("#ad-text")
    assert page.locator("#ad-text mark.ind").count() >= 1
    assert page.locator("#ad-text mark.ent-phone").count() >= 1
    assert "<script>x()</script>" in page.inner_text("#ad-text")  # shown as text, not run
    page.screenshot(path=str(SCREENSHOTS / "ad-detail.png"), full_page=True)

    page.goto(f"{base}/cases/items/{network_item.pk}/")
    page.check("input[name=decision][value=true_lead]")
    page.fill("#d-title", "Vegas touring network")
    page.click("#decide-button")
    page.wait_for_selector("text=Case ")
    case = Case.objects.get()
    assert case.title == "Vegas touring network" and page.url.endswith(
        f"/cases/items/{network_item.pk}/"
    )
    page.click(f"a[href='/cases/cases/{case.pk}/']")
    page.wait_for_selector("#packet-link")
    page.fill("#packet-justification", "Referral to the district attorney")
    with page.expect_download() as download_info:
        page.click("#packet-link")
    packet = Path(download_info.value.path()).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(packet)).namelist()
    assert f"{case.number}/VERIFY.txt" in names and f"{case.number}/case.pdf" in names

    page.goto(f"{base}/cases/watchlists/")
    page.select_option("#id_kind", "phone")
    page.fill("#id_value", "(702) 555-0134")
    page.select_option("#id_frequency", "immediate")
    page.click("#watch-form button[type=submit]")
    page.wait_for_selector("text=+17025550134")
    new = make_ad(actors.source_a, title="Back in town this weekend", body="Text 702.555.0134")
    score(new, risk=0.7)
    with transaction.atomic():
        ads_queue_for_review([new])
    assert Alert.objects.filter(ad=new).exists()
    page.goto(f"{base}/cases/")
    page.click("text=1 unread watchlist alert")
    page.wait_for_selector("text=Back in town this weekend")
    # No script errors and no CSP violations on any page (the browser's favicon probe aside).
    assert not [e for e in errors if "favicon.ico" not in e], errors


def _sign_in(page, base: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", "inv-a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def test_a_phone_on_an_ad_page_pivots_to_every_ad_with_it_and_a_facet_narrows_them(
    actors, live_server, browser_page
):
    page, errors = browser_page
    _seed(actors)
    ads_geocode(list(Ad.objects.select_related("source")))  # the real stage: places to facet on
    base = live_server.url
    amy = QueueItem.objects.get(kind="network").network.memberships.order_by("ad_id").first().ad
    _sign_in(page, base, f"/cases/ads/{amy.pk}/")

    # The pivot: the phone on the ad page lists both ads that carry it (two cities).
    page.click("a.pivot[data-entity] >> text=+17025550134")
    page.wait_for_selector("#search-pivots >> text=Phone number: +17025550134")
    assert page.locator("#search-rows tr").count() == 2
    assert page.inner_text("#search-total").startswith("2 ads found")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search-facets.png"), full_page=True)

    # The facet: one city of the two narrows the list; clicked again, it widens it back.
    page.click("#search-facets [data-facet=place] a >> nth=0")
    page.wait_for_selector("#search-facets a.active")
    assert page.locator("#search-rows tr").count() == 1
    assert "Phone number: +17025550134" in page.inner_text("#search-pivots")
    page.click("#search-facets a.active")
    page.wait_for_function("document.querySelectorAll('#search-rows tr').length === 2")
    assert not [e for e in errors if "favicon.ico" not in e], errors
