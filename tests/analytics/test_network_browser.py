"""The network page and the "who is this" profile in headless Chromium, on synthetic ads.

Run with `pytest -m browser tests/analytics/test_network_browser.py`. Needs Debian's chromium at
/usr/bin/chromium; without it the test skips (and fails under CI=true). Writes
docs/screenshots/network.png and docs/screenshots/entity-profile.png (synthetic ads only: real
ads never go into the repository, screenshots included).
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ads.models import Ad, Entity, EntityKind
from ads.readers import records_from_payload
from ads.services import ads_ingest
from ads.stages import ads_extract_entities
from analytics.models import AdNetwork, NetworkCorrection
from analytics.stages import ads_link, networks_refresh
from demo.synthetic import generate_ads
from tests.cases.factories import score
from tests.cases.test_desk_browser import SCREENSHOTS, browser_page  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _seed_network(actors) -> list[Ad]:
    """The ads of the busiest synthetic operator among 1,500 ads, ingested, extracted, linked."""
    ads = list(generate_ads(1500, seed=17))
    busiest, _ = Counter(
        a.truth["network"] for a in ads if a.truth["network"] is not None
    ).most_common(1)[0]
    chosen = [a for a in ads if a.truth["network"] == busiest][:120]
    ads_ingest(source=actors.source_a, rows=records_from_payload([a.as_record() for a in chosen]))
    stored = list(Ad.objects.filter(external_id__in=[a.external_id for a in chosen]))
    ads_extract_entities(stored)
    rnd = random.Random(3)  # noqa: S311 - varied risks for the colour scale
    for ad in stored:
        score(ad, risk=round(rnd.uniform(0.2, 0.95), 2), flagged=False)
    ads_link(stored)
    networks_refresh(
        network_ids=sorted(set(AdNetwork.objects.values_list("network_id", flat=True)))
    )
    return stored


def test_the_network_page_and_profile_read_well_and_an_ad_can_be_detached(
    actors,
    live_server,
    browser_page,  # noqa: F811
):
    page, errors = browser_page
    ads = _seed_network(actors)
    network = AdNetwork.objects.get(ad=ads[0]).network
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/analytics/networks/{network.pk}/")
    page.fill("#id_username", "inv-a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#network-graph canvas")
    page.wait_for_timeout(1500)  # the layout settles
    assert page.locator("#templates article.template-group").count() >= 1
    assert "Confidence" in page.inner_text(".confidence")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "network.png"), full_page=False)
    page.locator("#templates").screenshot(path=str(SCREENSHOTS / "network-templates.png"))

    victim = ads[-1]
    page.check(f"input[name=ads][value='{victim.pk}']")
    page.fill("#correction-reason", "Different poster: the photos are of someone else")
    page.click("form.correction button[type=submit]")
    page.wait_for_selector("text=put apart")
    correction = NetworkCorrection.objects.get()
    assert correction.apart == [victim.pk]

    phone = (
        Entity.objects.filter(kind=EntityKind.PHONE, occurrences__ad__in=ads).order_by("pk").first()
    )
    page.goto(f"{base}/analytics/entities/{phone.pk}/")
    page.wait_for_selector("#profile")
    assert "Who is this" in page.inner_text("#profile")
    page.locator("#profile").screenshot(path=str(SCREENSHOTS / "entity-profile.png"))
    # Cytoscape sets inline styles, which the CSP (style-src 'self') blocks; the graph draws on
    # its canvas regardless. Anything else in the console is a failure.
    assert not [
        e for e in errors if "favicon.ico" not in e and "Applying inline style violates" not in e
    ], errors
