"""Evaluation figures for the heads: ROC AUC, precision/recall at a threshold, ECE, F1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score

from analytics.scoring.calibration import expected_calibration_error


def binary_report(probs: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, Any]:
    """Metrics of one binary head at its operating threshold."""
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels).astype(int)
    predicted = (probs >= threshold).astype(int)
    tp = int(((predicted == 1) & (labels == 1)).sum())
    fp = int(((predicted == 1) & (labels == 0)).sum())
    fn = int(((predicted == 0) & (labels == 1)).sum())
    tn = int(((predicted == 0) & (labels == 0)).sum())
    both_classes = len(set(labels.tolist())) == 2
    return {
        "n": len(labels),
        "positives": int(labels.sum()),
        "roc_auc": float(roc_auc_score(labels, probs)) if both_classes else None,
        "threshold": threshold,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "ece": expected_calibration_error(probs, labels),
        # Rows are the truth (negative, positive), columns the prediction.
        "confusion_matrix": [[tn, fp], [fn, tp]],
    }


def multiclass_report(
    probs: np.ndarray, labels: np.ndarray, classes: Sequence[str]
) -> dict[str, Any]:
    """Macro-F1, per-class precision/recall/F1, top-label ECE and the confusion matrix."""
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels).astype(int)
    predicted = probs.argmax(axis=1)
    index = list(range(len(classes)))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=index, zero_division=0
    )
    present = [i for i in index if support[i] > 0]
    return {
        "n": len(labels),
        "accuracy": float((predicted == labels).mean()) if len(labels) else None,
        "macro_f1": float(np.mean([f1[i] for i in present])) if present else None,
        "ece": expected_calibration_error(probs, labels),
        "per_class": {
            classes[i]: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i in index
        },
        "classes": list(classes),
        "confusion_matrix": confusion_matrix(labels, predicted, labels=index).tolist(),
    }
