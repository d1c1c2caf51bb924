"""What a risk number is called and where it stands (issue #15): "lead score" until decisions back
it, and a rank among the recent ads the viewer may see, never counting another unit's ads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ads.models import Ad
from analytics.models import AdScore, ModelVersion
from analytics.selectors import RANK_MIN_ADS, risk_rank, score_heading, score_standing
from cases.filters import QueueItemFilter
from cases.models import QueueItem
from cases.selectors import queue_items
from cases.stages import ads_queue_for_review
from tests.cases.factories import make_ad, score


@pytest.fixture(autouse=True)
def _fresh_rank_cache():
    cache.clear()
    yield
    cache.clear()


def _scored(source, risks, *, days_ago: int = 0, flagged: bool = False) -> list[Ad]:
    ads = []
    for risk in risks:
        ad = make_ad(source, extract=False)
        score(ad, risk=risk, flagged=flagged)
        ads.append(ad)
    Ad.objects.filter(pk__in=[a.pk for a in ads]).update(
        last_seen_at=timezone.now() - timedelta(days=days_ago)
    )
    return ads


def _fresh_user(user):
    """The same account as a new request would load it (the rank is memoised per request)."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_the_rank_counts_ties_with_the_ad_and_falls_back_to_every_scored_ad(actors):
    _scored(actors.source_a, [0.9, 0.9, 0.5, 0.2], days_ago=30)
    user = _fresh_user(actors.investigator_a)
    # Fewer than RANK_MIN_ADS in the last week: ranked over every scored ad.
    assert str(risk_rank(user=user, risk=0.9)) == "top 50% of the 4 scored ads"
    assert str(risk_rank(user=user, risk=0.2)) == "not in the top half of the 4 scored ads"
    assert risk_rank(user=user, risk=None) is None


@pytest.mark.django_db
def test_the_rank_uses_the_last_week_once_it_holds_enough_ads(actors):
    _scored(actors.source_a, [0.95] * 10, days_ago=30)  # old: outside the week
    _scored(actors.source_a, [0.99] + [0.1] * (RANK_MIN_ADS - 1))
    user = _fresh_user(actors.investigator_a)
    found = risk_rank(user=user, risk=0.99)
    assert found is not None
    assert found.share == "top 2%"
    assert found.of == f"of the {RANK_MIN_ADS} ads seen in the last 7 days"


@pytest.mark.django_db
def test_the_rank_never_counts_another_units_ads(actors):
    _scored(actors.source_a, [0.3, 0.3])
    _scored(actors.source_b, [0.9] * 8)
    rank_a = risk_rank(user=_fresh_user(actors.investigator_a), risk=0.3)
    rank_b = risk_rank(user=_fresh_user(actors.investigator_b), risk=0.9)
    assert str(rank_a) == "not in the top half of the 2 scored ads"
    assert str(rank_b) == "not in the top half of the 8 scored ads"


@pytest.mark.django_db
def test_calibrated_is_said_only_where_a_promoted_decision_head_backs_the_score(actors):
    ModelVersion.objects.create(
        version="v-lead", active=True, metrics={"decisions": {"promoted": False, "decisions": 80}}
    )
    user = _fresh_user(actors.investigator_a)
    standing = score_standing(user=user, risk=0.7, model_version=None)
    assert standing.label.startswith("Lead score") and "not yet calibrated" in standing.label
    assert score_heading() == "Lead score"
    ModelVersion.objects.create(
        version="v-learnt", metrics={"decisions": {"promoted": True, "decisions": 312}}
    )
    learnt = score_standing(user=user, risk=0.7, model_version="v-learnt")
    assert learnt.label == "Risk (calibrated against 312 investigators' decisions)"
    # The active model is still the lead score.
    assert score_heading() == "Lead score"
    assert score_heading("v-learnt") == "Risk"


@pytest.mark.django_db
def test_the_uncertain_order_puts_scores_nearest_the_flag_threshold_first(actors, settings):
    settings.RISK_FLAG_THRESHOLD = 0.6
    ads = _scored(actors.source_a, [0.95, 0.58, 0.1, 0.7, 0.8], flagged=True)
    ads_queue_for_review(ads)
    QueueItem.objects.filter(ad=ads[-1]).update(risk=None)  # an item with no score yet
    filters = QueueItemFilter({"status": "all", "order": "uncertain"}, user=actors.investigator_a)
    items = list(queue_items(filters=filters))
    assert [i.risk for i in items] == [0.58, 0.7, 0.95, 0.1, None]


@pytest.mark.django_db
def test_the_queue_page_names_the_score_and_shows_each_rank(actors):
    ads_queue_for_review(_scored(actors.source_a, [0.9, 0.4], flagged=True))
    html = actors.client_for("investigator_a").get(reverse("cases:queue")).content.decode()
    assert '<th scope="col">Lead score</th>' in html
    assert 'title="of the 2 scored ads">top 50%</div>' in html
    assert "Most uncertain first" in html


@pytest.mark.django_db
def test_the_api_says_what_backs_each_risk(actors):
    ModelVersion.objects.create(
        version="v-learnt", metrics={"decisions": {"promoted": True, "decisions": 312}}
    )
    lead, learnt = _scored(actors.source_a, [0.9, 0.8], flagged=True)
    AdScore.objects.filter(ad=learnt).update(model_version="v-learnt")
    ads_queue_for_review([lead, learnt])
    client = actors.client_for("investigator_a")
    body = client.get(f"/api/v1/investigator/ads/{lead.pk}/").json()
    assert body["score"]["risk_basis"] == "lead score, not yet calibrated against decisions"
    body = client.get(f"/api/v1/investigator/ads/{learnt.pk}/").json()
    assert body["score"]["risk_basis"] == "risk calibrated against 312 investigators' decisions"
    queue = client.get("/api/v1/investigator/queue/").json()["results"]
    assert {row["risk_basis"] for row in queue} == {
        "lead score, not yet calibrated against decisions"
    }


@pytest.mark.django_db
def test_the_queue_export_says_what_backs_each_risk(actors):
    import csv
    import io

    ads_queue_for_review(_scored(actors.source_a, [0.9], flagged=True))
    body = (
        actors.client_for("investigator_a")
        .post(reverse("cases:queue-csv"), {"query": "status=all", "justification": "review"})
        .content.decode()
    )
    header, row = list(csv.reader(io.StringIO(body)))[:2]
    assert row[header.index("risk_basis")] == "lead score, not yet calibrated against decisions"
