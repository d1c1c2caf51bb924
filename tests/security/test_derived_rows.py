"""Derived rows follow the visibility of the ads they come from: a network spanning two units
gives neither unit the other's identifiers or ad ids (issue #19 H1)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import QueueItem
from cases.services.cases import case_add_item, case_create
from tests.cases.factories import make_ad, network_of, sync_item_sources

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanning(actors):
    mine = make_ad(actors.source_a, body="Call 702-555-0134, ask for Ann")
    theirs = make_ad(actors.source_b, body="Call 702-555-0199 or mail secret.b@example.org")
    network = network_of([mine, theirs])
    # The network's lead ad is unit B's: the riskiest member, as the queue stage would pick.
    item = QueueItem.objects.create(
        kind="network", network=network, lead_ad=theirs, risk=0.9, size=2, status="new"
    )
    return mine, theirs, network, item


def test_a_case_page_lists_only_identifiers_behind_ads_the_viewer_may_see(actors, spanning):
    _, _, _, item = spanning
    case = case_create(title="Spanning", unit=actors.unit_a, by=actors.investigator_a)
    case_add_item(case=case, item=item, by=actors.investigator_a)
    values = set(case.entities.values_list("value", flat=True))
    assert "+17025550199" in values  # the case keeps what it was given
    page = actors.client_for("investigator_a").get(reverse("cases:case", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "+17025550134" in html
    assert "+17025550199" not in html and "secret.b@example.org" not in html
    admin = actors.client_for("admin").get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "secret.b@example.org" in admin


def test_the_queue_api_hides_a_lead_ad_of_another_unit(actors, spanning):
    mine, theirs, _, item = spanning
    sync_item_sources(item)
    for actor, expected in (("investigator_a", None), ("investigator_b", theirs.pk)):
        client = actors.client_for(actor)
        detail = client.get(f"/api/v1/investigator/queue/{item.pk}/")
        assert detail.status_code == 200, actor
        assert detail.json()["lead_ad"] == expected, actor
        listed = client.get("/api/v1/investigator/queue/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert [r["lead_ad"] for r in rows if r["id"] == item.pk] == [expected], actor


# --- every derived row, for every actor (the URL x role matrix extended to derived rows) --------
# Unit B's ad carries marks that must never reach unit A: a place, a risk figure, an indicator,
# and a word in its text (which a network template would quote).
B_CITY = "Tulsa, OK"
B_RISK = "0.97"
B_INDICATOR = "ILO: debt bondage"
B_WORD = "Quixotical"


def _locate(ad, name: str) -> None:
    from maps.models import AdLocation, Precision

    AdLocation.objects.update_or_create(
        ad=ad,
        defaults={
            "name": name,
            "precision": Precision.CITY,
            "lat": 36.15,
            "lng": -95.99,
            "geocoder_version": "test",
        },
    )


@pytest.fixture
def derived(actors):
    """A network of one unit-A ad and two unit-B ads, with its figures computed by the real
    linking and queue stages, escalated into a unit-A case."""
    from analytics.stages import networks_refresh
    from cases.stages import _upsert_network_item
    from tests.cases.factories import score

    text = "Sweet new girl in town, call 702-555-0134 for incall and outcall tonight"
    mine = make_ad(actors.source_a, title="Sweet new girl", body=text)
    theirs = [
        make_ad(
            actors.source_b,
            title="Sweet new girl",
            body=f"{text} {B_WORD} 918-555-01{n}{n}",
            location_text=B_CITY,
        )
        for n in (2, 3)
    ]
    score(mine, risk=0.55, codes=("movement_language",))
    for ad in theirs:
        score(ad, risk=float(B_RISK), codes=("ilo_debt_bondage",))
        _locate(ad, B_CITY)
    _locate(mine, "Las Vegas, NV")
    network = network_of([mine, *theirs], cities=[])
    networks_refresh(network_ids=[network.pk])
    _upsert_network_item(network)
    network.refresh_from_db()
    assert B_CITY in network.cities and network.size == 3  # the stored figures span both units
    item = QueueItem.objects.get(network=network)
    assert B_CITY in item.location and B_RISK in f"{item.risk:.2f}"
    case = case_create(title="Derived", unit=actors.unit_a, by=actors.investigator_a)
    case_add_item(case=case, item=item, by=actors.investigator_a)
    return mine, theirs, network, item, case


def _derived_urls(mine, network, item, case) -> list[str]:
    from ads.models import Entity

    phone = Entity.objects.get(kind="phone", value="+17025550134")
    return [
        reverse("cases:queue") + "?status=all",
        reverse("cases:item", args=[item.pk]),
        reverse("cases:ad", args=[mine.pk]),
        reverse("cases:case", args=[case.pk]),
        reverse("analytics:network-list"),
        reverse("analytics:network", args=[network.pk]),
        reverse("analytics:entity", args=[phone.pk]),
        "/api/v1/investigator/queue/?status=all",
        f"/api/v1/investigator/queue/{item.pk}/",
    ]


MARKS = (B_CITY, B_INDICATOR, "ilo_debt_bondage", B_WORD)


def _shown(response) -> str:
    """The response without the filter forms' fixed option lists (every indicator is named
    there, whatever the data)."""
    import re

    return re.sub(r"<select.*?</select>", "", response.content.decode(), flags=re.S)


@pytest.mark.parametrize("actor", ["investigator_a", "supervisor_a"])
def test_derived_rows_show_nothing_of_ads_the_viewer_may_not_see(actors, derived, actor) -> None:
    mine, _, network, item, case = derived
    client = actors.client_for(actor)
    for url in _derived_urls(mine, network, item, case):
        response = client.get(url)
        assert response.status_code == 200, url
        text = _shown(response)
        for mark in MARKS:
            assert mark not in text, (url, mark)
        assert "risk 0.97" not in text and '"risk":0.97' not in text, url
    # The unit-A reviewer sees the network as one ad of theirs, and is told others exist.
    api = client.get(f"/api/v1/investigator/queue/{item.pk}/").json()
    assert api["size"] == 1 and api["risk"] == pytest.approx(0.55)
    assert api["lead_ad"] == mine.pk
    page = client.get(reverse("analytics:network", args=[network.pk])).content.decode()
    assert "2 ads of this network are outside your visibility" in page


def test_the_queue_export_carries_only_visible_figures(actors, derived) -> None:
    client = actors.client_for("investigator_a")
    response = client.post(
        reverse("cases:queue-csv"), {"query": "status=all", "justification": "t"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Network of 1 ads in Las Vegas, NV" in text
    for mark in MARKS:
        assert mark not in text, mark


@pytest.mark.parametrize("actor", ["investigator_b", "admin"])
def test_viewers_who_may_see_the_other_units_ads_still_see_them(actors, derived, actor) -> None:
    mine, _, network, item, case = derived
    client = actors.client_for(actor)
    queue = client.get(reverse("cases:queue") + "?status=all").content.decode()
    assert B_CITY in queue
    network_page = client.get(reverse("analytics:network", args=[network.pk])).content.decode()
    assert B_CITY in network_page


@pytest.mark.parametrize("actor", ["partner_x", "partner_y", "auditor", "anonymous"])
def test_roles_off_the_desk_get_no_derived_row(actors, derived, actor) -> None:
    mine, _, network, item, case = derived
    client = actors.client_for(actor)
    for url in _derived_urls(mine, network, item, case):
        response = client.get(url)
        assert response.status_code in {302, 401, 403, 404}, (actor, url, response.status_code)
        text = _shown(response)
        for mark in MARKS:
            assert mark not in text, (actor, url, mark)


def test_a_network_seen_in_part_is_never_saved(actors, derived) -> None:
    from analytics.selectors import networks_as_seen

    _, _, network, item, _ = derived
    [seen] = networks_as_seen(user=actors.investigator_a, networks=[network])
    assert seen.size == 1 and seen.hidden_count == 2
    with pytest.raises(RuntimeError):
        seen.save()
    network.refresh_from_db()
    assert network.size == 3


def test_another_units_source_reads_as_no_source_at_all(actors, derived) -> None:
    """A source the user may not see selects nothing, on the page and in the API: exactly as an
    id that names no source, so the filter tells nothing of another unit's ads."""
    mine = actors.client_for("investigator_a")
    answers = []
    for source in (str(actors.source_b.pk), "999999"):
        params = {"status": "all", "source": source}
        page = mine.get(reverse("cases:queue"), params).content.decode()
        rows = re.findall(r'<tr id="item-(\d+)"', page)
        api = mine.get("/api/v1/investigator/queue/", params)
        answers.append((rows, api.status_code))
    assert answers[0] == answers[1] == ([], 200)


@pytest.mark.parametrize(
    "query",
    [
        {"location": "Tulsa"},
        {"indicator": "ilo_debt_bondage"},
    ],
)
def test_a_filter_cannot_probe_another_units_ads(actors, derived, query) -> None:
    _, _, _, item, _ = derived
    params = {
        "status": "all",
        **{k: str(actors.source_b.pk) if v == "SOURCE_B" else v for k, v in query.items()},
    }
    mine = actors.client_for("investigator_a")
    page = mine.get(reverse("cases:queue"), params).content.decode()
    assert f'id="item-{item.pk}"' not in page
    api = mine.get("/api/v1/investigator/queue/", params).json()
    rows = api["results"] if isinstance(api, dict) else api
    assert item.pk not in [r["id"] for r in rows]
    theirs = actors.client_for("investigator_b").get(reverse("cases:queue"), params)
    assert f'id="item-{item.pk}"' in theirs.content.decode()
    unfiltered = mine.get(reverse("cases:queue"), {"status": "all"}).content.decode()
    assert f'id="item-{item.pk}"' in unfiltered


def test_the_queue_recomputes_rows_seen_in_part_in_a_fixed_number_of_queries(actors) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases.factories import score

    client = actors.client_for("investigator_a")

    def add_items(count: int) -> None:
        for _ in range(count):
            a = make_ad(actors.source_a, extract=False)
            b = make_ad(actors.source_b, extract=False)
            score(a, risk=0.6)
            score(b, risk=0.95)
            item = QueueItem.objects.create(
                kind="network", network=network_of([a, b]), lead_ad=b, size=2, status="new"
            )
            sync_item_sources(item)

    counts, total = [], 0
    for count in (2, 8):
        add_items(count)
        total += count
        client.get(reverse("cases:queue"))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("cases:queue"))
        # Every row shows the viewer's one ad of the network, not the stored two.
        assert page.content.decode().count("Network of 1 ads") == total
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
