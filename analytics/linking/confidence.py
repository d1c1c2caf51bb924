"""How sure a network is one operator, and its strongest ties in plain words.

A shared phone, e-mail, handle or photo is direct evidence: ads that carry the same one were
posted by whoever holds it. Near-identical text is weaker: it says "same writer" only as far as
the boilerplate guard could tell a rare shared text from a copied one. So the ads are first cut
into *identifier groups* (held together by identifiers alone); a network that is one such group
has confidence 1.0. Otherwise the groups are joined by text links, and a chain is as strong as
its weakest join: each join between two groups scores 1 - prod(1 - similarity) over the text
links between them (two independent links at 0.6 make 0.84, one link at 0.55 stays 0.55), the
groups are joined strongest first (a maximum spanning tree), and the network's confidence is its
weakest join. On the real ads the one mixed network of ten or more ads (docs/linking-handcheck.md,
network 1) is two phone groups joined by a single text link: exactly what this scores low.

The explanation names kinds and counts, never an identifier's value: it is stored on the network
and shown to anyone who may see one of its ads.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TypedDict

from analytics.linking.unionfind import UnionFind

__all__ = ["HIGH", "MEDIUM", "Confidence", "network_confidence"]

HIGH = 0.9
MEDIUM = 0.7
TEXT = "text"
_KIND_WORDS = {
    "phone": ("phone number", "phone numbers"),
    "email": ("e-mail address", "e-mail addresses"),
    "handle": ("social handle", "social handles"),
    "url": ("link", "links"),
    "image": ("photo", "photos"),
}


class Confidence(TypedDict):
    """The confidence (0-1), its level in words, and the ties that carry it, strongest first."""

    value: float
    level: str
    groups: int
    ties: list[str]
    weakest: str


def _level(value: float) -> str:
    if value >= HIGH:
        return "high"
    return "medium" if value >= MEDIUM else "low"


def network_confidence(
    ads: Iterable[int], links: Iterable[tuple[int, int, str, str, float]]
) -> Confidence:
    """Score a network from its ads and its links (ad, ad, kind, key, similarity)."""
    members = sorted(set(ads))
    index = {ad: i for i, ad in enumerate(members)}
    uf = UnionFind(len(members))
    ads_of_key: dict[tuple[str, str], set[int]] = defaultdict(set)
    text_links: list[tuple[int, int, float]] = []
    for a, b, kind, key, sim in links:
        if a not in index or b not in index:
            continue
        if kind == TEXT:
            text_links.append((a, b, float(sim)))
            continue
        uf.union(index[a], index[b])
        ads_of_key[(kind, key)].update((a, b))
    group = {ad: uf.find(index[ad]) for ad in members}
    n_groups = len(set(group.values()))
    ties: list[str] = []
    # Identifier ties: per kind, how many identifiers tie how many ads (largest first).
    by_kind: dict[str, list[set[int]]] = defaultdict(list)
    for (kind, _), tied in ads_of_key.items():
        by_kind[kind].append(tied)
    for kind, sets in sorted(by_kind.items(), key=lambda kv: -len(set().union(*kv[1]))):
        tied = set().union(*sets)
        one, many = _KIND_WORDS.get(kind, (kind, f"{kind}s"))
        what = f"one {one}" if len(sets) == 1 else f"{len(sets)} {many}"
        ties.append(f"{len(tied)} ads share {what}")
    # Text joins between identifier groups, and the weakest join of the strongest tree.
    between: dict[tuple[int, int], list[float]] = defaultdict(list)
    within = 0
    for a, b, sim in text_links:
        ga, gb = group[a], group[b]
        if ga == gb:
            within += 1
        else:
            between[(min(ga, gb), max(ga, gb))].append(sim)
    if within:
        ties.append(f"{within} near-identical text link{'s' if within != 1 else ''} within them")
    value, weakest = 1.0, ""
    if n_groups > 1:
        strength = {}
        for pair, sims in between.items():
            miss = 1.0
            for s in sims:
                miss *= 1.0 - s
            strength[pair] = (1.0 - miss, len(sims), max(sims))
        tree = UnionFind(len(members))
        joins: list[tuple[float, int, float]] = []
        for (ga, gb), row in sorted(strength.items(), key=lambda kv: -kv[1][0]):
            if tree.find(ga) != tree.find(gb):
                tree.union(ga, gb)
                joins.append(row)
        sizes = Counter(group.values())
        ties.append(
            f"{n_groups} groups of ads (largest {max(sizes.values())}) joined only by "
            f"near-identical text, {len(joins)} join{'s' if len(joins) != 1 else ''}"
        )
        if joins:
            value, count, best = min(joins)
            weakest = (
                f"the weakest join is {count} text link{'s' if count != 1 else ''} "
                f"(similarity up to {best:.2f}) between two groups that share no identifier"
            )
        else:
            value, weakest = 0.0, "some ads share nothing with the rest"
    elif members:
        weakest = "every ad is tied to the others by identifiers"
    value = round(value, 3)
    return Confidence(value=value, level=_level(value), groups=n_groups, ties=ties, weakest=weakest)
