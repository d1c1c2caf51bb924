"""The model page says what its figures were measured on: synthetic seed ads test the mechanism,
and only held-out decisions speak for real ads (issue #15)."""

from __future__ import annotations

import pytest

from analytics.models import ModelVersion
from analytics.services import metrics_provenance

pytestmark = pytest.mark.django_db


def test_a_seed_only_model_says_its_metrics_are_synthetic_and_pages_show_the_lead_score() -> None:
    text = metrics_provenance({"seed": 600, "decisions": 0})
    assert "600 synthetic seed ads" in text and "not accuracy on real ads" in text
    assert "not yet calibrated against investigators' decisions" in text


def test_a_model_with_decisions_names_both_sources() -> None:
    text = metrics_provenance({"seed": 600, "decisions": 42})
    assert "42 investigators' decisions" in text and "held-out decisions" in text


def test_the_admin_list_of_model_versions_shows_the_wording(actors) -> None:
    ModelVersion.objects.create(
        version="v-test", path="/nowhere", training_summary={"seed": 600, "decisions": 0}
    )
    page = actors.client_for("admin").get("/admin/analytics/modelversion/")
    assert page.status_code == 200
    assert "600 synthetic seed ads only" in page.content.decode()
