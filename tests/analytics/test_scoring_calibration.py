"""Calibration error and calibrators on inputs whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.scoring.calibration import Platt, Temperature, expected_calibration_error
from analytics.scoring.metrics import binary_report, multiclass_report


def test_perfectly_calibrated_predictions_have_zero_ece() -> None:
    # 10 predictions at 0.3 of which 3 positive, 10 at 0.8 of which 8 positive.
    probs = np.array([0.3] * 10 + [0.8] * 10)
    labels = np.array([1] * 3 + [0] * 7 + [1] * 8 + [0] * 2)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0)


def test_ece_weights_each_bin_gap_by_its_share() -> None:
    # Bin (0.8, 0.9]: predicted 0.9 -> in bin (0.8,0.9]; observed 0.5; gap 0.4, share 0.5.
    # Bin (0.0, 0.1]: predicted 0.1, observed 0.0; gap 0.1, share 0.5. ECE = 0.2 + 0.05.
    probs = np.array([0.9, 0.9, 0.1, 0.1])
    labels = np.array([1, 0, 0, 0])
    assert expected_calibration_error(probs, labels) == pytest.approx(0.25)


def test_multiclass_ece_uses_top_label_confidence() -> None:
    probs = np.array([[0.6, 0.4], [0.6, 0.4]])
    labels = np.array([0, 1])  # confidence 0.6, accuracy 0.5
    assert expected_calibration_error(probs, labels) == pytest.approx(0.1)


def test_platt_recovers_a_known_sigmoid() -> None:
    rng = np.random.default_rng(0)
    decision = rng.normal(size=5000) * 3
    labels = (rng.random(5000) < 1 / (1 + np.exp(-(2 * decision - 1)))).astype(int)
    platt = Platt.fit(decision, labels)
    assert platt.a == pytest.approx(2.0, abs=0.25)
    assert platt.b == pytest.approx(-1.0, abs=0.25)
    assert expected_calibration_error(platt(decision), labels) < 0.03


def test_temperature_softens_overconfident_logits() -> None:
    rng = np.random.default_rng(1)
    true_logits = rng.normal(size=(4000, 3))
    probs = np.exp(true_logits) / np.exp(true_logits).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(3, p=p) for p in probs])
    temperature = Temperature.fit(true_logits * 4, labels)  # four times too confident
    assert temperature.t == pytest.approx(4.0, rel=0.15)


def test_binary_report_counts_the_confusion_matrix_at_the_threshold() -> None:
    report = binary_report(np.array([0.9, 0.6, 0.4, 0.1]), np.array([1, 0, 1, 0]), 0.5)
    assert report["confusion_matrix"] == [[1, 1], [1, 1]]
    assert report["precision"] == 0.5
    assert report["recall"] == 0.5
    assert report["roc_auc"] == 0.75


def test_multiclass_report_macro_f1_ignores_absent_classes() -> None:
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.7, 0.3, 0.0]])
    report = multiclass_report(probs, np.array([0, 1, 1]), ["a", "b", "c"])
    # a: P=1/2 R=1 F1=2/3; b: P=1 R=1/2 F1=2/3; c has no support and is left out.
    assert report["macro_f1"] == pytest.approx(2 / 3)
    assert report["per_class"]["c"]["support"] == 0
