"""Training, saving, loading and scoring with the real transformer (marked slow)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from analytics.scoring.cli import evaluate, load_examples, resolve_model_dir, score_lines
from analytics.scoring.encoder import Backend, Encoder
from analytics.scoring.model import NOVEL_NOTE, ModelNotFoundError, TrainedModel
from analytics.scoring.training import LabelledExample, load_seed_corpus, train

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> Encoder:
    return Encoder(cache_dir=tmp_path_factory.mktemp("encoders"))


@pytest.fixture(scope="module")
def model(encoder: Encoder) -> TrainedModel:
    return train(load_seed_corpus(), encoder=encoder, seed=0)


def test_int8_encoder_stays_within_cosine_099_of_fp32(encoder: Encoder) -> None:
    texts = [e.text for e in load_seed_corpus()[:48]]
    fp32 = Encoder(backend=Backend.TORCH_FP32).encode(texts).embeddings
    int8 = encoder.encode(texts).embeddings
    assert int8.dtype == np.float32
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-4)
    assert (fp32 * int8).sum(axis=1).min() >= 0.99


def test_outlier_split_finds_a_few_channels_and_keeps_the_fp32_function(tmp_path: Path) -> None:
    import copy

    import torch

    from analytics.scoring.encoder import CALIBRATION_TEXTS, ONNX_RECIPE, split_outlier_channels

    fp32 = Encoder(backend=Backend.TORCH_FP32)
    module = fp32._torch()
    split = copy.deepcopy(module)
    calibration = fp32.tokenize(CALIBRATION_TEXTS)
    found = split_outlier_channels(
        split, fp32._pad(calibration, max(len(e.ids) for e in calibration))
    )
    assert 0 < found < 50
    assert all(type(layer.output).__name__ == "SplitOutput" for layer in split.inner.encoder.layer)
    texts = [e.text for e in load_seed_corpus()[:16]]
    encodings = fp32.tokenize(texts)
    arrays = fp32._pad(encodings, max(len(e.ids) for e in encodings))
    inputs = [
        torch.from_numpy(arrays[name]) for name in ("input_ids", "attention_mask", "token_type_ids")
    ]
    with torch.no_grad():
        before, after = module(*inputs).numpy(), split(*inputs).numpy()
    assert (before * after).sum(axis=1).min() > 0.99999
    # The export recipe is in the cache file name, so an older file is never reused.
    assert Encoder(cache_dir=tmp_path).onnx_path().name.endswith(f"-int8-r{ONNX_RECIPE}.onnx")


def test_encoding_keeps_input_order_despite_sorting_by_length(encoder: Encoder) -> None:
    texts = ["a much longer text about renting an apartment near the park", "short", "mid text"]
    forward = encoder.encode(texts).embeddings
    backward = encoder.encode(texts[::-1]).embeddings[::-1]
    assert np.array_equal(forward, backward)
    # fp32 is batch-invariant: a text embeds the same alone or padded in a batch. (Dynamic int8
    # is not exactly: activation scales are per batch; see docs/bench-scoring.md.)
    fp32 = Encoder(backend=Backend.TORCH_FP32)
    together = fp32.encode(texts).embeddings
    alone = np.vstack([fp32.encode([t]).embeddings[0] for t in texts])
    assert (together * alone).sum(axis=1).min() > 0.9999


def test_long_text_is_embedded_window_by_window_not_cut_at_the_first(encoder: Encoder) -> None:
    # ~300 tokens of page chrome, then the ad itself: one window sees only the chrome.
    chrome = "Posted: Monday, June 6, 2016 6:22 PM. Site navigation, search, terms of use. " * 20
    ad = "Two bedroom apartment for rent near the park, monthly lease, pets allowed. " * 12
    one = Encoder(cache_dir=encoder.cache_dir, max_windows=1)
    first_only = one.encode([chrome + ad])
    pooled = encoder.encode([chrome + ad])
    ad_alone = encoder.encode([ad]).embeddings[0]
    assert first_only.truncated == [True] and first_only.token_counts == [256]
    assert pooled.truncated == [False] and pooled.token_counts[0] > 256
    assert np.isclose(np.linalg.norm(pooled.embeddings[0]), 1.0, atol=1e-4)
    # The pooled embedding carries the ad the first window never saw.
    assert pooled.embeddings[0] @ ad_alone > first_only.embeddings[0] @ ad_alone + 0.1
    # A short text is one window: identical under both settings (same batch composition).
    assert np.array_equal(one.encode([ad]).embeddings, encoder.encode([ad]).embeddings)
    with pytest.raises(ValueError, match="max_windows"):
        Encoder(cache_dir=encoder.cache_dir, max_windows=0)


def test_training_is_deterministic_given_the_seed(encoder: Encoder) -> None:
    examples = load_seed_corpus()[:160]
    first = train(examples, encoder=encoder, seed=3)
    second = train(examples, encoder=encoder, seed=3)
    assert first.content_sha256 == second.content_sha256
    assert first.version == second.version
    assert first.metrics == second.metrics


def test_heads_are_calibrated_and_report_metrics(model: TrainedModel) -> None:
    assert set(model.heads) == {"category", "risk", "minor"}
    assert model.heads["category"].classes == ["escort", "massage", "job", "other"]
    for head in ("risk", "minor"):
        assert 0.0 <= model.metrics[head]["ece"] < 0.1
        assert model.metrics[head]["roc_auc"] > 0.8


def test_risky_ad_is_flagged_with_reasons_and_a_benign_one_is_not(model: TrainedModel) -> None:
    risky, benign = model.score(
        [
            "Sweet new girl, barely legal, my daddy handles bookings. Call 2ONE6-SIX2TWO-5NINE5",
            "Selling a used mountain bike, good condition, pickup downtown.",
        ]
    )
    assert risky.flagged and risky.risk is not None and risky.risk > 0.5
    assert risky.reason.startswith(
        f"Flagged for review (lead score {risky.risk:.2f}): third-party control ('my daddy')"
    )
    assert "not yet calibrated against investigators' decisions" in risky.reason
    assert {"third_party_control", "youthful_language", "obscured_phone_text"} <= {
        i.code for i in risky.indicators
    }
    assert risky.category == "escort"
    assert abs(sum(risky.category_probabilities.values()) - 1.0) < 1e-6
    assert not benign.flagged and benign.risk is not None and benign.risk < 0.5
    assert benign.embedding is not None and benign.embedding.shape == (384,)
    assert risky.model_version == model.version


def test_hostile_inputs_get_a_score_or_a_clear_not_scorable_state(model: TrainedModel) -> None:
    huge = "Hiring hostess, easy money, we keep your passport. " * 2100  # ~105 KB
    texts = [
        "",
        "🍭🌹💋",
        huge,
        "Привет, меня зовут Маша, звоните",
        "Hi 你好 call me بنت",
        "\x00\x01",
    ]
    empty, emoji, long, cyrillic, mixed, binary = model.score(texts)
    assert not empty.scorable and empty.reason == "Not scored: empty text."
    assert not emoji.scorable and "emoji" in emoji.reason and emoji.risk is None
    assert not binary.scorable
    window = model.encoder.max_tokens * model.encoder.max_windows
    assert long.scorable and long.truncated and long.tokens == window
    assert f"truncated to the first {window} tokens" in long.reason
    for result in (cyrillic, mixed):
        assert result.scorable and result.low_confidence and result.risk is not None
        assert "lower confidence" in result.reason


def test_saved_model_loads_and_scores_identically(
    model: TrainedModel, encoder: Encoder, tmp_path: Path
) -> None:
    model.save(tmp_path / "m")
    loaded = TrainedModel.load(tmp_path / "m", encoder=encoder)
    texts = ["new girl in town, talk to my manager", "guitar lessons for beginners"]
    before, after = model.score(texts), loaded.score(texts)
    assert loaded.version == model.version
    assert [r.risk for r in before] == pytest.approx([r.risk for r in after], abs=1e-6)
    assert json.loads((tmp_path / "m" / "model.json").read_text())["metrics"] == model.metrics
    assert loaded.novelty == model.novelty
    assert loaded.reference is not None and np.array_equal(loaded.reference, model.reference)
    assert [r.notes for r in before] == [r.notes for r in after]


def test_ad_unlike_every_training_example_is_marked_low_confidence(model: TrainedModel) -> None:
    assert model.novelty is not None and model.reference is not None
    assert len(model.reference) == len(load_seed_corpus())
    # By construction about 2% of the training examples are below the threshold.
    threshold = model.novelty["threshold"]
    assert 0.0 < threshold < 1.0
    seed_like = "Hiring warehouse associate in Riverton. Full time, benefits after 90 days."
    unlike = (
        "def merge_sort(values): split the list in half, sort each half recursively, "
        "then merge the two sorted halves by repeatedly taking the smaller head element."
    )
    familiar, novel = model.score([seed_like, unlike])
    assert not any(n.startswith(NOVEL_NOTE) for n in familiar.notes)
    assert any(n.startswith(NOVEL_NOTE) for n in novel.notes)
    assert novel.low_confidence and "unlike any example the model has seen so far" in novel.reason
    # Scores are still given: the note qualifies them, it does not hide them.
    assert novel.risk is not None and novel.category is not None


def test_score_lines_reports_malformed_lines_and_goes_on(model: TrainedModel) -> None:
    lines = [
        '{"id": "a", "text": "my daddy handles bookings"}',
        "{not json",
        '{"id": "c"}',
        '{"id": "d", "text": ""}',
    ]
    out, err = io.StringIO(), io.StringIO()
    scored, errors = score_lines(lines, model, out, err)
    assert (scored, errors) == (2, 2)
    assert "line 2:" in err.getvalue() and "line 3:" in err.getvalue()
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in records] == ["a", "d"]
    first = records[0]
    assert set(first) >= {"id", "risk", "minor", "category", "indicators", "reason"}
    assert first["indicators"][0] == {"code": "third_party_control", "span": [0, 8], "weight": 1.0}
    assert records[1]["risk"] is None


def test_missing_model_tells_the_user_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="train_risk_model"):
        resolve_model_dir(None, tmp_path / "active")
    with pytest.raises(ModelNotFoundError, match="Train one first"):
        resolve_model_dir(None, None)


def test_evaluate_reads_jsonl_and_dig_csv(model: TrainedModel, tmp_path: Path) -> None:
    jsonl = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "my daddy handles bookings, barely legal", "risk": True, "category": "escort"},
        {"text": "apartment for rent, two bedrooms", "risk": False, "category": "other"},
        {"text": "licensed massage therapist, deep tissue", "risk": False, "category": "massage"},
    ]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = evaluate(model, load_examples(jsonl))
    assert report["risk"]["confusion_matrix"] == [[2, 0], [0, 1]]
    assert report["category"]["accuracy"] == 1.0
    dig = tmp_path / "dig.csv"
    dig.write_text(
        "label,extracted_text,location,url,gender,phone,age\n"
        '2,"Relaxing massage studio, licensed",,,,,\n3,"Sexy companion incall",,,,,\n'
        '4,"Hiring cashier, weekly pay",,,,,\n'
    )
    examples = load_examples(dig)
    assert [e.category for e in examples] == ["massage", "escort", "job_or_other"]
    assert "category_error" in evaluate(model, examples)  # this model has job and other


def test_evaluate_reports_accuracy_on_novel_and_familiar_ads_apart(model: TrainedModel) -> None:
    # Training texts themselves are never novel (cosine 1 to themselves); the essay is.
    seed = [e for e in load_seed_corpus() if e.category in ("escort", "massage")][:4]
    essay = LabelledExample(
        text="def merge_sort(values): split the list in half, sort each half recursively, "
        "then merge the two sorted halves by repeatedly taking the smaller head element.",
        category="other",
    )
    report = evaluate(model, [*seed, essay])
    assert report["novel"] == 1
    assert report["category"]["accuracy_familiar"] == 1.0
    assert report["category"]["accuracy_novel"] in (0.0, 1.0)


def test_examples_without_a_label_are_left_out_of_that_head(encoder: Encoder) -> None:
    examples = [e for e in load_seed_corpus()[:120]] + [
        LabelledExample(text="unlabelled text", source="decision:7")
    ]
    model = train(examples, encoder=encoder, seed=0, heads=("risk",))
    assert set(model.heads) == {"risk"}
    assert model.metrics["risk"]["n"] == 120
    assert model.training["sources"] == {"seed": 120, "decision": 1}
