"""Reads for the network and entity pages: only what the user may see, from `visible_to`.

A network can span units. What a user is shown of it comes from the ads that user may see:
a network with ads outside the viewer's units is shown with its size, dates, cities, risk,
patterns, template and graph recomputed from the visible members (`networks_as_seen`), and only
the number of the others. No word, place or figure of another unit's ads leaks (issue #19 H1).
"More like this" lives in `cases.selectors.more_like_this` and is not duplicated here.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse

from ads.models import (
    POSTER_KINDS,
    Ad,
    AdImage,
    AdImageStatus,
    Entity,
    EntityKind,
    EntityOccurrence,
)
from analytics.linking import (
    NetworkTemplate,
    TemplateAd,
    UnionFind,
    network_confidence,
    network_features,
    network_templates,
    template_view,
)
from analytics.linking.rarity import links_by_itself

from .models import AdNetwork, AdScore, Link, LinkKind, Network, NetworkCorrection
from .stages import (
    COMMON_ENTITY_LIMIT,
    FEATURE_SAMPLE,
    LINKED_KINDS,
    TEMPLATE_TEXTS,
    member_facts,
    network_boost,
    network_set_figures,
)

if TYPE_CHECKING:
    from accounts.models import User

GRAPH_ADS = 200  # most recent visible members drawn in the graph
PAGE_ADS = 500
ENTITY_ADS = 500


@dataclass
class NetworkDetail:
    """One network as this user may see it."""

    network: Network
    ads: list[Ad]
    visible_count: int
    hidden_count: int
    scores: dict[int, AdScore]
    template: dict[str, Any]
    template_from_visible: bool
    entities: list[dict[str, Any]]
    link_counts: dict[str, int]
    graph: dict[str, Any]
    # Why the ads are one network, in ads and identifiers (not pairs): one row per link kind.
    evidence: list[dict[str, Any]] = field(default_factory=list)
    boost: dict[str, Any] = field(default_factory=dict)
    # The network's recorded templates (analytics.linking.network_templates), visible ads only.
    templates: list[NetworkTemplate] = field(default_factory=list)
    corrections: list[NetworkCorrection] = field(default_factory=list)


def networks_as_seen(*, user: User, networks: list[Network]) -> list[Network]:
    """The networks as this user may see them: one with ads outside the user's visibility has
    its size, dates, cities, max risk and features (with the boost) recomputed from the visible
    members, in memory only (`Network.save` refuses such a copy), and `hidden_count` set.

    Every page that shows a network's figures passes it through here first. Networks wholly
    visible (nearly all, and all of them for an admin) cost one query for the lot.
    """
    ids = [n.pk for n in networks]
    # Each member checked against its own visible row (an index probe): `exclude(ad__in=...)`
    # made PostgreSQL test every member against all visible ads, 8 s a page at 1M ads.
    hidden = dict(
        AdNetwork.objects.filter(network_id__in=ids)
        .exclude(Exists(Ad.objects.visible_to(user).filter(pk=OuterRef("ad_id"))))
        .values("network_id")
        .annotate(n=Count("ad_id"))
        .values_list("network_id", "n")
    )
    for network in networks:
        network.hidden_count = hidden.get(network.pk, 0)
        if network.hidden_count:
            _recompute_from_visible(user, network)
    return networks


def _recompute_from_visible(user: User, network: Network) -> None:
    visible = Ad.objects.visible_to(user).filter(network_membership__network=network)
    size = visible.count()
    ids = list(visible.order_by("-pk").values_list("pk", flat=True)[:FEATURE_SAMPLE])
    facts = member_facts(ids)
    features: dict[str, Any] = dict(network_features(facts.rows(ids)))
    features["size"] = size
    features["sampled"] = len(ids)
    features["boost"] = network_boost(features)
    # Confidence from the links among the visible ads only: a hidden ad's tie is not shown.
    links = Link.objects.filter(ad_a_id__in=ids, ad_b_id__in=ids).values_list(
        "ad_a_id", "ad_b_id", "kind", "key", "similarity"
    )
    features["confidence"] = network_confidence(ids, list(links))
    times = [t for t in facts.posted.values() if t is not None]
    risks = [r for r in facts.risk.values() if r is not None]
    network_set_figures(network, size=size, features=features, times=times, risks=risks)
    network.template = {}  # built from the visible texts by `network_detail` when shown
    network.seen_in_part = True


def network_resolve(network: Network) -> Network:
    """Follow `merged_into` to the network that now holds the ads."""
    seen = {network.pk}
    while network.merged_into_id is not None and network.merged_into_id not in seen:
        seen.add(network.merged_into_id)
        network = Network.objects.get(pk=network.merged_into_id)
    return network


def network_detail(*, user: User, network: Network) -> NetworkDetail:
    """Visible member ads (most recent first), entities, template and graph data; `network`
    is passed through `networks_as_seen` (its figures become those of the visible ads)."""
    # The recorded templates, before a network seen in part loses its stored template: they are
    # rebuilt below from the visible ads' rows and texts (`_visible_templates`).
    recorded = (network.template or {}).get("templates") or []
    networks_as_seen(user=user, networks=[network])
    visible = Ad.objects.visible_to(user).filter(network_membership__network=network)
    visible_count = visible.count()
    ads = list(visible.select_related("source").order_by("-posted_at", "-pk")[:PAGE_ADS])
    ids = [ad.pk for ad in ads]
    scores = AdScore.objects.filter(ad_id__in=ids).in_bulk()
    _attach_risk(ads, scores)
    stored = network.template or {}
    if not network.hidden_count and stored:
        template, from_visible = stored, False
    else:
        texts = [ad.document for ad in ads[:TEMPLATE_TEXTS]]
        template, from_visible = dict(template_view(texts)), True
    occurrences = list(
        EntityOccurrence.objects.current()
        .filter(ad_id__in=ids, entity__kind__in=list(LINKED_KINDS))
        .values_list("ad_id", "entity_id", "entity__kind", "entity__value")
        .distinct()
    )
    by_entity: dict[int, dict[str, Any]] = {}
    for ad_id, entity_id, kind, value in occurrences:
        row = by_entity.setdefault(
            entity_id, {"id": entity_id, "kind": kind, "value": value, "ads": set()}
        )
        row["ads"].add(ad_id)
    entities = sorted(
        ({**row, "count": len(row["ads"])} for row in by_entity.values()),
        key=lambda r: (-r["count"], r["kind"], r["value"]),
    )
    link_counts = dict(
        Link.objects.filter(ad_a_id__in=ids, ad_b_id__in=ids)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    evidence = _evidence(ids, entities)
    return NetworkDetail(
        corrections=_corrections(user, network),
        templates=_visible_templates(user, recorded, not network.hidden_count),
        evidence=evidence,
        network=network,
        ads=ads,
        visible_count=visible_count,
        hidden_count=network.hidden_count,
        scores=scores,
        template=template,
        template_from_visible=from_visible,
        entities=entities,
        link_counts=link_counts,
        graph=_graph(ads[:GRAPH_ADS], scores, occurrences),
        boost=(network.features or {}).get("boost") or {},
    )


def _corrections(user: User, network: Network) -> list[NetworkCorrection]:
    """The corrections made to the network; a reason is shown only to a user who may see every
    ad it put apart (it may speak of them)."""
    corrections = list(network.corrections.select_related("by")[:50])
    apart = {ad for c in corrections for ad in c.apart}
    visible = set(Ad.objects.visible_to(user).filter(pk__in=apart).values_list("pk", flat=True))
    for c in corrections:
        c.reason_visible = set(c.apart) <= visible
    return corrections


def _visible_templates(
    user: User, stored: list[NetworkTemplate], all_visible: bool
) -> list[NetworkTemplate]:
    """The recorded templates as this user may see them: the rows of visible ads only, and where
    a template holds hidden ads its fixed text and slots rebuilt from the visible texts."""
    if all_visible or not stored:
        return stored
    wanted = {row["ad_id"] for t in stored for row in t["rows"]}
    visible = {
        ad.pk: ad.document
        for ad in Ad.objects.visible_to(user).filter(pk__in=wanted).only("title", "body")
    }
    out: list[NetworkTemplate] = []
    for template in stored:
        rows = [row for row in template["rows"] if row["ad_id"] in visible]
        if len(rows) < 2:
            continue
        if len(rows) == template["ads"]:
            out.append(template)
            continue
        ads = [
            TemplateAd(
                ad_id=row["ad_id"],
                text=visible[row["ad_id"]],
                names=row["names"],
                ages=row["ages"],
                phones=row["phones"],
                city=row["city"],
            )
            for row in rows
        ]
        out.extend(network_templates(ads, dict.fromkeys(visible, 0), max_texts=TEMPLATE_TEXTS))
    return out


def _evidence(ids: list[int], entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per link kind: how many identifiers tie how many of the visible ads (shared by 2+), and
    for near-duplicate text how many ads in how many groups."""
    rows: list[dict[str, Any]] = []
    labels = dict(LinkKind.choices)
    for entity_kind, link_kind in LINKED_KINDS.items():
        # Only what can tie ads: a toll-free line or a site's home page explains nothing.
        shared = [
            e
            for e in entities
            if e["kind"] == entity_kind
            and e["count"] >= 2
            and links_by_itself(entity_kind, e["value"])
        ]
        if shared:
            ads = set().union(*(e["ads"] for e in shared))
            rows.append(
                {
                    "kind": link_kind,
                    "label": EntityKind(entity_kind).label,
                    "ads": len(ads),
                    "identifiers": len(shared),
                }
            )
    uf = UnionFind()
    index: dict[int, int] = {}
    for a, b in Link.objects.filter(
        kind=LinkKind.TEXT, ad_a_id__in=ids, ad_b_id__in=ids
    ).values_list("ad_a_id", "ad_b_id"):
        for x in (a, b):
            if x not in index:
                index[x] = uf.add()
        uf.union(index[a], index[b])
    if index:
        groups = {uf.find(i) for i in index.values()}
        rows.append(
            {
                "kind": LinkKind.TEXT,
                "label": labels[LinkKind.TEXT],
                "ads": len(index),
                "groups": len(groups),
            }
        )
    return rows


def _graph(
    ads: list[Ad], scores: dict[int, AdScore], occurrences: list[tuple[int, int, str, str]]
) -> dict[str, Any]:
    """Cytoscape elements: ads, the identifiers they share, near-duplicate ads as one node.

    Ads joined by near-duplicate text links are drawn as one template node with their count
    (and their highest risk), so a network of 150 reposts is a few nodes, not a hairball of
    dashed lines. `risk_threshold` is RISK_FLAG_THRESHOLD, read here for the colour scale.
    """
    shown = {ad.pk for ad in ads}
    uf = UnionFind()
    index = {ad.pk: uf.add() for ad in ads}
    for a, b in Link.objects.filter(
        kind=LinkKind.TEXT, ad_a_id__in=shown, ad_b_id__in=shown
    ).values_list("ad_a_id", "ad_b_id"):
        uf.union(index[a], index[b])
    groups: dict[int, list[Ad]] = defaultdict(list)
    for ad in ads:
        groups[uf.find(index[ad.pk])].append(ad)
    node_of: dict[int, str] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for members in groups.values():
        risks = [sc.risk for ad in members if (sc := scores.get(ad.pk)) and sc.risk is not None]
        first = members[0]
        risk = round(max(risks), 2) if risks else None
        if len(members) == 1:
            node_id, data = f"ad{first.pk}", {"kind": "ad", "count": 1}
            data["label"] = (first.title or f"Ad {first.pk}")[:40]
        else:
            node_id = f"tpl{first.pk}"
            data = {
                "kind": "template",
                "count": len(members),
                "label": f"{len(members)} near-identical ads",
                "title": (first.title or f"Ad {first.pk}")[:40],
            }
        data.update(id=node_id, risk=risk, url=reverse("cases:ad", args=[first.pk]))
        nodes.append({"data": data})
        for ad in members:
            node_of[ad.pk] = node_id
    by_entity: dict[int, set[str]] = defaultdict(set)
    info: dict[int, tuple[str, str]] = {}
    for ad_id, entity_id, kind, value in occurrences:
        if ad_id in shown:
            by_entity[entity_id].add(node_of[ad_id])
            info[entity_id] = (kind, value)
    for entity_id, targets in by_entity.items():
        kind, value = info[entity_id]
        nodes.append(
            {
                "data": {
                    "id": f"e{entity_id}",
                    "label": value[:40],
                    "kind": kind,
                    "url": reverse("analytics:entity", args=[entity_id]),
                }
            }
        )
        edges.extend(
            {
                "data": {
                    "id": f"o{entity_id}-{t}",
                    "source": t,
                    "target": f"e{entity_id}",
                    "kind": kind,
                }
            }
            for t in sorted(targets)
        )
    return {
        "elements": {"nodes": nodes, "edges": edges},
        "risk_threshold": settings.RISK_FLAG_THRESHOLD,
    }


def linking_labelled_pairs() -> list[tuple[int, int, bool]]:
    """Investigators' corrections as labelled pairs for measuring linking: (ad, ad, False) for
    every pair put apart, i.e. "not one operator" (splits say nothing about who is together)."""
    from .models import KeptApart

    return [
        (a, b, False)
        for a, b in KeptApart.objects.order_by("ad_a_id", "ad_b_id").values_list(
            "ad_a_id", "ad_b_id"
        )
    ]


class LinkingLabelReport(TypedDict):
    """Investigators' corrections measured against the linking as it stands."""

    corrections: int
    pairs: int
    # Labelled pairs the stored networks still put together (the constraint failed): should be 0.
    joined_now: int
    # Labelled pairs the linker's own evidence would join (a shared identifier, or estimated text
    # similarity at the threshold): errors of the linker that investigators caught.
    linker_would_join: int


def linking_label_report() -> LinkingLabelReport:
    """How the linking fares on the pairs investigators put apart (see `linking_labelled_pairs`)."""
    from .models import AdSignature, NetworkCorrection
    from .stages import THRESHOLD, _similarity

    pairs = linking_labelled_pairs()
    ads = sorted({ad for a, b, _ in pairs for ad in (a, b)})
    network = dict(AdNetwork.objects.filter(ad_id__in=ads).values_list("ad_id", "network_id"))
    keys: dict[int, set[int]] = defaultdict(set)
    for ad_id, entity_id in EntityOccurrence.objects.filter(
        ad_id__in=ads, entity__kind__in=list(LINKED_KINDS)
    ).values_list("ad_id", "entity_id"):
        keys[ad_id].add(entity_id)
    sigs = {
        ad_id: np.frombuffer(bytes(raw), dtype=np.uint32)
        for ad_id, raw in AdSignature.objects.filter(ad_id__in=ads).values_list(
            "ad_id", "signature"
        )
    }
    joined = would = 0
    for a, b, _ in pairs:
        joined += a in network and network.get(a) == network.get(b)
        text = a in sigs and b in sigs and _similarity(sigs[a], sigs[b]) >= THRESHOLD
        would += bool(keys[a] & keys[b]) or text
    return LinkingLabelReport(
        corrections=NetworkCorrection.objects.count(),
        pairs=len(pairs),
        joined_now=joined,
        linker_would_join=would,
    )


def networks_for(
    *, user: User, queryset: QuerySet[Network], offset: int = 0, limit: int = 100
) -> list[Network]:
    """A page of `queryset` (a NetworkFilter's: the user's visible live networks, filtered and
    ordered), as seen by the user (`networks_as_seen`), each with `case_numbers`: the cases the
    user may see that hold it."""
    from cases.models import Case

    networks = networks_as_seen(user=user, networks=list(queryset[offset : offset + limit]))
    held: dict[int, list[tuple[int, str]]] = {}
    for case_pk, number, network_id in (
        Case.objects.visible_to(user)
        .filter(networks__in=[n.pk for n in networks])
        .values_list("pk", "number", "networks")
        .order_by("number")
    ):
        held.setdefault(network_id, []).append((case_pk, number))
    for network in networks:
        network.case_numbers = held.get(network.pk, [])
    return networks


@dataclass
class EntityDetail:
    """One identifier's visible ads on a timeline, and whether it is too common to link."""

    entity: Entity
    ads: list[Ad]
    visible_count: int
    total_ads: int
    common: bool
    days: list[tuple[str, list[Ad]]]
    scores: dict[int, AdScore]
    networks: list[Network]
    movement_url: str | None
    profile: EntityProfile | None = None


@dataclass
class EntityProfile:
    """ "Who is this": what the visible ads carrying an identifier say about whoever uses it."""

    names: list[tuple[str, int]]
    ages: list[tuple[int, int]]
    places: list[tuple[str, int]]
    # Other identifiers in the same ads: {"id", "kind", "label", "value", "ads"}, most ads first.
    others: list[dict[str, Any]]
    first_seen: Any
    last_seen: Any
    cases: list[Any]
    # The watchlist kind an investigator can watch this identifier as ("" when none fits).
    watch_kind: str
    # Stored images of the ads (shown blurred; revealing one is the ad page's audited action).
    images: list[Any] = field(default_factory=list)
    # Review items of its networks and ads: where "add to case" is decided (cases.services).
    items: list[Any] = field(default_factory=list)


PROFILE_OTHERS = 50
PROFILE_IMAGES = 12


def _entity_profile(user: User, entity: Entity, ads: list[Ad]) -> EntityProfile:
    """Names, stated ages, places and other identifiers of the visible ads, with its cases."""
    from collections import Counter

    from cases.models import Case, WatchKind
    from maps.models import AdLocation, Precision

    ids = [ad.pk for ad in ads]
    names: Counter[str] = Counter()
    others: dict[int, dict[str, Any]] = {}
    for ad_id, entity_id, kind, value in (
        EntityOccurrence.objects.filter(ad_id__in=ids)
        .exclude(entity_id=entity.pk)
        .values_list("ad_id", "entity_id", "entity__kind", "entity__value")
        .distinct()
    ):
        if kind == EntityKind.NAME:
            names[value] += 1
            continue
        row = others.setdefault(
            entity_id,
            {
                "id": entity_id,
                "kind": kind,
                "label": EntityKind(kind).label,
                "value": value,
                "ads": set(),
            },
        )
        row["ads"].add(ad_id)
    ages: Counter[int] = Counter()
    for ad in ads:
        for age in (ad.extracted or {}).get("ages", []):
            if isinstance(age, int):
                ages[age] += 1
    located = dict(
        AdLocation.objects.filter(ad_id__in=ids)
        .exclude(precision=Precision.UNKNOWN)
        .exclude(name="")
        .values_list("ad_id", "name")
    )
    places: Counter[str] = Counter(located.get(ad.pk) or ad.location_text.strip() for ad in ads)
    places.pop("", None)
    dates = [ad.posted_at or ad.captured_at for ad in ads]
    ranked = sorted(
        ({**row, "ads": len(row["ads"])} for row in others.values()),
        key=lambda r: (-r["ads"], r["kind"], r["value"]),
    )
    cases = list(
        Case.objects.visible_to(user)
        .filter(Q(entities=entity) | Q(ads__in=ids))
        .distinct()
        .order_by("-updated_at")[:20]
    )
    watch = entity.kind if entity.kind in WatchKind.values else ""
    images = list(
        AdImage.objects.visible_to(user)
        .filter(ad_id__in=ids, status=AdImageStatus.STORED)
        .order_by("-ad_id", "position")[:PROFILE_IMAGES]
    )
    from cases.models import QueueItem

    network_ids = AdNetwork.objects.filter(ad_id__in=ids).values("network_id")
    items = list(
        QueueItem.objects.visible_to(user)
        .filter(Q(network_id__in=network_ids) | Q(ad_id__in=ids))
        .order_by("-pk")[:10]
    )
    return EntityProfile(
        items=items,
        images=images,
        names=names.most_common(20),
        ages=sorted(ages.items()),
        places=places.most_common(20),
        others=ranked[:PROFILE_OTHERS],
        first_seen=min(dates) if dates else None,
        last_seen=max(dates) if dates else None,
        cases=cases,
        watch_kind=watch,
    )


def entity_detail(*, user: User, entity: Entity) -> EntityDetail:
    """Every visible ad carrying the identifier, oldest first, grouped by day."""
    visible = Ad.objects.visible_to(user).filter(occurrences__entity=entity).distinct()
    visible_count = visible.count()
    ads = list(visible.select_related("source").order_by("posted_at", "pk")[:ENTITY_ADS])
    ids = [ad.pk for ad in ads]
    total = EntityOccurrence.objects.filter(entity=entity).values("ad_id").distinct().count()
    days: dict[str, list[Ad]] = defaultdict(list)
    for ad in ads:
        days[ad.posted_at.date().isoformat() if ad.posted_at else "undated"].append(ad)
    scores = AdScore.objects.filter(ad_id__in=ids).in_bulk()
    _attach_risk(ads, scores)
    network_ids = AdNetwork.objects.filter(ad_id__in=ids).values("network_id")
    networks = networks_as_seen(
        user=user,
        networks=list(
            Network.objects.visible_to(user).filter(pk__in=network_ids).order_by("-size", "pk")[:50]
        ),
    )
    return EntityDetail(
        entity=entity,
        ads=ads,
        visible_count=visible_count,
        total_ads=total,
        common=entity.kind in LINKED_KINDS and total > COMMON_ENTITY_LIMIT,
        days=list(days.items()),
        scores=scores,
        networks=networks,
        movement_url=_movement_url(entity),
        profile=_entity_profile(user, entity, ads),
    )


def _attach_risk(ads: list[Ad], scores: dict[int, AdScore]) -> None:
    """`ad.risk` for the templates (None when not scored), without a query per row."""
    for ad in ads:
        score = scores.get(ad.pk)
        ad.risk = score.risk if score else None


def _movement_url(entity: Entity) -> str | None:
    """The maps app's movement view for the identifier, when the maps app provides it."""
    from django.urls import NoReverseMatch

    if entity.kind not in POSTER_KINDS:
        return None
    try:
        return reverse("maps:movement", args=[entity.pk])
    except NoReverseMatch:
        return None


# --- where a score stands: its rank among recent ads, and what backs the number ----------------
RANK_WINDOW_DAYS = 7
# Below this many scored ads in the window, the rank is taken over every scored ad the user sees.
RANK_MIN_ADS = 50
RANK_CACHE_SECONDS = 600


@dataclass(frozen=True)
class ScoreStanding:
    """What an ad's risk number is, in words a reviewer reads at a glance."""

    label: str  # "Lead score (not yet calibrated ...)" or "Risk (calibrated against N ...)"
    rank: RiskRank | None  # "top 3% of the 1,204 ads seen in the last 7 days"


def _risk_histogram(user: User) -> tuple[dict[int, int], int, str]:
    """Visible scored ads by risk in hundredths, their total, and the window they cover: the
    last RANK_WINDOW_DAYS of sightings, or every scored ad while the window is nearly empty.
    Cached per set of visible sources, so the counts never mix in another unit's ads."""
    from django.core.cache import cache
    from django.db.models.functions import Floor
    from django.utils import timezone

    from ads.models import Source

    # Held on the request's user too, so a queue page of 50 rows asks once.
    if (memo := getattr(user, "_risk_histogram", None)) is not None:
        return memo
    sources = sorted(Source.objects.visible_to(user).values_list("pk", flat=True))
    key = "risk-rank:" + hashlib.sha256(repr(sources).encode()).hexdigest()[:24]
    if (cached := cache.get(key)) is not None:
        user._risk_histogram = cached
        return cached
    scored = AdScore.objects.filter(ad__source_id__in=sources, scorable=True, risk__isnull=False)
    since = timezone.now() - timedelta(days=RANK_WINDOW_DAYS)
    window = f"ads seen in the last {RANK_WINDOW_DAYS} days"

    def buckets(rows: QuerySet[AdScore]) -> dict[int, int]:
        grouped = rows.annotate(bucket=Floor(F("risk") * 100)).values("bucket")
        return {int(r["bucket"]): int(r["n"]) for r in grouped.annotate(n=Count("pk"))}

    # One grouped pass over the window; its total says whether the window holds enough ads.
    counts = buckets(scored.filter(ad__last_seen_at__gte=since))
    if sum(counts.values()) < RANK_MIN_ADS:
        counts, window = buckets(scored), "scored ads"
    value = (counts, sum(counts.values()), window)
    cache.set(key, value, RANK_CACHE_SECONDS)
    user._risk_histogram = value
    return value


@dataclass(frozen=True)
class RiskRank:
    """Where a risk stands: "top 3%" (`share`) "of the 1,204 ads seen in the last 7 days" (`of`)."""

    share: str
    of: str

    def __str__(self) -> str:
        return f"{self.share} {self.of}"


def risk_rank(*, user: User, risk: float | None) -> RiskRank | None:
    """The share of the ads this user may see that score at least as high as `risk` (ties count
    with the ad, so the share is never flattering), over the last RANK_WINDOW_DAYS."""
    if risk is None:
        return None
    counts, total, window = _risk_histogram(user)
    if total == 0:
        return None
    bucket = min(100, int(risk * 100))
    share = sum(n for b, n in counts.items() if b >= bucket) / total
    of = f"of the {total:,} {window}"
    if share > 0.5:
        return RiskRank("not in the top half", of)
    return RiskRank(f"top {max(1, math.ceil(share * 100))}%", of)


def decisions_backing(model_version: str | None = None) -> int | None:
    """How many investigators' decisions back the scores of `model_version` (the active model when
    none is named): their count when a decision head was promoted for it, else None."""
    from .models import ModelVersion

    versions = ModelVersion.objects.all()
    versions = (
        versions.filter(version=model_version) if model_version else versions.filter(active=True)
    )
    metrics = versions.values_list("metrics", flat=True).first() or {}
    report = metrics.get("decisions") or {}
    return int(report["decisions"]) if report.get("promoted") else None


def score_basis(model_version: str | None = None) -> str:
    """What backs a risk number, for the API and exports: the same fact the pages say."""
    backing = decisions_backing(model_version)
    if backing:
        return f"risk calibrated against {backing:,} investigators' decisions"
    return "lead score, not yet calibrated against decisions"


def score_heading(model_version: str | None = None) -> str:
    """The short name of the number: "Risk" only where decisions back it."""
    return "Risk" if decisions_backing(model_version) else "Lead score"


def score_standing(*, user: User, risk: float | None, model_version: str | None) -> ScoreStanding:
    """The label of the number (a lead score, or a risk calibrated against decisions, as the
    model version that scored it was measured; the active one when none is named) and its
    rank."""
    backing = decisions_backing(model_version)
    if backing:
        label = f"Risk (calibrated against {backing:,} investigators' decisions)"
    else:
        label = "Lead score (a rank of evidence, not yet calibrated against decisions)"
    return ScoreStanding(label=label, rank=risk_rank(user=user, risk=risk))
