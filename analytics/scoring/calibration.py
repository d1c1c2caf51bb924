"""Probability calibration and its measurement (expected calibration error).

Heads are calibrated on out-of-fold predictions: binary heads with Platt scaling (a sigmoid on
the decision value), the category head with temperature scaling. Both are two or one numbers,
stored as plain JSON, so a saved model needs no pickle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> float:
    """ECE with equal-width bins.

    Binary: `probs` is P(positive) (shape (n,)), `labels` 0/1, and each bin compares the mean
    predicted probability with the observed positive rate. Multiclass: `probs` is (n, k) and
    `labels` class indices; the top-label confidence is compared with top-label accuracy.
    ECE = sum over bins of |observed - predicted| * (bin size / n).
    """
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels)
    if probs.size == 0:
        return 0.0
    if probs.ndim == 2:
        confidence = probs.max(axis=1)
        outcome = (probs.argmax(axis=1) == labels).astype(np.float64)
    else:
        confidence = probs
        outcome = labels.astype(np.float64)
    # Bin i holds (i/n, (i+1)/n]; probability 0 goes to the first bin.
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            total += abs(outcome[in_bin].mean() - confidence[in_bin].mean()) * in_bin.mean()
    return float(total)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


@dataclass(frozen=True)
class Platt:
    """P(y=1) = sigmoid(a * decision + b)."""

    a: float
    b: float

    @classmethod
    def fit(cls, decision: np.ndarray, labels: np.ndarray) -> Platt:
        """Fit with Platt's smoothed targets, which keeps small sets from saturating at 0/1."""
        decision = np.asarray(decision, dtype=np.float64)
        y = np.asarray(labels, dtype=np.float64)
        n_pos, n_neg = y.sum(), len(y) - y.sum()
        target = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

        def loss(params: np.ndarray) -> float:
            p = np.clip(_sigmoid(params[0] * decision + params[1]), 1e-12, 1 - 1e-12)
            return float(-(target * np.log(p) + (1 - target) * np.log(1 - p)).sum())

        result = minimize(loss, np.array([1.0, 0.0]), method="L-BFGS-B")
        return cls(float(result.x[0]), float(result.x[1]))

    def __call__(self, decision: np.ndarray) -> np.ndarray:
        return _sigmoid(self.a * np.asarray(decision, dtype=np.float64) + self.b)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Temperature:
    """P(class) = softmax(logits / t)."""

    t: float

    @classmethod
    def fit(cls, logits: np.ndarray, labels: np.ndarray) -> Temperature:
        """Minimise the negative log-likelihood over t in [0.05, 20]."""
        logits = np.asarray(logits, dtype=np.float64)
        labels = np.asarray(labels)

        def loss(params: np.ndarray) -> float:
            p = softmax(logits / params[0])
            return float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, 1)).sum())

        result = minimize(loss, np.array([1.0]), method="L-BFGS-B", bounds=[(0.05, 20.0)])
        return cls(float(result.x[0]))

    def __call__(self, logits: np.ndarray) -> np.ndarray:
        return softmax(np.asarray(logits, dtype=np.float64) / self.t)
