"""Scoring a clustering against known truth: pairwise precision/recall and cluster purity.

Used by the benchmark and the tests to measure near-duplicate clusters against the synthetic
generator's templates (and networks against its networks). Ads whose truth is None belong to
no group: each is its own singleton, so linking two of them is a false pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import TypedDict

__all__ = ["ClusterScores", "cluster_scores"]


class ClusterScores(TypedDict):
    """Pairwise scores, purity of predicted clusters (size >= 2) and counts."""

    precision: float
    recall: float
    f1: float
    purity: float
    predicted_pairs: int
    true_pairs: int
    clusters: int
    clustered_ads: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def cluster_scores(
    predicted: Sequence[Hashable], truth: Sequence[Hashable | None]
) -> ClusterScores:
    """Compare predicted cluster labels with true labels, position by position.

    Pairwise precision = true pairs among predicted same-cluster pairs; recall = predicted share
    of the true same-group pairs. Purity = share of ads in predicted clusters of two or more
    whose true group is their cluster's majority group (singleton truths count as impure).
    """
    if len(predicted) != len(truth):
        raise ValueError("predicted and truth must have the same length")
    true_labels = [("_single", i) if t is None else t for i, t in enumerate(truth)]
    joint = Counter(zip(predicted, true_labels, strict=True))
    pred_sizes = Counter(predicted)
    true_sizes = Counter(true_labels)
    tp = sum(_pairs(c) for c in joint.values())
    pred_pairs = sum(_pairs(c) for c in pred_sizes.values())
    true_pairs = sum(_pairs(c) for c in true_sizes.values())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    best: dict[Hashable, int] = {}
    for (p, t), c in joint.items():
        if pred_sizes[p] >= 2 and not (isinstance(t, tuple) and t[0] == "_single"):
            best[p] = max(best.get(p, 0), c)
    clustered = sum(s for s in pred_sizes.values() if s >= 2)
    purity = sum(best.values()) / clustered if clustered else 1.0
    return ClusterScores(
        precision=precision,
        recall=recall,
        f1=f1,
        purity=purity,
        predicted_pairs=pred_pairs,
        true_pairs=true_pairs,
        clusters=sum(1 for s in pred_sizes.values() if s >= 2),
        clustered_ads=clustered,
    )
