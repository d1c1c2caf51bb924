"""Admin pages read in words: token scopes by name, one pipeline phrase, metrics as a table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from ads.models import PipelineStatus
from analytics.models import ModelVersion
from tests.cases.factories import make_ad

pytestmark = pytest.mark.django_db


def test_token_scopes_are_checkboxes_when_made_and_named_when_listed(actors):
    client = actors.client_for("admin")
    add = client.get(reverse("admin:accounts_apitoken_add")).content.decode()
    assert add.count('type="checkbox" name="scopes"') == 3
    token = ApiToken.objects.get(user=actors.partner_x)
    listed = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "Read (lookups, statistics); Submit tips; Submit ads" in listed
    assert "[&quot;read&quot;" not in listed and '["read"' not in listed
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert "Submit tips" in page and '["read"' not in page


def test_the_ad_list_says_done_or_waiting_or_failed_in_one_phrase(actors):
    done = make_ad(actors.source_a, extract=False)
    done.pipeline_stage, done.pipeline_status = "done", PipelineStatus.PENDING
    done.save()
    failed = make_ad(actors.source_a, extract=False)
    failed.pipeline_stage, failed.pipeline_status = "score", PipelineStatus.FAILED
    failed.save()
    waiting = make_ad(actors.source_a, extract=False)
    waiting.pipeline_stage, waiting.pipeline_status = "geocode", PipelineStatus.PENDING
    waiting.save()
    html = actors.client_for("admin").get(reverse("admin:ads_ad_changelist")).content.decode()
    assert ">done<" in html and ">failed at score<" in html and ">waiting for geocode<" in html
    assert ">Pending<" not in html


def test_model_metrics_are_a_table_with_escaped_values(actors):
    version = ModelVersion.objects.create(
        version="v-test",
        path="models/v-test",
        metrics={"risk": {"auc": 0.91234, "ece": 0.04}, "note": "<b>x</b>", "n": 12000},
        training_summary={"seed": 2000, "decisions": 0},
    )
    url = reverse("admin:analytics_modelversion_change", args=[version.pk])
    html = actors.client_for("admin").get(url).content.decode()
    assert "<th scope='row'>risk › auc</th><td>0.912</td>" in html
    assert "<th scope='row'>n</th><td>12,000</td>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "<th scope='row'>decisions</th><td>0</td>" in html
