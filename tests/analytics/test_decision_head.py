"""The head learnt from investigators' decisions: measured on held-out decisions, shown on pages
only once those figures promote it, and never flagging an ad without evidence (issue #15).

The feature matrices here are synthetic: they test the mechanism (promotion rules, persistence,
what a page says), not whether the head triages real ads. That is measured by
bench/real_learning_curve.py on the labelled real development set.
"""

from __future__ import annotations

import numpy as np
import pytest

from analytics.scoring import decisions as learnt
from analytics.scoring.calibration import Platt
from analytics.scoring.model import TrainedModel

RULES = learnt.Rules(min_decisions=300, min_per_class=30, max_ece=0.05)


def _separable(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels that one feature decides with a wide margin (a head can learn them exactly)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 6))
    x[:, 3] = np.where(y == 1, 3.0, -3.0) + rng.normal(scale=0.3, size=n)
    return x, y


def test_a_head_that_beats_the_lead_score_on_held_out_decisions_and_is_calibrated_is_promoted():
    x, y = _separable(400)
    cold = np.random.default_rng(1).random(400)  # a lead score that knows nothing here
    report = learnt.evaluate(x, y, cold, rules=RULES)
    assert report["heldout"] == 80
    assert report["heldout_auc"] > report["cold_start_auc"]
    assert report["heldout_ece"] <= 0.05
    assert report["promoted"] is True and "why_not" not in report


def test_too_few_decisions_are_measured_but_not_promoted_and_the_page_says_why():
    x, y = _separable(120)
    report = learnt.evaluate(x, y, np.random.default_rng(1).random(120), rules=RULES)
    assert report["promoted"] is False
    assert "120 decisions, 300 needed" in report["why_not"]
    text = learnt.describe(report)
    assert "Trained on 120 investigators' decisions" in text
    assert "Not used on pages: 120 decisions, 300 needed" in text


def test_a_head_no_better_than_the_lead_score_is_not_promoted():
    x, y = _separable(400)
    x[:, 3] = np.random.default_rng(2).normal(size=400)  # the head's features know nothing
    cold = y + np.random.default_rng(3).normal(scale=0.1, size=400)  # the lead score knows all
    report = learnt.evaluate(x, y, cold, rules=RULES)
    assert report["promoted"] is False
    assert "does not rank held-out decisions better than the lead score" in report["why_not"]


def test_the_held_out_decisions_are_the_latest_ones():
    """Fitted on the earlier 80%, measured on the last 20%: a head that only learnt the early
    decisions' rule is caught when the rule changes at the end."""
    x, y = _separable(400)
    x[320:, 3] = -x[320:, 3]  # the latest decisions follow the opposite rule
    report = learnt.evaluate(x, y, np.full(400, 0.5), rules=RULES)
    assert report["heldout_auc"] < 0.1 and report["promoted"] is False


def test_one_kind_of_decision_only_cannot_be_measured():
    x, _ = _separable(400)
    report = learnt.evaluate(x, np.ones(400, int), np.full(400, 0.5), rules=RULES)
    assert report == {**report, "promoted": False}
    assert "too few of one kind" in report["why_not"]


def _always_confident(width: int, promoted: bool, decisions: int = 400) -> learnt.DecisionHead:
    """A head that gives every ad P = 0.97, whatever it says: to test what the product does
    with the head's number, not the head."""
    return learnt.DecisionHead(
        mean=np.zeros(width),
        scale=np.ones(width),
        coef=np.zeros(width),
        intercept=3.5,
        calibrator=Platt(1.0, 0.0),
        report={"decisions": decisions, "promoted": promoted},
    )


@pytest.fixture
def model_with_head(trained_model_dir, settings, tmp_path):
    def build(promoted: bool) -> TrainedModel:
        model = TrainedModel.load(trained_model_dir, cache_dir=settings.MODEL_DIR / "encoders")
        width = 1 + len(learnt.FAMILIES) + model.encoder.dim
        model.decision_head = _always_confident(width, promoted)
        out = tmp_path / ("promoted" if promoted else "not-promoted")
        model.save(out)
        return TrainedModel.load(out, cache_dir=settings.MODEL_DIR / "encoders")

    return build


EVIDENCE = (
    "New girls every week, my girls are young and fresh, call my manager to book, "
    "he drives them to you"
)
NOTHING = "Relaxing Swedish massage by a licensed therapist, call to book"


@pytest.mark.django_db
def test_a_promoted_head_sets_the_risk_and_the_reason_says_which_decisions_back_it(
    model_with_head,
):
    model = model_with_head(promoted=True)
    assert model.decision_head.report == {"decisions": 400, "promoted": True}
    [strong, plain] = model.score([EVIDENCE, NOTHING])
    assert strong.risk == pytest.approx(1 / (1 + np.exp(-3.5)))
    assert strong.flagged
    assert "calibrated against 400 investigators' decisions" in strong.reason
    assert "not yet calibrated" not in strong.reason
    # The head says 0.97 for the massage ad too, but a number alone never flags an ad.
    assert plain.risk == pytest.approx(strong.risk)
    assert not plain.flagged


@pytest.mark.django_db
def test_a_head_that_was_not_promoted_changes_nothing_on_pages(model_with_head):
    model = model_with_head(promoted=False)
    [strong, plain] = model.score([EVIDENCE, NOTHING])
    assert strong.risk < 0.97 and plain.risk < 0.1
    assert "lead score, not yet calibrated against investigators' decisions" in strong.reason


@pytest.mark.django_db
def test_training_with_decisions_stores_the_held_out_report_and_the_model_page_shows_it(
    actors, risk_model, settings, tmp_path
):
    from analytics.services import model_train
    from cases.models import DecisionKind, QueueItem
    from cases.services.triage import queue_item_claim, queue_item_decide
    from cases.stages import ads_queue_for_review
    from tests.cases.factories import make_ad, score

    settings.MODEL_DIR = tmp_path / "models"
    for title, kind in (
        ("my girls are young, my manager books", DecisionKind.TRUE_LEAD),
        ("licensed therapist, Swedish massage", DecisionKind.NOT_A_LEAD),
    ):
        ad = make_ad(actors.source_a, title=title)
        score(ad, risk=0.9)
        ads_queue_for_review([ad])
        item = QueueItem.objects.get(ad=ad)
        queue_item_claim(item=item, user=actors.investigator_a)
        queue_item_decide(item=item, user=actors.investigator_a, decision=kind, reason="checked")
    version = model_train(seed=0)
    report = version.metrics["decisions"]
    assert report["decisions"] == 2 and report["confirmed"] == 1 and report["promoted"] is False
    reloaded = TrainedModel.load(version.path, cache_dir=settings.MODEL_DIR / "encoders")
    assert reloaded.decision_head is not None and not reloaded.decision_head.promoted
    page = actors.client_for("admin").get(f"/admin/analytics/modelversion/{version.pk}/change/")
    assert "Trained on 2 investigators&#x27; decisions" in page.content.decode()
