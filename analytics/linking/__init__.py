"""Linking ads into networks: near-duplicate text (MinHash + LSH) and shared identifiers.

Public API: `text_signature`, `band_keys`, `estimate_similarity` (for the database layer),
`Linker` / `Link` (incremental networks), `UnionFind`, `template_view`, `network_features`,
`cluster_scores`, `network_confidence`, `network_templates`; the boilerplate guard (rarity.py):
`text_shingles`, `ShingleFrequency`, `shared_content`, `writes_alike` (the text-link rule,
shared by the Linker and the link stage), `area_codes`, `is_toll_free`.
"""

from __future__ import annotations

from analytics.linking.confidence import Confidence, network_confidence
from analytics.linking.evaluation import ClusterScores, cluster_scores
from analytics.linking.features import NetworkFeatures, network_features
from analytics.linking.linker import Identifiers, Link, Linker
from analytics.linking.minhash import (
    BANDS,
    NUM_PERM,
    ROWS,
    THRESHOLD,
    band_hashes,
    band_keys,
    estimate_similarity,
    normalise_tokens,
    text_signature,
    text_signatures,
)
from analytics.linking.rarity import (
    MIN_RARE_SHINGLES,
    RARE_JACCARD,
    RARE_POSTERS,
    UNCOMMON_POSTERS,
    SharedContent,
    ShingleFrequency,
    area_codes,
    is_toll_free,
    shared_content,
    text_shingles,
    writes_alike,
)
from analytics.linking.template import (
    NetworkTemplate,
    TemplateAd,
    TemplateView,
    network_templates,
    template_view,
)
from analytics.linking.unionfind import UnionFind

__all__ = [
    "BANDS",
    "MIN_RARE_SHINGLES",
    "RARE_JACCARD",
    "RARE_POSTERS",
    "UNCOMMON_POSTERS",
    "SharedContent",
    "ShingleFrequency",
    "area_codes",
    "shared_content",
    "text_shingles",
    "writes_alike",
    "NUM_PERM",
    "ROWS",
    "THRESHOLD",
    "ClusterScores",
    "Confidence",
    "network_confidence",
    "Identifiers",
    "Link",
    "Linker",
    "NetworkFeatures",
    "NetworkTemplate",
    "TemplateAd",
    "TemplateView",
    "network_templates",
    "UnionFind",
    "band_hashes",
    "band_keys",
    "cluster_scores",
    "estimate_similarity",
    "is_toll_free",
    "network_features",
    "normalise_tokens",
    "template_view",
    "text_signature",
    "text_signatures",
]
