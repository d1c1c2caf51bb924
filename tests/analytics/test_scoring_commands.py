"""The analyst commands read RISK_MODEL_DIR and the encoder cache from settings (issue #21: no
fallbacks for settings that are always defined)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_score_text_scores_json_lines_with_the_configured_model(
    tmp_path, trained_model_dir, settings
) -> None:
    settings.RISK_MODEL_DIR = trained_model_dir
    source = tmp_path / "ads.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Escort agency, ask about duos"}) + "\n")
    out = StringIO()
    call_command("score_text", str(source), stdout=out)
    line = json.loads(out.getvalue().splitlines()[0])
    assert line["id"] == "a" and line["scorable"] and line["risk"] is not None


def test_score_text_says_clearly_when_no_model_is_there(tmp_path, settings) -> None:
    settings.RISK_MODEL_DIR = tmp_path / "none"
    source = tmp_path / "ads.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "hello"}) + "\n")
    with pytest.raises(CommandError, match="train_risk_model|model"):
        call_command("score_text", str(source), stdout=StringIO())
