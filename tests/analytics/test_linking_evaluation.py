"""Cluster scoring: pairwise precision/recall and purity against known truth."""

from __future__ import annotations

import pytest

from analytics.linking import cluster_scores


def test_a_perfect_clustering_scores_one():
    s = cluster_scores([1, 1, 2, 2, 3], ["a", "a", "b", "b", None])
    assert s["precision"] == s["recall"] == s["purity"] == 1.0


def test_merging_two_groups_costs_precision_not_recall():
    s = cluster_scores([1, 1, 1, 1], ["a", "a", "b", "b"])
    assert s["recall"] == 1.0
    assert s["precision"] == pytest.approx(2 / 6)
    assert s["purity"] == 0.5


def test_linking_ads_without_a_template_is_a_false_pair():
    s = cluster_scores([1, 1], [None, None])
    assert s["precision"] == 0.0 and s["purity"] == 0.0


def test_splitting_a_group_costs_recall():
    s = cluster_scores([1, 1, 2], ["a", "a", "a"])
    assert s["precision"] == 1.0 and s["recall"] == pytest.approx(1 / 3)


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="same length"):
        cluster_scores([1], [1, 2])
