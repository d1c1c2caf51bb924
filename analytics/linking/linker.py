"""Incremental linking of ads into networks by shared identifiers and near-duplicate text.

Each ad that arrives is linked at once (no nightly rebuild):
- identifiers (phone, email, handle, payment, URL, image hash...) link it to the first ad that
  carried the same key; union-find makes that transitive, so one link per key per ad is enough.
- its MinHash signature's LSH band values find candidate ads with similar text; a candidate is
  linked only if the estimated Jaccard similarity reaches the threshold.

Giant-component guard: a key seen in more than `common_key_limit` ads (a hotline or a site's
support number pasted into every ad) is declared common. Links through it stop, the links it
already made are kept on record but no longer count, and the union-find is rebuilt once from the
remaining links: a repair on a rare event, not a periodic rebuild. `common_keys()` reports them
so an investigator can see what was set aside and why.

Boilerplate guard (`rarity=True`, the default): an estimated Jaccard at the threshold is only
a candidate. The text link is made when the two ads share rare content (shingles few distinct
posters use, counted incrementally in `ShingleFrequency`: see rarity.py), at least
`min_rare_shingles` of them and `rare_jaccard` of the union of their shingles, or as much
content that somewhat more posters use (UNCOMMON_POSTERS) when the pair is corroborated: the
same phone area code or the same region (identifier kind "region", used only as corroboration
and as the poster of an ad without a phone, never linked through). Stock phrases
that many posters paste link nobody.

The counts are incremental, so the first few posters of a phrase link before it is known to be
common. `recheck_text_links()` re-verifies every text link under the counts as they stand and
drops those that no longer hold, rebuilding the partitions once: a repair run when the counts
have matured (after a bulk load, or periodically), like the common-key repair above.

Two partitions are kept: `networks` (all links) and `text clusters` (near-duplicate links only),
the latter being what is measured against the generator's templates.
"""

from __future__ import annotations

import logging
import multiprocessing
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from analytics.linking.minhash import (
    BANDS,
    NUM_PERM,
    ROWS,
    THRESHOLD,
    band_hashes,
    is_empty,
    text_signature,
    text_signatures,
)
from analytics.linking.rarity import (
    MIN_RARE_SHINGLES,
    RARE_JACCARD,
    RARE_POSTERS,
    SITE_PHONES_LIMIT,
    UNCOMMON_POSTERS,
    ShingleFrequency,
    area_codes,
    is_toll_free,
    links_by_itself,
    poster_key,
    shared_content,
    text_shingles,
    writes_alike,
)
from analytics.linking.unionfind import UnionFind

__all__ = ["Identifiers", "Link", "Linker"]

logger = logging.getLogger(__name__)

Identifiers = Mapping[str, Iterable[str]]
TEXT = "text"
# Identifier kinds that corroborate a text link but never link by themselves.
CONTEXT_KINDS = frozenset({"region"})


def _areas(identifiers: Identifiers) -> frozenset[str]:
    """Phone area codes and regions: what corroborates a text link."""
    regions = {f"region:{r}" for r in identifiers.get("region", ()) if r}
    return area_codes(identifiers.get("phone", ())) | regions


@dataclass(frozen=True)
class Link:
    """Why two ads are tied: `kind` "text" (key = LSH band key) or an identifier kind."""

    a: str
    b: str
    kind: str
    key: str
    similarity: float


class Linker:
    """Links ads as they arrive; `networks()` and `text_clusters()` are always up to date."""

    def __init__(
        self,
        *,
        bands: int = BANDS,
        rows: int = ROWS,
        threshold: float = THRESHOLD,
        common_key_limit: int = 200,
        bucket_cap: int = 3,
        seed_threshold: float | None = None,
        known_common: Iterable[str] = (),
        rarity: bool = True,
        rare_posters: int = RARE_POSTERS,
        uncommon_posters: int = UNCOMMON_POSTERS,
        rare_jaccard: float = RARE_JACCARD,
        min_rare_shingles: int = MIN_RARE_SHINGLES,
        frequency: ShingleFrequency | None = None,
    ) -> None:
        if bands * rows > NUM_PERM:
            raise ValueError(f"bands*rows must be <= {NUM_PERM}")
        self.bands = bands
        self.rows = rows
        self.threshold = threshold
        self.common_key_limit = common_key_limit
        # A bucket keeps only its first few ads: union-find makes linking to one member enough,
        # and capping keeps a popular template from turning each lookup into a long scan.
        self.bucket_cap = bucket_cap
        # Single-linkage chaining (A~B, B~C, ... Y~Z while A and Z share nothing) grew one text
        # cluster to ~100,000 unrelated ads in the 1M benchmark. An ad therefore joins a text
        # cluster only if it is also close to the cluster's seed (its first ad), which keeps
        # each cluster a ball around one text instead of a chain.
        self.seed_threshold = threshold - 0.1 if seed_threshold is None else seed_threshold
        self._seed: dict[int, int] = {}  # text-cluster root -> seed ad (absent: itself)
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._sigs = np.empty((1024, NUM_PERM), dtype=np.uint32)
        self._buckets: dict[int, int | list[int]] = {}
        self._key_id: dict[str, int] = {}
        self._key_names: list[str] = []
        self._key_first = array("q")
        self._key_count = array("q")
        self._common: set[int] = set()
        self._kinds: list[str] = [TEXT]
        self._kind_code: dict[str, int] = {TEXT: 0}
        self._la = array("q")
        self._lb = array("q")
        self._lkey = array("q")  # key id, or -(band+1) for text links
        self._lkind = array("b")
        self._lsim = array("f")
        self._uf = UnionFind()
        self._text_uf = UnionFind()
        # Identifier links only: who is one poster for the shingle counts (see _poster_of).
        self._id_uf = UnionFind()
        self._id_first: dict[int, int] = {}  # identifier-component root -> its first ad
        self._dirty = False
        self.rarity = rarity
        self.rare_posters = rare_posters
        self.uncommon_posters = uncommon_posters
        self.rare_jaccard = rare_jaccard
        self.min_rare_shingles = min_rare_shingles
        self.frequency = frequency if frequency is not None else ShingleFrequency()
        self._shingles: list[np.ndarray] = []
        self._posters: list[str | None] = []
        self._area_of: list[frozenset[str]] = []
        self._key_phones: dict[str, set[str]] = {}  # non-phone key -> phones of its ads
        self._phoned = bytearray()  # 1 when the ad prints a phone of its own (not toll-free)
        self.rejected_boilerplate = 0
        self._dropped: set[int] = set()  # positions of text links dropped by a recheck
        for key in known_common:
            self._common.add(self._intern_key(key, -1))

    # -- adding -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, ad_id: object) -> bool:
        return ad_id in self._index

    def add(self, ad_id: str, text: str, identifiers: Identifiers | None = None) -> list[Link]:
        """Link one new ad; returns the links it made (empty when it stands alone)."""
        links = self._add_signed(
            ad_id, text_signature(text), identifiers or {}, collect=True, text=text
        )
        if self._dirty:
            self._rebuild()
        return links or []

    def add_many(
        self,
        items: Iterable[tuple[str, str, Identifiers]],
        *,
        batch: int = 2000,
        processes: int = 1,
    ) -> int:
        """Link a stream of (ad_id, text, identifiers); returns how many ads were added.

        With `processes` > 1 the signatures are computed in worker processes while this one
        links, a few batches ahead at most, so the stream is never held in memory.
        """
        added = 0
        if processes <= 1:
            for chunk in _chunks(items, batch):
                sigs = text_signatures([text for _, text, _ in chunk])
                added += self._link_chunk(chunk, sigs)
            return added
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(processes) as pool:
            pending: deque = deque()
            for chunk in _chunks(items, batch):
                texts = [text for _, text, _ in chunk]
                pending.append((chunk, pool.apply_async(text_signatures, (texts,))))
                if len(pending) > processes * 2:
                    done, result = pending.popleft()
                    added += self._link_chunk(done, result.get())
            while pending:
                done, result = pending.popleft()
                added += self._link_chunk(done, result.get())
        return added

    def add_signed(
        self, ad_id: str, signature: np.ndarray, identifiers: Identifiers | None = None
    ) -> list[Link]:
        """Like `add` with a precomputed (e.g. stored) signature (no rarity check: no text)."""
        links = self._add_signed(ad_id, signature, identifiers or {}, collect=True)
        if self._dirty:
            self._rebuild()
        return links or []

    def _link_chunk(self, chunk: list[tuple[str, str, Identifiers]], sigs: np.ndarray) -> int:
        hashes = band_hashes(sigs, bands=self.bands, rows=self.rows).tolist()
        for (ad_id, text, identifiers), sig, bh in zip(chunk, sigs, hashes, strict=True):
            self._add_signed(ad_id, sig, identifiers or {}, collect=False, hashes=bh, text=text)
        if self._dirty:
            self._rebuild()
        return len(chunk)

    def _add_signed(
        self,
        ad_id: str,
        sig: np.ndarray,
        identifiers: Identifiers,
        *,
        collect: bool,
        hashes: list[int] | None = None,
        text: str | None = None,
    ) -> list[Link] | None:
        if ad_id in self._index:
            raise ValueError(f"ad {ad_id!r} was already linked")
        idx = len(self._ids)
        self._ids.append(ad_id)
        self._index[ad_id] = idx
        self._uf.add()
        self._text_uf.add()
        self._id_uf.add()
        if idx >= len(self._sigs):
            grown = np.empty((len(self._sigs) * 2, NUM_PERM), dtype=np.uint32)
            grown[: len(self._sigs)] = self._sigs
            self._sigs = grown
        self._sigs[idx] = sig
        links: list[Link] | None = [] if collect else None
        shingles = text_shingles(text) if self.rarity and text is not None else _NO_SHINGLES
        self._shingles.append(shingles)
        self._area_of.append(_areas(identifiers))
        self._phoned.append(any(not is_toll_free(p) for p in identifiers.get("phone", ())))
        phones = [p for p in identifiers.get("phone", ()) if not is_toll_free(p)]
        for kind, values in identifiers.items():
            if kind in CONTEXT_KINDS:
                continue
            for value in values:
                if not links_by_itself(kind, value):
                    continue
                key = f"{kind}:{value}"
                if kind != "phone" and phones and self._printed_by_a_site(key, phones):
                    continue
                self._link_identifier(idx, kind, key, links)
        self._posters.append(self._poster_of(idx, identifiers))
        if not is_empty(sig):
            if hashes is None:
                hashes = band_hashes(sig, bands=self.bands, rows=self.rows)[0].tolist()
            self._link_text(idx, sig, hashes, links)
        if len(shingles):
            self.frequency.add(shingles, self._posters[idx])
        return links

    def _printed_by_a_site(self, key: str, phones: list[str]) -> bool:
        """Count the phones of the ads printing a non-phone key; past SITE_PHONES_LIMIT the key
        is a site's: declared common (its links dropped at the next rebuild, as for a key in
        too many ads)."""
        seen = self._key_phones.setdefault(key, set())
        if len(seen) > SITE_PHONES_LIMIT:
            return True
        seen.update(phones)
        if len(seen) <= SITE_PHONES_LIMIT:
            return False
        kid = self._key_id.get(key)
        if kid is None:
            kid = self._intern_key(key, -1)
        if kid not in self._common:
            self._common.add(kid)
            self._dirty = True
            logger.info(
                "key %s printed by ads of more than %d phones: a site's", key, SITE_PHONES_LIMIT
            )
        return True

    def _intern_key(self, key: str, first: int) -> int:
        kid = len(self._key_names)
        self._key_id[key] = kid
        self._key_names.append(key)
        self._key_first.append(first)
        self._key_count.append(0 if first < 0 else 1)
        return kid

    def _link_identifier(self, idx: int, kind: str, key: str, links: list[Link] | None) -> None:
        kid = self._key_id.get(key)
        if kid is None:
            self._intern_key(key, idx)
            return
        self._key_count[kid] += 1
        if kid in self._common:
            return
        if self._key_count[kid] > self.common_key_limit:
            self._common.add(kid)
            self._dirty = True
            logger.warning(
                "key %s seen in more than %d ads: treated as common, links through it dropped",
                key,
                self.common_key_limit,
            )
            return
        other = self._key_first[kid]
        code = self._kind_code.get(kind)
        if code is None:
            code = self._kind_code[kind] = len(self._kinds)
            self._kinds.append(kind)
        self._record(other, idx, code, kid, 1.0)
        self._uf.union(other, idx)
        self._id_union(other, idx)
        if links is not None:
            links.append(Link(self._ids[other], self._ids[idx], kind, key, 1.0))

    def _id_union(self, a: int, b: int) -> None:
        id_uf = self._id_uf
        ra, rb = id_uf.find(a), id_uf.find(b)
        if ra == rb:
            return
        first = min(self._id_first.pop(ra, ra), self._id_first.pop(rb, rb))
        root = id_uf.union(ra, rb)
        if first != root:
            self._id_first[root] = first

    def _poster_of(self, idx: int, identifiers: Identifiers) -> str | None:
        """Who posted the ad, for the shingle counts: its identifier component.

        Phones tied by shared identifiers (printed together, the same photos or e-mail) are one
        operator, not several unrelated posters: counted by phone, an agency's own template
        posted with four phones looked as common as a stock phrase and its text links were
        refused. The component is named by its first ad, which stays its name as ads join; two
        components that merge keep the counts each made (an overcount: fewer links, not more).
        An ad with no phone and no identifier shared yet counts by its region, or not at all.
        Limit: until a key is found common (a hotline in more than `common_key_limit` ads) it
        ties the components of the ads carrying it, as it ties their networks; counts made in
        that time treat those posters as one (an undercount), and stay after the repair.
        """
        base = poster_key(identifiers.get("phone", ()), identifiers.get("region", ()))
        root = self._id_uf.find(idx)
        if (base is not None and base.startswith("phone:")) or self._id_uf.size_of(root) > 1:
            return f"poster:{self._id_first.get(root, root)}"
        return base

    def _link_text(
        self, idx: int, sig: np.ndarray, hashes: list[int], links: list[Link] | None
    ) -> None:
        buckets = self._buckets
        cap = self.bucket_cap
        found: dict[int, int] = {}
        for band, h in enumerate(hashes):
            members = buckets.get(h)
            if members is None:
                buckets[h] = idx
            elif type(members) is int:
                found.setdefault(members, band)
                buckets[h] = [members, idx]
            else:
                for m in members:
                    found.setdefault(m, band)
                if len(members) < cap:
                    members.append(idx)
        if not found:
            return
        cands = np.fromiter(found, dtype=np.int64, count=len(found))
        sims = np.count_nonzero(self._sigs[cands] == sig, axis=1) / NUM_PERM
        order = np.argsort(-sims, kind="stable")
        text_uf = self._text_uf
        for j in order.tolist():
            sim = float(sims[j])
            if sim < self.threshold:
                break
            other = int(cands[j])
            root_other = text_uf.find(other)
            root_self = text_uf.find(idx)
            if root_other == root_self:
                continue
            if self.rarity and not self._same_writer(idx, other):
                self.rejected_boilerplate += 1
                continue
            seed_other = self._seed.get(root_other, root_other)
            if seed_other != other and self._sim(idx, seed_other) < self.seed_threshold:
                continue
            if root_self != idx:
                # This ad already joined a cluster: bridging into a second one needs both
                # seeds close, or two templates would merge through one ambiguous ad.
                seed_self = self._seed.get(root_self, root_self)
                if self._sim(seed_self, seed_other) < self.seed_threshold:
                    continue
            band = found[other]
            self._record(other, idx, 0, -(band + 1), sim)
            seed_keep = seed_other if root_self == idx else self._seed.get(root_self, root_self)
            if root_self != idx and text_uf.size_of(root_other) > text_uf.size_of(root_self):
                seed_keep = seed_other
            new_root = text_uf.union(other, idx)
            self._seed.pop(root_other, None)
            self._seed.pop(root_self, None)
            if seed_keep != new_root:
                self._seed[new_root] = seed_keep
            self._uf.union(other, idx)
            if links is not None:
                key = f"b{band:02d}:{hashes[band]:016x}"
                links.append(Link(self._ids[other], self._ids[idx], TEXT, key, sim))

    def recheck_text_links(self) -> int:
        """Drop the text links the current shingle counts no longer justify; returns how many."""
        if not self.rarity:
            return 0
        dropped = 0
        for pos, (a, b, kind) in enumerate(zip(self._la, self._lb, self._lkind, strict=True)):
            if kind != 0 or pos in self._dropped:
                continue
            counted = len({p for p in (self._posters[a], self._posters[b]) if p is not None})
            if not self._same_writer(b, a, counted=counted):
                self._dropped.add(pos)
                dropped += 1
        if dropped:
            self._rebuild(text=True)
            logger.info("text links rechecked: %d dropped as boilerplate", dropped)
        return dropped

    def _same_writer(self, idx: int, other: int, *, counted: int | None = None) -> bool:
        """Rare shared content; or content few posters use and the same area code or region."""
        mine, theirs = self._shingles[idx], self._shingles[other]
        if not len(mine) or not len(theirs):
            # No shingles kept (signature given without text): the estimate decides alone.
            return True
        shared = shared_content(
            mine,
            theirs,
            self.frequency,
            rare=self.rare_posters,
            uncommon=self.uncommon_posters,
            counted_pair=int(self._posters[other] is not None) if counted is None else counted,
        )
        # Phones tie ads into one identifier component: both printing phones in two components
        # means no phone (nor e-mail, handle...) in common.
        distinct = bool(
            self._phoned[idx]
            and self._phoned[other]
            and self._id_uf.find(idx) != self._id_uf.find(other)
        )
        return writes_alike(
            shared,
            corroborated=bool(self._area_of[idx] & self._area_of[other]),
            min_rare=self.min_rare_shingles,
            rare_jaccard=self.rare_jaccard,
            distinct_phones=distinct,
            similarity=self._sim(idx, other) if distinct else 1.0,
        )

    def _sim(self, a: int, b: int) -> float:
        return float(np.count_nonzero(self._sigs[a] == self._sigs[b])) / NUM_PERM

    def _record(self, a: int, b: int, kind: int, key: int, sim: float) -> None:
        self._la.append(a)
        self._lb.append(b)
        self._lkind.append(kind)
        self._lkey.append(key)
        self._lsim.append(sim)

    def _rebuild(self, *, text: bool = False) -> None:
        """Recompute the networks without links through keys that turned out to be common (and
        the text clusters too after a recheck, each seeded by its first ad)."""
        uf = UnionFind(len(self._ids))
        text_uf = UnionFind(len(self._ids)) if text else None
        self._id_uf = UnionFind(len(self._ids))
        self._id_first = {}
        common, dropped = self._common, self._dropped
        for pos, (a, b, key) in enumerate(zip(self._la, self._lb, self._lkey, strict=True)):
            if pos in dropped:
                continue
            if key < 0 or key not in common:
                uf.union(a, b)
            if key >= 0 and key not in common:
                self._id_union(a, b)
            if text_uf is not None and key < 0:
                text_uf.union(a, b)
        self._uf = uf
        if text_uf is not None:
            self._text_uf = text_uf
            self._seed = {}
            for root, members in text_uf.groups(2).items():
                if min(members) != root:
                    self._seed[root] = min(members)
        self._dirty = False
        logger.info("networks rebuilt without %d common keys", len(common))

    # -- reading ------------------------------------------------------------------------------
    def network_of(self, ad_id: str) -> list[str]:
        """Every ad in the same network as `ad_id` (itself included)."""
        root = self._uf.find(self._index[ad_id])
        return [self._ids[i] for i in range(len(self._ids)) if self._uf.find(i) == root]

    def same_network(self, a: str, b: str) -> bool:
        """True when the two ads are linked, directly or through others."""
        return self._uf.connected(self._index[a], self._index[b])

    def networks(self, min_size: int = 2) -> list[list[str]]:
        """Networks (all link kinds) of at least `min_size` ads, largest first."""
        return self._groups(self._uf, min_size)

    def text_clusters(self, min_size: int = 2) -> list[list[str]]:
        """Near-duplicate text clusters (text links only) of at least `min_size` ads."""
        return self._groups(self._text_uf, min_size)

    def network_labels(self) -> list[int]:
        """The network root of every ad, in the order the ads were added."""
        return self._uf.labels()

    def text_labels(self) -> list[int]:
        """The text-cluster root of every ad, in the order the ads were added."""
        return self._text_uf.labels()

    def _groups(self, uf: UnionFind, min_size: int) -> list[list[str]]:
        groups = uf.groups(min_size)
        return sorted(
            ([self._ids[i] for i in members] for members in groups.values()),
            key=len,
            reverse=True,
        )

    def common_keys(self) -> dict[str, int]:
        """Keys set aside as too common to link through, with how many ads carried them."""
        return {self._key_names[k]: self._key_count[k] for k in sorted(self._common)}

    def links(self, *, include_common: bool = False) -> Iterator[Link]:
        """Every link on record (those through common keys only when asked)."""
        for pos, (a, b, kind, key, sim) in enumerate(
            zip(self._la, self._lb, self._lkind, self._lkey, self._lsim, strict=True)
        ):
            if key >= 0 and key in self._common and not include_common:
                continue
            if pos in self._dropped:
                continue
            name = f"b{-key - 1:02d}" if key < 0 else self._key_names[key]
            yield Link(self._ids[a], self._ids[b], self._kinds[kind], name, round(sim, 4))

    def link_count(self) -> int:
        """How many links are on record (including those through common keys)."""
        return len(self._la)

    def signature(self, ad_id: str) -> np.ndarray:
        """The stored MinHash signature of an ad."""
        return self._sigs[self._index[ad_id]].copy()


_NO_SHINGLES = np.empty(0, dtype=np.uint32)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
