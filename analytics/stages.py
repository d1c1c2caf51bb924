"""Pipeline stage "link": ties each new ad to earlier ones and keeps networks up to date in the DB.

Incremental, not a nightly rebuild. For a batch of ads, in one transaction:

1. The MinHash signature of `ad.document` is stored (AdSignature) with its 32 LSH band keys
   (TextBand); a new revision replaces both, and the links the ad takes part in are checked
   again: a text link whose similarity fell below THRESHOLD, or an identifier link whose key
   the ad no longer carries (or that became common), is deleted; the others stay.
2. Text candidates are other ads sharing a band key (one SQL join on the indexed key). A key held
   by more than COMMON_BAND_LIMIT ads is boilerplate, not authorship, and is skipped; from any
   other key only the first BAND_CANDIDATES ads are read (union-find makes one member enough).
   Candidates whose estimated Jaccard similarity reaches THRESHOLD get a Link(kind=text), but
   only if the ad is also within SEED_THRESHOLD of the candidate's seed (the first ad of its
   near-duplicate group, AdSignature.seed_ad_id): single-linkage chaining (A~B, B~C, ... while A
   and Z share nothing) otherwise grows one group without bound as the base grows. An ad
   matching several groups links to the one whose seed is closest, and to the others only when
   their seeds are close to that one (the seed guard of bench/linking.py's in-memory Linker).
   Boilerplate guard: the pair must also share rare content (analytics.linking.rarity
   `writes_alike`), counted in ShingleFrequency (shingle -> the distinct posters, by keyed hash,
   that used it, up to POSTER_CAP), over the ads linked before this batch; the batch's ads are
   counted once their networks are decided. A poster is the ad's network when the ad shares an
   identifier with another ad (an operator's phones printed together are one poster, not
   several), else its first phone; an ad with neither counts for no poster. Stock phrases that
   many posters paste link nobody.
3. Identifier links: other ads sharing a phone, e-mail, handle, URL, payment identifier (Cash
   App, Venmo, bitcoin, ethereum) or image hash (Entity via EntityOccurrence). An identifier in
   more than COMMON_ENTITY_LIMIT ads (a hotline printed in every ad of a site) is common: logged
   and shown on its entity page, never linked through; a NANP toll-free phone (a site's or
   directory's own line) and an example or burn address (ads.extraction.payments
   `is_placeholder_payment`) link nobody either.
   Otherwise the ad links to at most IDENTIFIER_LINKS_PER_KEY other ads per key (the most recent
   ones): connectivity is what matters, and the Link table stays linear in the number of ads.
4. Networks with union-find semantics: an ad joins the network of the ads it is linked to; an ad
   bridging several networks merges them into the largest (AdNetwork rows move, the others are
   marked `merged_into`). Involved Network rows are locked in id order; on PostgreSQL a
   transaction-level advisory lock also serialises linking batches, so two workers never miss
   each other's uncommitted ads. Ads with no link get no network.
   A revision can remove the links that held a network together: the networks of re-linked
   ads are checked for connectivity, and a network that fell apart splits (the largest part
   keeps the id, the others get new networks with `split_from`, lone ads leave; a network left
   with no part of two ads is dissolved, size 0). Merged, split and dissolved networks are
   flagged `reshaped` for the queue stage, which moves or splits their queue items.
5. Each touched network gets its size, first/last seen, cities, max risk, features, template and
   boost refreshed, and the boost is written to AdScore.network_boost of its members.

Network boost (added to nothing automatically: it is shown beside the risk as part of "why"):
+0.05 for each of these patterns, at most 0.15 in all, and only for networks of 3 ads or more:
- "moves fast": 3 or more cities and at least 3 cities per week of activity, only where the
  rate is measured (two dated ads a day or more apart: network_features); undated networks get
  no movement pattern;
- "many names behind one phone": one phone advertised with 3 or more different names;
- "one text, several phones": one near-duplicate text posted with 3 or more phones.
Each is a pattern investigators associate with an operator moving people, none is proof; each
reason says what it was measured on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, TypedDict

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from ads.models import Ad, EntityKind, EntityOccurrence
from ads.services import TableRows
from analytics.linking import (
    BANDS,
    NUM_PERM,
    RARE_POSTERS,
    ROWS,
    THRESHOLD,
    UNCOMMON_POSTERS,
    TemplateAd,
    UnionFind,
    area_codes,
    band_keys,
    is_toll_free,
    network_confidence,
    network_features,
    network_templates,
    shared_content,
    template_view,
    text_shingles,
    text_signatures,
    writes_alike,
)
from analytics.linking.rarity import SITE_PHONES_LIMIT, TOLL_FREE, links_by_itself
from analytics.linking.template import MAX_TEMPLATES, SLOT_ROWS

from .models import (
    AdNetwork,
    AdScore,
    AdSignature,
    KeptApart,
    Link,
    LinkKind,
    Network,
    ShingleFrequency,
    TextBand,
)

logger = logging.getLogger(__name__)

# A text link also needs this similarity to the candidate's group seed (see the docstring).
SEED_THRESHOLD = round(THRESHOLD - 0.1, 3)
SIGNATURE_VERSION = f"minhash-{NUM_PERM}-{BANDS}x{ROWS}"
VERSION = f"link-3:{SIGNATURE_VERSION}@{THRESHOLD}/seed{SEED_THRESHOLD:g}/rare{RARE_POSTERS}"
# ShingleFrequency keeps at most this many posters per shingle: past it a shingle is common.
POSTER_CAP = UNCOMMON_POSTERS + 1
# A band key shared by more ads than this is a phrase every advertiser uses, not a template.
COMMON_BAND_LIMIT = 500
# From a band key, read only its first few ads: linking to one of them joins the whole group.
BAND_CANDIDATES = 5
# An identifier in more ads than this (site hotline, agency number) links nobody.
COMMON_ENTITY_LIMIT = 200
_TOLL_FREE_VALUES = reduce(or_, (Q(entity__value__startswith=code) for code in sorted(TOLL_FREE)))
IDENTIFIER_LINKS_PER_KEY = 50
LINKED_KINDS = {
    EntityKind.PHONE: LinkKind.PHONE,
    EntityKind.EMAIL: LinkKind.EMAIL,
    EntityKind.HANDLE: LinkKind.HANDLE,
    EntityKind.URL: LinkKind.URL,
    EntityKind.IMAGE: LinkKind.IMAGE,
    EntityKind.PAYMENT: LinkKind.PAYMENT,
}
# Features and cities are computed over at most this many members (the most recent).
FEATURE_SAMPLE = 5000
TEMPLATE_TEXTS = 20
BOOST_STEP = 0.05
BOOST_MIN_SIZE = 3
# Also taken by the queue stage while it follows merged and split networks (cases.services).
ADVISORY_LOCK_KEY = 0x4C494E4B  # "LINK"
_CHUNK = 2000
# Band keys go 32 per ad: a pipeline batch of 64 ads (2,048 keys) in one statement, not two.
_BAND_CHUNK = 4096


class Boost(TypedDict):
    """The network boost and the patterns that produced it, for the "why" of each member ad."""

    value: float
    reasons: list[str]


@dataclass
class LinkResult:
    """What one batch did: links written, networks created/merged/split/touched, common keys."""

    links: int = 0
    created: list[int] = field(default_factory=list)
    merged: dict[int, int] = field(default_factory=dict)
    # network -> the new networks split off it (an empty list: it was dissolved or lost lone ads)
    split: dict[int, list[int]] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)
    common_entities: dict[int, int] = field(default_factory=dict)


def network_boost(features: dict[str, Any]) -> Boost:
    """The boost rule documented in the module docstring, from `network_features` output."""
    reasons: list[str] = []
    if features.get("size", 0) >= BOOST_MIN_SIZE:
        rate = features.get("cities_per_week")
        # Only where the pattern is measured: no rate from undated ads or a one-day span.
        if features.get("cities", 0) >= 3 and rate is not None and rate >= 3.0:
            reasons.append(
                f"moves fast: {features['cities']} cities, {rate:g} per week (measured over "
                f"{features.get('span_days', 0):g} days of {features.get('dated', 0)} dated ads)"
            )
        if features.get("max_names_per_phone", 0) >= 3:
            reasons.append(
                f"many names behind one phone: up to {features['max_names_per_phone']} "
                f"(measured on the names and phones extracted from {features['size']} ads)"
            )
        if features.get("max_phones_per_template", 0) >= 3:
            reasons.append(
                f"one text, several phones: up to {features['max_phones_per_template']} "
                "(measured on near-duplicate text groups)"
            )
    return Boost(value=round(BOOST_STEP * len(reasons), 3), reasons=reasons)


def ads_link(ads: list[Ad]) -> str:
    """Pipeline stage: link the ads, update their networks; returns the linking version."""
    if ads:
        with transaction.atomic():
            ads_link_batch(ads=ads)
    return VERSION


def ads_link_batch(*, ads: Sequence[Ad]) -> LinkResult:
    """Link a batch of ads (see the module docstring); the caller holds the transaction."""
    result = LinkResult()
    ads = sorted({ad.pk: ad for ad in ads}.values(), key=lambda a: a.pk)
    if not ads:
        return result
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            # Every statement here is a few index probes per key or ad, but the planner's cost
            # for a LATERAL over a 2,000-key unnest crosses jit_above_cost: EXPLAIN ANALYZE at a
            # 20k base showed 124 ms of JIT compilation in a 213 ms query (41 ms without).
            cursor.execute("SET LOCAL jit = off")
    ids = [ad.pk for ad in ads]
    signatures = _store_bands(ads)
    pairs: dict[tuple[int, int, str], tuple[str, float]] = {}
    shingles = {ad.pk: text_shingles(ad.document) for ad in ads}
    stored = _stored_posters(shingles)
    seeds = _text_links(ids, signatures, pairs, shingles, stored)
    _store_signatures(signatures, seeds, shingles)
    keys_of_ad = _identifier_links(ids, pairs, result)
    # A new revision re-checks every link the ad takes part in; those that no longer hold go.
    removed = _prune_links(ids, signatures, keys_of_ad, pairs)
    # Ads an investigator put apart are never linked again, whatever they share.
    blocked = _kept_apart(ids)
    if blocked:
        pairs = {k: v for k, v in pairs.items() if (k[0], k[1]) not in blocked}
    TableRows(Link, ("ad_a_id", "ad_b_id", "kind", "key", "similarity")).insert(
        [(a, b, kind, key[:500], sim) for (a, b, kind), (key, sim) in pairs.items()]
    )
    result.links = len(pairs)
    if removed:
        _split_networks(ids, result)
    _join_networks({(a, b) for a, b, _ in pairs}, result)
    _count_shingles(shingles, _posters_of(ids, keys_of_ad), stored)
    if result.touched:
        networks_refresh(network_ids=sorted(result.touched))
    logger.info(
        "linked %d ads (first %s): %d links, %d networks created, %d merged, %d split, %d touched",
        len(ids),
        ids[0],
        result.links,
        len(result.created),
        len(result.merged),
        len(result.split),
        len(result.touched),
    )
    return result


# --- 1. signatures ----------------------------------------------------------------------------
def _store_bands(ads: Sequence[Ad]) -> dict[int, np.ndarray]:
    """Replace the ads' band keys (and drop their old signatures); the signatures themselves are
    written once their text links are known, with the seed of the group they joined."""
    sigs = text_signatures([ad.document for ad in ads])
    ids = [ad.pk for ad in ads]
    AdSignature.objects.filter(ad_id__in=ids).delete()
    TextBand.objects.filter(ad_id__in=ids).delete()
    # 32 rows per ad as plain tuples (COPY on PostgreSQL): model instances and their INSERT
    # compilation were a quarter of the stage's CPU.
    TableRows(TextBand, ("ad_id", "key")).insert(
        [(ad_id, key) for ad_id, sig in zip(ids, sigs, strict=True) for key in band_keys(sig)]
    )
    return dict(zip(ids, sigs, strict=True))


def _store_signatures(
    signatures: dict[int, np.ndarray], seeds: dict[int, int], shingles: dict[int, np.ndarray]
) -> None:
    TableRows(AdSignature, ("ad_id", "signature", "version", "seed_ad_id", "shingles")).insert(
        [
            (
                ad_id,
                sig.tobytes(),
                SIGNATURE_VERSION,
                None if seeds.get(ad_id, ad_id) == ad_id else seeds[ad_id],
                shingles[ad_id].astype("<u4").tobytes(),
            )
            for ad_id, sig in signatures.items()
        ]
    )


def _signatures_of(ad_ids: Iterable[int]) -> tuple[dict[int, np.ndarray], dict[int, int]]:
    """Stored signatures of the ads, and the seed of each (an ad without one is its own seed)."""
    out: dict[int, np.ndarray] = {}
    seeds: dict[int, int] = {}
    for chunk in _chunks(sorted(ad_ids)):
        for ad_id, raw, seed in AdSignature.objects.filter(ad_id__in=chunk).values_list(
            "ad_id", "signature", "seed_ad_id"
        ):
            out[ad_id] = np.frombuffer(bytes(raw), dtype=np.uint32)
            seeds[ad_id] = ad_id if seed is None else seed
    return out, seeds


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


# --- 2. text candidates -----------------------------------------------------------------------
def _text_links(
    ids: list[int],
    signatures: dict[int, np.ndarray],
    pairs: dict[tuple[int, int, str], tuple[str, float]],
    shingles: dict[int, np.ndarray],
    stored: dict[int, list[int]],
) -> dict[int, int]:
    """Add the batch's text links to `pairs`; returns the group seed of each batch ad."""
    keys_of: dict[str, list[int]] = defaultdict(list)
    for ad_id, sig in signatures.items():
        for key in band_keys(sig):
            keys_of[key].append(ad_id)
    if not keys_of:
        return {}
    candidates: dict[int, dict[int, str]] = defaultdict(dict)  # ad -> other -> key
    for chunk in _chunks(sorted(keys_of), _BAND_CHUNK):
        found = _band_members(chunk)
        usable = [k for k in chunk if 1 < found.get(k, (0, []))[0] <= COMMON_BAND_LIMIT]
        for key in usable:
            for other in found[key][1]:
                for ad_id in keys_of[key]:
                    if other != ad_id:
                        candidates[ad_id].setdefault(other, key)
        # The batch's own ads are candidates of each other too (the first few per key, as above:
        # a burst of 500 reposts in one batch stays linear, not quadratic).
        for key in usable:
            members = sorted(keys_of[key])
            for ad_id in members:
                for other in members[:BAND_CANDIDATES]:
                    if other != ad_id:
                        candidates[ad_id].setdefault(other, key)
    others = {o for found in candidates.values() for o in found} - set(signatures)
    sigs, seeds = _signatures_of(others)
    sigs.update(signatures)
    missing = {seed for seed in seeds.values() if seed not in sigs}
    if missing:
        sigs.update(_signatures_of(missing)[0])
    guard = _WriterGuard(ids, signatures, sigs, seeds, candidates, shingles, stored)
    # In ad id order, so a batch ad's seed is known before a later batch ad links to it; a pair
    # of batch ads is decided from the later one's side (it has the earlier among its candidates).
    for ad_id in ids:
        own = signatures[ad_id]
        accepted: list[tuple[float, float, int, str, int]] = []
        for other, key in candidates.get(ad_id, {}).items():
            theirs = sigs.get(other)
            if theirs is None or (other in signatures and other > ad_id):
                continue
            sim = _similarity(own, theirs)
            if sim < THRESHOLD:
                continue
            seed = seeds.get(other, other)
            # A seed whose ad is gone: the candidate stands for its group.
            seed_sim = sim if seed == other or seed not in sigs else _similarity(own, sigs[seed])
            if seed_sim < SEED_THRESHOLD:
                continue
            if not guard.same_writer(ad_id, other, sim):
                continue
            accepted.append((seed_sim, sim, other, key, seed if seed in sigs else other))
        if not accepted:
            seeds[ad_id] = ad_id
            continue
        accepted.sort(key=lambda row: (-row[0], -row[1], row[2]))
        primary = accepted[0][4]
        for _, sim, other, key, seed in accepted:
            # Bridging two groups needs their seeds close too, or two templates would merge
            # through one ambiguous ad.
            if seed != primary and _similarity(sigs[primary], sigs[seed]) < SEED_THRESHOLD:
                continue
            a, b = min(ad_id, other), max(ad_id, other)
            pairs.setdefault((a, b, LinkKind.TEXT), (key, round(sim, 4)))
        seeds[ad_id] = primary
    return {ad_id: seeds[ad_id] for ad_id in ids}


class _StoredFrequencies:
    """Distinct posters per shingle as ShingleFrequency holds them (for `shared_content`)."""

    def __init__(self, counts: dict[int, int]) -> None:
        self.counts = counts

    @classmethod
    def of(cls, stored: dict[int, list[int]]) -> _StoredFrequencies:
        """From the stored posters of each shingle (`_stored_posters`): how many there are."""
        return cls({k: len(v) for k, v in stored.items()})

    def posters(self, shingles: np.ndarray) -> np.ndarray:
        get = self.counts.get
        return np.fromiter((get(int(s), 0) for s in shingles), dtype=np.int64, count=len(shingles))


class _WriterGuard:
    """The boilerplate guard for one batch: shingles, phones and counts read once."""

    def __init__(
        self,
        ids: list[int],
        signatures: dict[int, np.ndarray],
        sigs: dict[int, np.ndarray],
        seeds: dict[int, int],
        candidates: dict[int, dict[int, str]],
        shingles: dict[int, np.ndarray],
        stored: dict[int, list[int]],
    ) -> None:
        batch = set(ids)
        needed: set[int] = set()
        # Only the earlier ads that pass the estimate and the seed guard are weighed: their texts
        # are read and cut into shingles here, in one query.
        for ad_id in ids:
            own = signatures[ad_id]
            for other in candidates.get(ad_id, {}):
                theirs = sigs.get(other)
                if other in batch or theirs is None or _similarity(own, theirs) < THRESHOLD:
                    continue
                seed = seeds.get(other, other)
                if (
                    seed == other
                    or seed not in sigs
                    or (_similarity(own, sigs[seed]) >= SEED_THRESHOLD)
                ):
                    needed.add(other)
        self.batch = batch
        self.shingles = {**dict(shingles), **stored_shingles(needed)}
        # Ads linked before the guard have no stored shingles: read their text once.
        for chunk in _chunks(sorted(needed - set(self.shingles))):
            for ad in Ad.objects.filter(pk__in=chunk).only("title", "body"):
                self.shingles[ad.pk] = text_shingles(ad.document)
        self.phones = _phones_of([*ids, *needed])
        self.regions = _regions_of([*ids, *needed])
        self.frequency = _StoredFrequencies.of(stored)

    def same_writer(self, ad_id: int, other: int, similarity: float) -> bool:
        # The earlier ad is in the stored counts when it was counted as a poster (_posters_of).
        known = bool(self.phones.get(other) or self.regions.get(other))
        return pair_writes_alike(
            self.shingles.get(ad_id),
            self.shingles.get(other),
            self.phones.get(ad_id, []),
            self.phones.get(other, []),
            self.frequency,
            counted=int(other not in self.batch and known),
            similarity=similarity,
        )


def pair_writes_alike(
    mine: np.ndarray | None,
    theirs: np.ndarray | None,
    mine_phones: list[str],
    their_phones: list[str],
    frequency: _StoredFrequencies,
    *,
    counted: int,
    similarity: float,
) -> bool:
    """The text-link rule (`writes_alike`) for two stored ads: their shingles under the stored
    counts, corroborated by a shared area code, stricter between two ads with different phones."""
    if mine is None or theirs is None or not len(mine) or not len(theirs):
        return True  # nothing to weigh (a text under MIN_TOKENS has no signature either)
    distinct = bool(mine_phones and their_phones and not set(mine_phones) & set(their_phones))
    return writes_alike(
        shared_content(mine, theirs, frequency, counted_pair=counted),
        corroborated=bool(area_codes(mine_phones) & area_codes(their_phones)),
        distinct_phones=distinct,
        similarity=similarity,
    )


def stored_shingles(ad_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """The shingles stored beside the ads' signatures (ads linked before the guard have none)."""
    out: dict[int, np.ndarray] = {}
    for chunk in _chunks(sorted(set(ad_ids))):
        for ad_id, raw in AdSignature.objects.filter(
            ad_id__in=chunk, shingles__isnull=False
        ).values_list("ad_id", "shingles"):
            out[ad_id] = np.frombuffer(bytes(raw), dtype="<u4").astype(np.uint32)
    return out


def _phones_of(ad_ids: Iterable[int]) -> dict[int, list[str]]:
    """The ads' phones (toll-free lines left out), sorted."""
    out: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(sorted(set(ad_ids))):
        for ad_id, value in (
            EntityOccurrence.objects.current()
            .filter(ad_id__in=chunk, entity__kind=EntityKind.PHONE)
            .values_list("ad_id", "entity__value")
        ):
            if not is_toll_free(value):
                out[ad_id].add(value)
    return {ad_id: sorted(values) for ad_id, values in out.items()}


def _regions_of(ad_ids: Iterable[int]) -> dict[int, str]:
    """The place each ad's source states for it (Ad.location_text, folded), where it has one: who
    posted a phone-less ad, for the shingle counts, as `poster_key`'s region in the Linker
    (bench/real_linking.py passes the real file's location column the same way)."""
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(set(ad_ids))):
        for ad_id, text in (
            Ad.objects.filter(pk__in=chunk)
            .exclude(location_text="")
            .values_list("id", "location_text")
        ):
            folded = " ".join(text.split()).lower()[:200]
            if folded:
                out[ad_id] = folded
    return out


def _poster_hash(poster: str) -> int:
    """A keyed hash of the poster: counts without a phone a purge would leave behind."""
    digest = hmac.new(settings.SECRET_KEY.encode(), poster.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:7], "big")


def _posters_of(ids: list[int], keys_of_ad: dict[int, set[str]]) -> dict[int, str]:
    """Who posted each ad, for the shingle counts: its network when it shares an identifier with
    another ad (one operator's phones, tied by what they share, are one poster, as in the
    Linker's identifier components), else its first phone, else the region its source states
    (`poster_key`: a phone-less page, such as a site's age gate, counts for its place, so that
    text pasted by such pages across many places is common); an ad with none is no poster."""
    phones = _phones_of(ids)
    regions = _regions_of(ids)
    shared = [ad_id for ad_id in ids if keys_of_ad.get(ad_id)]
    networks = dict(AdNetwork.objects.filter(ad_id__in=shared).values_list("ad_id", "network_id"))
    out: dict[int, str] = {}
    for ad_id in ids:
        if ad_id in networks:
            out[ad_id] = f"network:{networks[ad_id]}"
        elif phones.get(ad_id):
            out[ad_id] = phones[ad_id][0]
        elif regions.get(ad_id):
            out[ad_id] = f"region:{regions[ad_id]}"
    return out


def _stored_posters(shingles: dict[int, np.ndarray]) -> dict[int, list[int]]:
    """The stored posters of every shingle of the batch (absent: no poster yet)."""
    wanted = sorted({h for values in shingles.values() for h in values.tolist()})
    out: dict[int, list[int]] = {}
    for chunk in _chunks(wanted):
        out.update(
            ShingleFrequency.objects.filter(shingle__in=chunk).values_list("shingle", "posters")
        )
    return out


def _count_shingles(
    shingles: dict[int, np.ndarray], posters: dict[int, str], stored: dict[int, list[int]]
) -> None:
    """Count each batch ad's poster once for each of its shingles (up to POSTER_CAP)."""
    by_shingle: dict[int, set[int]] = defaultdict(set)
    for ad_id, values in shingles.items():
        if ad_id not in posters or not len(values):
            continue
        poster = _poster_hash(posters[ad_id])
        for h in values.tolist():
            by_shingle[h].add(poster)
    if not by_shingle:
        return
    rows: list[tuple[int, list[int]]] = []
    changed: list[int] = []
    for shingle, posters in by_shingle.items():
        before = stored.get(shingle)
        if before is not None and len(before) >= POSTER_CAP:
            continue
        merged = sorted(set(before or ()) | posters)[:POSTER_CAP]
        if before is not None:
            if len(merged) == len(before):
                continue
            changed.append(shingle)
        rows.append((shingle, merged))
    # Rows that grew are replaced (delete + insert: two statements on any backend, where
    # bulk_update builds one CASE per row); the advisory lock keeps batches from racing.
    for chunk in _chunks(changed):
        ShingleFrequency.objects.filter(shingle__in=chunk).delete()
    TableRows(ShingleFrequency, ("shingle", "posters")).insert(rows)


def _band_members(keys: list[str]) -> dict[str, tuple[int, list[int]]]:
    """For each key: how many ads hold it (counted up to COMMON_BAND_LIMIT + 1, which is all the
    decision needs) and its first BAND_CANDIDATES ads.

    On PostgreSQL one statement, two index probes per key. "ad_id + 0" keeps PostgreSQL from
    walking the (ad_id, key) unique index in ad_id order and filtering on the key, which EXPLAIN
    showed reading the whole index for a rare key.
    """
    if connection.vendor == "postgresql":
        table = TextBand._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT k.key, "  # noqa: S608
                f"(SELECT count(*) FROM (SELECT 1 FROM {table} c WHERE c.key = k.key LIMIT %s) n), "
                f"ARRAY(SELECT t.ad_id FROM {table} t WHERE t.key = k.key "
                f"ORDER BY t.ad_id + 0 LIMIT %s) "
                f"FROM unnest(%s::varchar[]) AS k(key)",
                [COMMON_BAND_LIMIT + 1, BAND_CANDIDATES, keys],
            )
            return {key: (n, list(first)) for key, n, first in cursor.fetchall()}
    counts = dict(
        TextBand.objects.filter(key__in=keys)
        .values("key")
        .annotate(n=Count("ad_id"))
        .values_list("key", "n")
    )
    out: dict[str, tuple[int, list[int]]] = {key: (n, []) for key, n in counts.items()}
    for key, ad_id in (
        TextBand.objects.filter(key__in=keys).order_by("key", "ad_id").values_list("key", "ad_id")
    ):
        if len(out[key][1]) < BAND_CANDIDATES:
            out[key][1].append(ad_id)
    return out


# --- 3. identifier links ----------------------------------------------------------------------
def _set_aside(
    result: LinkResult, entity_id: int, info: dict[int, tuple[str, str]], n: int, why: str
) -> None:
    """Report an identifier that links nobody (`why` takes the count)."""
    result.common_entities[entity_id] = n
    logger.warning("entity %s (%s) %s: not linked through", entity_id, info[entity_id][0], why % n)


def _poster_identifiers(
    entity_ids: list[int], entity_info: dict[int, tuple[str, str]], result: LinkResult
) -> list[int]:
    """The identifiers that name a poster: a URL, e-mail, handle or payment identifier that ads
    of more than SITE_PHONES_LIMIT different phones print is a site's (its home page, a job
    board's footer, a video site), not a poster's, and links nobody."""
    others = [e for e in entity_ids if entity_info[e][0] != EntityKind.PHONE]
    phones: dict[int, int] = {}
    for chunk in _chunks(others):
        for entity_id, n in (
            EntityOccurrence.objects.current()
            .filter(entity__kind=EntityKind.PHONE, ad__occurrences__entity_id__in=chunk)
            .exclude(_TOLL_FREE_VALUES)
            .values("ad__occurrences__entity_id")
            .annotate(n=Count("entity_id", distinct=True))
            .values_list("ad__occurrences__entity_id", "n")
        ):
            phones[entity_id] = n
    kept = []
    for entity_id in entity_ids:
        n = phones.get(entity_id, 0)
        if n > SITE_PHONES_LIMIT:
            _set_aside(result, entity_id, entity_info, n, "printed by ads of %d phones, a site's")
        else:
            kept.append(entity_id)
    return kept


def _identifier_links(
    ids: list[int],
    pairs: dict[tuple[int, int, str], tuple[str, float]],
    result: LinkResult,
) -> dict[int, set[str]]:
    """Add the batch's identifier links to `pairs`; returns each ad's linkable keys."""
    rows = (
        EntityOccurrence.objects.current()
        .filter(ad_id__in=ids, entity__kind__in=list(LINKED_KINDS))
        .values_list("ad_id", "entity_id", "entity__kind", "entity__value")
        .distinct()
    )
    ads_of_entity: dict[int, set[int]] = defaultdict(set)
    entity_info: dict[int, tuple[str, str]] = {}
    for ad_id, entity_id, kind, value in rows:
        if not links_by_itself(kind, value):
            continue  # a site's own line or home page, an example payment address
        ads_of_entity[entity_id].add(ad_id)
        entity_info[entity_id] = (kind, value)
    keys_of_ad: dict[int, set[str]] = defaultdict(set)
    if not ads_of_entity:
        return keys_of_ad
    usable: list[int] = []
    for chunk in _chunks(sorted(ads_of_entity)):
        counts = dict(
            EntityOccurrence.objects.current()
            .filter(entity_id__in=chunk)
            .values("entity_id")
            .annotate(n=Count("ad_id", distinct=True))
            .values_list("entity_id", "n")
        )
        for entity_id in chunk:
            n = counts.get(entity_id, 0)
            if n > COMMON_ENTITY_LIMIT:
                _set_aside(result, entity_id, entity_info, n, "occurs in %d ads: common")
            elif n > 1:
                usable.append(entity_id)
    usable = _poster_identifiers(usable, entity_info, result)
    for chunk in _chunks(usable):
        members: dict[int, set[int]] = defaultdict(set)
        for entity_id, ad_id in (
            EntityOccurrence.objects.current()
            .filter(entity_id__in=chunk)
            .values_list("entity_id", "ad_id")
        ):
            members[entity_id].add(ad_id)
        for entity_id in chunk:
            kind, value = entity_info[entity_id]
            link_kind = LINKED_KINDS[kind]
            for ad_id in ads_of_entity[entity_id]:
                keys_of_ad[ad_id].add(f"{kind}:{value}"[:500])
            # Most recent first: the latest ads are where the operator is now.
            everyone = sorted(members[entity_id], reverse=True)
            for ad_id in ads_of_entity[entity_id]:
                taken = 0
                for other in everyone:
                    if other == ad_id:
                        continue
                    a, b = min(ad_id, other), max(ad_id, other)
                    pairs.setdefault((a, b, link_kind), (f"{kind}:{value}", 1.0))
                    taken += 1
                    if taken >= IDENTIFIER_LINKS_PER_KEY:
                        break
    return keys_of_ad


def _prune_links(
    ids: list[int],
    signatures: dict[int, np.ndarray],
    keys_of_ad: dict[int, set[str]],
    pairs: dict[tuple[int, int, str], tuple[str, float]],
) -> int:
    """Delete the stored links of the ads that their current text and identifiers no longer
    justify; drop from `pairs` the links already stored. Returns how many were deleted.

    Links other ads made to these ads are kept while they still hold: each ad links to a few
    of the ads sharing a key (the most recent, the first of a band), so recomputing only from
    this ad's side would cut links the others chose and split networks that still stand.
    """
    batch = set(ids)
    existing = list(
        Link.objects.filter(Q(ad_a_id__in=ids) | Q(ad_b_id__in=ids)).values_list(
            "pk", "ad_a_id", "ad_b_id", "kind", "key"
        )
    )
    if not existing:
        return 0
    others = {
        other
        for _, a, b, kind, _ in existing
        if kind == LinkKind.TEXT
        for other in (a, b)
        if other not in batch
    }
    sigs = {**_signatures_of(others)[0], **signatures}
    stale: list[int] = []
    for pk, a, b, kind, key in existing:
        if kind == LinkKind.TEXT:
            holds = a in sigs and b in sigs and _similarity(sigs[a], sigs[b]) >= THRESHOLD
        else:
            holds = all(key in keys_of_ad.get(ad_id, ()) for ad_id in (a, b) if ad_id in batch)
        if holds:
            pairs.pop((a, b, kind), None)
        else:
            stale.append(pk)
    for chunk in _chunks(stale):
        Link.objects.filter(pk__in=chunk).delete()
    return len(stale)


# --- 4. networks ------------------------------------------------------------------------------
def _join_networks(edges: set[tuple[int, int]], result: LinkResult) -> None:
    if not edges:
        return
    uf = UnionFind()
    index: dict[int, int] = {}
    ads: list[int] = []
    for a, b in edges:
        for ad_id in (a, b):
            if ad_id not in index:
                index[ad_id] = uf.add()
                ads.append(ad_id)
        uf.union(index[a], index[b])
    current: dict[int, int] = {}
    for chunk in _chunks(sorted(ads)):
        current.update(AdNetwork.objects.filter(ad_id__in=chunk).values_list("ad_id", "network_id"))
    involved = sorted(set(current.values()))
    # Lock in id order so two batches touching the same networks cannot deadlock.
    locked = {
        n.pk: n for n in Network.objects.select_for_update().filter(pk__in=involved).order_by("pk")
    }
    components: dict[int, list[int]] = defaultdict(list)
    for ad_id in ads:
        components[uf.find(index[ad_id])].append(ad_id)
    apart = _apart_units(ads, involved)
    now = timezone.now()
    new_members: list[AdNetwork] = []
    for members in components.values():
        networks = sorted({current[a] for a in members if a in current})
        if apart:
            networks, members = _respect_apart(networks, members, current, locked, apart)
            if len(members) < 2 and not networks:
                continue
        if not networks:
            target = Network.objects.create(created_at=now, updated_at=now)
            result.created.append(target.pk)
            target_id = target.pk
        else:
            # The largest keeps its id (and its queue item, case links); ties go to the oldest.
            target_id = max(networks, key=lambda pk: (locked[pk].size, -pk))
            absorbed = [pk for pk in networks if pk != target_id]
            if absorbed:
                AdNetwork.objects.filter(network_id__in=absorbed).update(network_id=target_id)
                Network.objects.filter(pk__in=absorbed).update(
                    merged_into_id=target_id, size=0, updated_at=now
                )
                Network.objects.filter(merged_into_id__in=absorbed).update(merged_into_id=target_id)
                # The queue stage moves the absorbed networks' queue items to the survivor.
                Network.objects.filter(pk=target_id).update(reshaped=True, updated_at=now)
                for pk in absorbed:
                    result.merged[pk] = target_id
                    current.update({a: target_id for a, n in current.items() if n == pk})
                logger.info("networks %s merged into network %s", absorbed, target_id)
        result.touched.add(target_id)
        new_members.extend(
            AdNetwork(ad_id=a, network_id=target_id, joined_at=now)
            for a in members
            if a not in current
        )
    AdNetwork.objects.bulk_create(new_members, batch_size=_CHUNK)


def _kept_apart(ad_ids: list[int]) -> set[tuple[int, int]]:
    """The (smaller, larger) ad pairs put apart by investigators that touch these ads."""
    out: set[tuple[int, int]] = set()
    for chunk in _chunks(ad_ids):
        out.update(KeptApart.objects.touching(chunk).values_list("ad_a_id", "ad_b_id"))
    return out


Unit = tuple[str, int]  # ("n", network id) or ("a", ad id) for an ad in no network yet


def _apart_units(ads: list[int], networks: list[int]) -> set[frozenset[Unit]]:
    """Which networks and lone ads among these must stay apart (an investigator's correction)."""
    if not KeptApart.objects.exists():
        return set()
    rows: set[tuple[int, int]] = set(
        KeptApart.objects.filter(
            Q(ad_a__network_membership__network_id__in=networks)
            | Q(ad_b__network_membership__network_id__in=networks)
        ).values_list("ad_a_id", "ad_b_id")
    )
    rows |= _kept_apart(ads)
    if not rows:
        return set()
    touched = sorted({ad for pair in rows for ad in pair})
    where: dict[int, int] = {}
    for chunk in _chunks(touched):
        where.update(AdNetwork.objects.filter(ad_id__in=chunk).values_list("ad_id", "network_id"))

    def unit(ad_id: int) -> Unit:
        return ("n", where[ad_id]) if ad_id in where else ("a", ad_id)

    return {frozenset((unit(a), unit(b))) for a, b in rows if unit(a) != unit(b)}


def _respect_apart(
    networks: list[int],
    members: list[int],
    current: dict[int, int],
    locked: dict[int, Network],
    apart: set[frozenset[Unit]],
) -> tuple[list[int], list[int]]:
    """The networks and ads of one linked component that may be joined: the largest network
    first, then each other one (and each ad in no network) unless it was put apart from one
    already taken. What is left out stays where it is: links are kept, networks are not joined."""
    units: list[Unit] = [
        ("n", pk) for pk in sorted(networks, key=lambda pk: (-locked[pk].size, pk))
    ]
    units += [("a", a) for a in sorted(members) if a not in current]
    taken: list[Unit] = []
    for u in units:
        if not any(frozenset((u, t)) in apart for t in taken):
            taken.append(u)
    kept_networks = sorted(pk for kind, pk in taken if kind == "n")
    kept_ads = {pk for kind, pk in taken if kind == "a"}
    return kept_networks, [
        a for a in members if (a in current and current[a] in kept_networks) or a in kept_ads
    ]


def _split_networks(ids: list[int], result: LinkResult) -> None:
    """Split the networks of re-linked ads that their new links no longer hold together."""
    networks = sorted(
        set(AdNetwork.objects.filter(ad_id__in=ids).values_list("network_id", flat=True))
    )
    if not networks:
        return
    locked = list(Network.objects.select_for_update().filter(pk__in=networks).order_by("pk"))
    members: dict[int, list[int]] = defaultdict(list)
    for network_id, ad_id in AdNetwork.objects.filter(network_id__in=networks).values_list(
        "network_id", "ad_id"
    ):
        members[network_id].append(ad_id)
    where = {ad_id: network_id for network_id, ads in members.items() for ad_id in ads}
    edges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in Link.objects.filter(
        ad_a__network_membership__network_id__in=networks,
        ad_b__network_membership__network_id__in=networks,
    ).values_list("ad_a_id", "ad_b_id"):
        if where.get(a) == where.get(b):
            edges[where[a]].append((a, b))
    now = timezone.now()
    for network in locked:
        ads = sorted(members[network.pk])
        uf = UnionFind()
        index = {ad_id: uf.add() for ad_id in ads}
        for a, b in edges[network.pk]:
            uf.union(index[a], index[b])
        parts: dict[int, list[int]] = defaultdict(list)
        for ad_id in ads:
            parts[uf.find(index[ad_id])].append(ad_id)
        if len(parts) <= 1:
            continue
        # The largest part keeps the id (and with it the queue item and case links); ties go
        # to the part with the oldest ad.
        ordered = sorted(parts.values(), key=lambda p: (-len(p), p[0]))
        keep = ordered[0] if len(ordered[0]) > 1 else []
        alone = [p[0] for p in ordered if len(p) == 1]
        new_ids: list[int] = []
        for part in ordered[1:]:
            if len(part) < 2:
                continue
            child = Network.objects.create(
                split_from=network, reshaped=True, created_at=now, updated_at=now
            )
            for chunk in _chunks(part):
                AdNetwork.objects.filter(ad_id__in=chunk).update(network_id=child.pk, joined_at=now)
            new_ids.append(child.pk)
            result.created.append(child.pk)
            result.touched.add(child.pk)
        AdNetwork.objects.filter(ad_id__in=alone).delete()
        # Their boost came from the network they left (a later join in this batch resets it).
        AdScore.objects.filter(ad_id__in=alone).update(network_boost=0.0)
        network.reshaped = True
        network.left_ads = sorted(set(network.left_ads or []) | set(alone))
        network.updated_at = now
        # Its templates and confidence spoke of ads that left: redone by the refresh.
        network.template = {}
        if keep:
            result.touched.add(network.pk)
        else:
            network.size = 0
        network.save(update_fields=["reshaped", "left_ads", "updated_at", "size", "template"])
        result.split[network.pk] = new_ids
        logger.info(
            "network %s split: kept %d ads, new networks %s, %d ads left alone",
            network.pk,
            len(keep),
            new_ids,
            len(alone),
        )


# --- 5. network facts -------------------------------------------------------------------------
def networks_refresh(*, network_ids: Sequence[int]) -> None:
    """Recompute size, dates, cities, risk, features, template and boost of the networks.

    A handful of queries for all the networks together (not per network), so a batch touching a
    hundred networks costs about as much as one touching ten.
    """
    networks = list(Network.objects.filter(pk__in=network_ids, merged_into__isnull=True))
    if not networks:
        return
    live = [n.pk for n in networks]
    members: dict[int, list[int]] = defaultdict(list)
    for network_id, ad_id in (
        AdNetwork.objects.filter(network_id__in=live)
        .order_by("network_id", "-ad_id")
        .values_list("network_id", "ad_id")
    ):
        members[network_id].append(ad_id)
    # Features are computed over the most recent FEATURE_SAMPLE members of each network.
    sample = {pk: members[pk][:FEATURE_SAMPLE] for pk in live}
    sampled = [ad_id for ids in sample.values() for ad_id in ids]
    # Dates, places, risks, phones and names of the sampled members (the pages read the same).
    facts = member_facts(sampled, text_groups=False)
    posted, places, risk = facts.posted, facts.places, facts.risk
    phones, names = facts.phones, facts.names
    # The links among each network's sampled members: the text links of every network (its text
    # groups), and every link of those whose template and confidence are due (identifier links
    # are most of the Link table: a network of 300 ads sharing a phone holds ~15,000 of them).
    due_ids = {
        network.pk
        for network in networks
        if _template_due(network, len(members[network.pk]))
        or "confidence" not in (network.features or {})
    }
    network_of = {ad_id: pk for pk, ids in sample.items() for ad_id in ids}
    links_of: dict[int, list[tuple[int, int, str, str, float]]] = defaultdict(list)
    for every_kind in (True, False):
        wanted = [a for a in sampled if (network_of[a] in due_ids) == every_kind]
        for chunk in _chunks(wanted):
            rows = Link.objects.filter(ad_b_id__in=chunk)
            if not every_kind:
                rows = rows.filter(kind=LinkKind.TEXT)
            for a, b, kind, key, sim in rows.values_list(
                "ad_a_id", "ad_b_id", "kind", "key", "similarity"
            ):
                if network_of.get(a) == network_of[b]:
                    links_of[network_of[b]].append((a, b, kind, key, sim))
    templates = facts.templates = _text_groups(
        sampled,
        [
            (a, b)
            for links in links_of.values()
            for a, b, kind, _, _ in links
            if kind == LinkKind.TEXT
        ],
    )
    # The texts of the networks whose template is due (see below), in one query for all: the
    # most recent members, and those of its largest near-duplicate groups (their slot values).
    due: list[int] = []
    grouped: dict[int, list[int]] = {}
    for network in networks:
        if _template_due(network, len(members[network.pk])):
            due.extend(sample[network.pk][:TEMPLATE_TEXTS])
            grouped[network.pk] = _template_members(sample[network.pk], templates)
            due.extend(grouped[network.pk])
    documents: dict[int, str] = {}
    ages: dict[int, list[int]] = {}
    for chunk in _chunks(sorted(set(due))):
        for ad in Ad.objects.filter(pk__in=chunk).only("title", "body", "extracted"):
            documents[ad.pk] = ad.document
            ages[ad.pk] = [a for a in (ad.extracted or {}).get("ages", []) if isinstance(a, int)]
    now = timezone.now()
    by_boost: dict[float, list[int]] = defaultdict(list)
    for network in networks:
        ids = sample[network.pk]
        times = [posted[a] for a in ids if posted.get(a) is not None]
        features: dict[str, Any] = dict(network_features(facts.rows(ids)))
        size = len(members[network.pk])
        features["size"] = size
        features["sampled"] = len(ids)
        # Recomputed with the template (while the network grows, then as it doubles).
        features["confidence"] = (
            network_confidence(ids, links_of[network.pk])
            if network.pk in due_ids
            else (network.features or {})["confidence"]
        )
        boost = network_boost(features)
        features["boost"] = boost
        risks = [r for a in ids if (r := risk.get(a)) is not None]
        template = network.template or {}
        # template_view is the costly part: redo it while the network grows to TEMPLATE_TEXTS
        # ads, then each time it doubles.
        if _template_due(network, size):
            texts = [documents[a] for a in ids[:TEMPLATE_TEXTS] if a in documents]
            template = dict(template_view(texts))
            template["network_size"] = size
            template["templates"] = network_templates(
                [
                    TemplateAd(
                        ad_id=a,
                        text=documents.get(a, ""),
                        names=sorted(names.get(a, ())),
                        ages=ages.get(a, []),
                        phones=sorted(phones.get(a, ())),
                        city=places.get(a, ""),
                    )
                    for a in sorted(grouped.get(network.pk, ()))
                ],
                templates,
                max_texts=TEMPLATE_TEXTS,
            )
        network_set_figures(network, size=size, features=features, times=times, risks=risks)
        network.template = template
        network.updated_at = now
        by_boost[boost["value"]].append(network.pk)
    Network.objects.bulk_update(
        networks,
        [
            "size",
            "first_seen_at",
            "last_seen_at",
            "cities",
            "max_risk",
            "features",
            "updated_at",
        ],
        batch_size=200,
    )
    # The template (with every recorded ad's slot values) is the large column: written only when
    # it was redone.
    redone = [network for network in networks if network.pk in due_ids]
    if redone:
        Network.objects.bulk_update(redone, ["template"], batch_size=50)
    for value, pks in by_boost.items():
        AdScore.objects.filter(ad__network_membership__network_id__in=pks).exclude(
            network_boost=value
        ).update(network_boost=value)


def network_set_figures(
    network: Network,
    *,
    size: int,
    features: dict[str, Any],
    times: list[Any],
    risks: list[float],
) -> None:
    """A network's stored figures from its members' features, dates and risks (the linking stage
    writes them; the pages set them in memory for a network seen in part)."""
    network.size = size
    network.first_seen_at = min(times) if times else None
    network.last_seen_at = max(times) if times else None
    network.cities = features["city_list"]
    network.max_risk = max(risks) if risks else None
    network.features = features


@dataclass
class MemberFacts:
    """What the network features are computed from, per member ad (a read: no writes)."""

    posted: dict[int, Any]
    places: dict[int, str]
    risk: dict[int, float | None]
    phones: dict[int, set[str]]
    names: dict[int, set[str]]
    templates: dict[int, int]

    def rows(self, ad_ids: Iterable[int]) -> list[dict[str, Any]]:
        """`network_features` input for these ads."""
        return [
            {
                "posted_at": self.posted.get(ad_id),
                "city": self.places.get(ad_id),
                "phones": sorted(self.phones.get(ad_id, ())),
                "names": sorted(self.names.get(ad_id, ())),
                "template": self.templates.get(ad_id),
            }
            for ad_id in ad_ids
        ]


def member_facts(
    ad_ids: list[int], *, identities: bool = True, text_groups: bool = True
) -> MemberFacts:
    """Dates, places, risks, phones, names and near-duplicate groups of the ads, in a few queries
    (without `identities`: dates, places and risks only; without `text_groups`, no groups: the
    linking stage groups its members from the links it reads anyway).

    The linking stage computes every network's stored figures from it; the pages compute the
    figures of a network seen in part (some ads outside the viewer's units) from the same reader.
    """
    from maps.models import AdLocation, Precision

    facts = MemberFacts({}, {}, {}, defaultdict(set), defaultdict(set), {})
    for chunk in _chunks(ad_ids):
        facts.posted.update(Ad.objects.filter(pk__in=chunk).values_list("pk", "posted_at"))
        facts.places.update(
            AdLocation.objects.filter(ad_id__in=chunk)
            .exclude(precision=Precision.UNKNOWN)
            .exclude(name="")
            .values_list("ad_id", "name")
        )
        facts.risk.update(AdScore.objects.filter(ad_id__in=chunk).values_list("ad_id", "risk"))
        if not identities:
            continue
        for ad_id, kind, value in (
            EntityOccurrence.objects.current()
            .filter(ad_id__in=chunk, entity__kind__in=[EntityKind.PHONE, EntityKind.NAME])
            .values_list("ad_id", "entity__kind", "entity__value")
        ):
            (facts.phones if kind == EntityKind.PHONE else facts.names)[ad_id].add(value)
    if identities and text_groups:
        wanted = set(ad_ids)
        links = [
            (a, b)
            for chunk in _chunks(ad_ids)
            for a, b in Link.objects.filter(kind=LinkKind.TEXT, ad_b_id__in=chunk).values_list(
                "ad_a_id", "ad_b_id"
            )
            if a in wanted
        ]
        facts.templates = _text_groups(ad_ids, links)
    return facts


def _template_due(network: Network, size: int) -> bool:
    """Redo the template (and the confidence) while the network grows to TEMPLATE_TEXTS ads,
    then each time it doubles: template_view and reading every link are the costly parts."""
    template = network.template or {}
    return (
        not template
        or size >= 2 * template.get("network_size", 0)
        or template.get("size", 0) < min(size, TEMPLATE_TEXTS)
    )


def _template_members(ad_ids: list[int], groups: dict[int, int]) -> list[int]:
    """The ads of the largest near-duplicate groups among `ad_ids` (MAX_TEMPLATES groups of two
    ads or more, SLOT_ROWS ads each): the ads whose slot values a network's templates record."""
    by_group: dict[int, list[int]] = defaultdict(list)
    for ad_id in ad_ids:
        by_group[groups.get(ad_id, ad_id)].append(ad_id)
    largest = sorted(
        (ads for ads in by_group.values() if len(ads) >= 2), key=lambda ads: (-len(ads), min(ads))
    )[:MAX_TEMPLATES]
    return [ad_id for ads in largest for ad_id in sorted(ads)[:SLOT_ROWS]]


def _text_groups(ad_ids: list[int], text_links: list[tuple[int, int]]) -> dict[int, int]:
    """Near-duplicate groups among the ads (text links only): ad -> smallest ad id of its group."""
    uf = UnionFind()
    index = {ad_id: uf.add() for ad_id in ad_ids}
    for a, b in text_links:
        if a in index and b in index:
            uf.union(index[a], index[b])
    groups: dict[int, int] = {}
    for ad_id in ad_ids:
        root = uf.find(index[ad_id])
        groups[root] = min(groups.get(root, ad_id), ad_id)
    return {ad_id: groups[uf.find(index[ad_id])] for ad_id in ad_ids}


def _chunks(items: Sequence[Any] | list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
