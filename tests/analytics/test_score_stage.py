"""The scoring stage: every ad gets a calibrated score with reasons; versions and rollback."""

from __future__ import annotations

import numpy as np
import pytest

from ads.models import PIPELINE_DONE, Ad
from ads.readers import records_from_payload
from ads.services import ads_ingest
from analytics.models import AdEmbedding, AdScore, ModelVersion
from analytics.services import ads_rescore_all, model_activate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.full_pipeline, pytest.mark.slow]

RISKY = (
    "New girl in town, just turned 18, young and fresh. My daddy handles bookings, "
    "no questions. Call SIX0TWO 555 zero1four3"
)
BENIGN = "Selling a used bicycle, good condition, $120. Pick up in Reno."


def _ingest(source, texts):
    rows = [{"external_id": str(i), "title": "", "body": t} for i, t in enumerate(texts)]
    ads_ingest(source=source, rows=records_from_payload(rows))


def test_every_ad_is_scored_with_reason_indicators_and_version(actors, risk_model):
    _ingest(actors.source_a, [RISKY, BENIGN, "🌹🌹🌹"])
    assert set(Ad.objects.values_list("pipeline_stage", flat=True)) == {PIPELINE_DONE}
    risky = AdScore.objects.get(ad__body=RISKY)
    benign = AdScore.objects.get(ad__body=BENIGN)
    assert risky.risk > benign.risk
    assert risky.flagged and not benign.flagged
    assert risky.reason and risky.model_version == risk_model.version
    codes = set(risky.indicator_codes)
    assert codes, "a flagged ad must say why"
    for indicator in risky.indicators:
        if indicator.get("span"):
            start, end = indicator["span"]
            assert 0 <= start < end <= len(Ad.objects.get(pk=risky.ad_id).document)
    emoji_only = AdScore.objects.get(ad__body="🌹🌹🌹")
    assert not emoji_only.scorable and emoji_only.not_scorable_reason and emoji_only.risk is None
    vector = np.frombuffer(AdEmbedding.objects.get(ad_id=risky.ad_id).vector, dtype=np.float32)
    assert vector.shape == (384,) and abs(np.linalg.norm(vector) - 1) < 1e-3


def test_without_an_active_model_ads_wait_with_a_clear_error(actors, settings):
    settings.PIPELINE_MAX_ATTEMPTS = 1
    _ingest(actors.source_a, [BENIGN])
    ad = Ad.objects.get()
    # Waiting, not failed: the missing model is not the ad's fault, and attempts are not counted.
    assert ad.pipeline_stage == "score" and not ad.pipeline_failed and ad.pipeline_attempts == 0
    assert "train_risk_model" in ad.pipeline_error


def test_activating_another_version_rescores_and_the_old_one_remains_for_rollback(
    actors, risk_model
):
    _ingest(actors.source_a, [RISKY, BENIGN])
    other = ModelVersion.objects.create(version="other-version", path=risk_model.path)
    model_activate(version=other, rescore=False)
    assert ModelVersion.objects.get(active=True) == other
    done = ads_rescore_all(version=other)
    assert done == 2
    model_activate(version=risk_model, rescore=False)
    assert ads_rescore_all(version=risk_model) == 2
    assert ModelVersion.objects.count() == 2


def test_an_age_the_source_states_under_18_makes_a_possible_minor(actors, risk_model):
    text = "Sweet and classy escort, incall only, call me tonight"
    rows = [
        {"external_id": "stated-16", "title": "", "body": text, "age": "16"},
        {"external_id": "stated-30", "title": "", "body": text + " ", "age": "30"},
    ]
    ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    young = AdScore.objects.get(ad__external_id="stated-16")
    adult = AdScore.objects.get(ad__external_id="stated-30")
    assert young.possible_minor and young.flagged
    assert not adult.possible_minor and not adult.flagged
