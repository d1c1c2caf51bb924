"""How many unrelated posters use each shingle: the weight that tells authorship from boilerplate.

Near-duplicate text alone says little: "sweet and sexy girl available now" or a block of
stock emoji is pasted by thousands of posters across a state, and two strangers whose ads are
mostly such phrases reach an estimated Jaccard of 0.5 as easily as two reposts of one writer.
What identifies a writer is shared content that few others use. So each shingle (the same word
3-shingles the MinHash signature is built on) carries a document frequency counted in distinct
posters, not ads: a poster reposting one text a hundred times does not make it common.

`ShingleFrequency` keeps that count incrementally in fixed memory: a count-min sketch of
distinct posters per shingle, each (shingle, poster) pair counted once thanks to a Bloom
filter. Both are numpy arrays updated in one vectorised step per ad; collisions can only make a
shingle look more common than it is (fewer text links, never more). A poster is the ad's phone
when it has one (its first, normalised), else its region; an ad with neither is not counted
(counting it as a poster of its own would make every reposted template common).

`shared_content` compares two ads' shingle sets under those counts: how many shingles they
share that at most `rare` posters use (and at most `uncommon`, the looser bar for ads that
something else corroborates), and what share of the union of their shingles those make.
Shingles made only of filler (one- or two-letter tokens, a
letter repeated: what is left of ASCII art and emoji runs after normalisation) never count as
content.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ads.extraction.payments import is_placeholder_payment
from analytics.linking.minhash import MIN_TOKENS, SHINGLE, normalise_tokens

__all__ = [
    "RARE_POSTERS",
    "TOLL_FREE",
    "UNCOMMON_POSTERS",
    "MIN_RARE_SHINGLES",
    "RARE_JACCARD",
    "SharedContent",
    "area_codes",
    "is_home_page",
    "links_by_itself",
    "is_toll_free",
    "ShingleFrequency",
    "poster_key",
    "shared_content",
    "text_shingles",
    "writes_alike",
    "DISTINCT_PHONES_SIMILARITY",
    "SITE_PHONES_LIMIT",
]

# A shingle used by at most this many distinct posters (the pair being compared included) is
# rare: an agency's template across its few phones, not a phrase of the whole market.
RARE_POSTERS = 2
# The looser bar for a pair corroborated by the same area code or region: a template a small
# agency posts with several phones in one area.
UNCOMMON_POSTERS = 4
# Rare shared content a text link needs: at least this many shingles, making at least this share
# of the union of the two ads' shingles. Chosen a priori (a sentence or two of a text of a few
# dozen words) and checked on real ads (docs/benchmarks.md), not tuned to individual ads.
MIN_RARE_SHINGLES = 6
RARE_JACCARD = 0.2
# Estimated Jaccard that a text link needs between two ads with different phones and no shared
# area code or region (see writes_alike).
DISTINCT_PHONES_SIMILARITY = 0.9
# An identifier other than a phone (a URL, e-mail, handle, payment identifier) that ads of more
# than this many different phones print is a site's (its home page, a job board's footer, a video
# site), not a poster's: it links nobody. The same bar as a text's uncommon content.
SITE_PHONES_LIMIT = UNCOMMON_POSTERS
# NANP toll-free numbers in ads are the sites' and directories' own lines (a review site prints
# its number on every page it builds about a poster), not a poster's phone: they never link.
TOLL_FREE = frozenset(f"+1{code}" for code in (800, 833, 844, 855, 866, 877, 888))
_P1 = np.uint64(0xFF51AFD7ED558CCD)
_P2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT32 = np.uint64(32)
_MASK32 = np.uint64(0xFFFFFFFF)
_SATURATE = np.uint16(60000)
_SALTS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xD6E8FEB86659FD93))


def _is_filler(token: str) -> bool:
    return len(token) <= 2 or len(set(token)) == 1


def text_shingles(text: str) -> np.ndarray:
    """The distinct content shingles of a text as sorted uint32 hashes (empty for short text).

    Same tokens and same shingle hash as the MinHash signature; shingles of filler tokens only
    are left out. A text shorter than MIN_TOKENS words has no shingles (it links by identifiers
    only, as its signature does).
    """
    tokens = normalise_tokens(text)
    if len(tokens) < max(MIN_TOKENS, SHINGLE):
        return np.empty(0, dtype=np.uint32)
    hashes = np.fromiter(
        (zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens)
    )
    filler = np.fromiter((_is_filler(t) for t in tokens), dtype=bool, count=len(tokens))
    sh = hashes[:-2] * _P1
    sh ^= hashes[1:-1] * _P2
    sh ^= hashes[2:]
    sh ^= sh >> _SHIFT32
    keep = ~(filler[:-2] & filler[1:-1] & filler[2:])
    return np.unique((sh[keep] & _MASK32).astype(np.uint32))


def is_home_page(url: str) -> bool:
    """A web address with no page on its site ("http://site.example", ".../"): the site's home
    page names a site (a directory, a job board, a video site, or an agency whose ads share
    more than this anyway), not a poster, so it never links ads by itself."""
    rest = url.partition("://")[2] or url
    path = rest.partition("/")[2]
    return not path.strip("/")


def links_by_itself(kind: str, value: str) -> bool:
    """Whether an identifier can tie ads on its own: not a site's or directory's toll-free line,
    not a site's home page, not an example or burn payment address. (A key that turns out to be
    common, or a site's by the phones that print it, is set aside later, by its counts.)"""
    if kind == "phone":
        return not is_toll_free(value)
    if kind == "url":
        return not is_home_page(value)
    if kind == "payment":
        return not is_placeholder_payment(value)
    return True


def is_toll_free(phone: str) -> bool:
    """True for a NANP toll-free number (E.164), which links nobody."""
    return phone[:5] in TOLL_FREE


def poster_key(phones: Iterable[str] = (), regions: Iterable[str] = ()) -> str | None:
    """Who posted, as far as the ad tells: its first phone (sorted), else its first region."""
    ordered = sorted(p for p in phones if p and not is_toll_free(p))
    if ordered:
        return f"phone:{ordered[0]}"
    places = sorted(r for r in regions if r)
    return f"region:{places[0]}" if places else None


def _poster_hash(poster: str) -> np.uint64:
    text = unicodedata.normalize("NFKC", poster)
    raw = zlib.crc32(text.encode("utf-8")) | (zlib.adler32(text.encode("utf-8")) << 32)
    return np.uint64(raw)


class Frequencies(Protocol):
    """Anything that tells how many distinct posters used each shingle."""

    def posters(self, shingles: np.ndarray) -> np.ndarray: ...


class ShingleFrequency:
    """Distinct posters per shingle, incremental, in fixed memory (count-min + Bloom filter)."""

    def __init__(self, *, bits: int = 22, bloom_bits: int = 27) -> None:
        self._size = 1 << bits
        self._mask = np.uint64(self._size - 1)
        self._counts = np.zeros((len(_SALTS), self._size), dtype=np.uint16)
        self._bloom_size = 1 << bloom_bits
        self._bloom = np.zeros(self._bloom_size // 8, dtype=np.uint8)
        self.posters_added = 0

    def _slots(self, shingles: np.ndarray) -> list[np.ndarray]:
        x = shingles.astype(np.uint64)
        out = []
        for salt in _SALTS:
            h = (x ^ salt) * _P1
            h ^= h >> _SHIFT32
            out.append((h & self._mask).astype(np.int64))
        return out

    def add(self, shingles: np.ndarray, poster: str | None) -> None:
        """Count `poster` once for each of the (distinct) shingles (nothing for no poster)."""
        if not len(shingles) or poster is None:
            return
        self.posters_added += 1
        pair = (shingles.astype(np.uint64) * _P2) ^ _poster_hash(poster)
        pair ^= pair >> _SHIFT32
        pair *= _P1
        pair ^= pair >> _SHIFT32
        bit = (pair % np.uint64(self._bloom_size)).astype(np.int64)
        byte, mask = bit >> 3, (np.uint8(1) << (bit & 7).astype(np.uint8))
        new = (self._bloom[byte] & mask) == 0
        if not new.any():
            return
        np.bitwise_or.at(self._bloom, byte[new], mask[new])
        fresh = shingles[new]
        for row, slots in enumerate(self._slots(fresh)):
            counts = self._counts[row]
            # Distinct shingles may share a slot: np.add.at counts each of them. Saturate
            # rather than wrap (only the touched slots are looked at: the table is large).
            np.add.at(counts, slots, 1)
            over = slots[counts[slots] > _SATURATE]
            counts[over] = _SATURATE

    def posters(self, shingles: np.ndarray) -> np.ndarray:
        """How many distinct posters used each shingle (an upper estimate), as int64."""
        if not len(shingles):
            return np.empty(0, dtype=np.int64)
        rows = [self._counts[r][s] for r, s in enumerate(self._slots(shingles))]
        return np.minimum.reduce(rows).astype(np.int64)


@dataclass(frozen=True)
class SharedContent:
    """What two ads share: shingles in all, those that are rare, and rare share of the union."""

    shared: int
    rare: int
    uncommon: int
    union: int

    @property
    def jaccard(self) -> float:
        """Jaccard of the two shingle sets."""
        return self.shared / self.union if self.union else 0.0

    @property
    def rare_jaccard(self) -> float:
        """Share of the union made of shingles both ads share and few posters use."""
        return self.rare / self.union if self.union else 0.0

    @property
    def uncommon_jaccard(self) -> float:
        """The same with the looser `uncommon` bar."""
        return self.uncommon / self.union if self.union else 0.0


def shared_content(
    a: np.ndarray,
    b: np.ndarray,
    frequency: Frequencies,
    *,
    rare: int = RARE_POSTERS,
    uncommon: int = UNCOMMON_POSTERS,
    counted_pair: int = 0,
) -> SharedContent:
    """Compare two sorted shingle arrays under `frequency`.

    `counted_pair` says how many of the two ads' posters `frequency` already holds (0, 1 or 2),
    so a shingle is rare when the posters beyond the pair number at most `rare` - 2.
    """
    common = np.intersect1d(a, b, assume_unique=True)
    union = len(a) + len(b) - len(common)
    if not len(common):
        return SharedContent(0, 0, 0, union)
    beyond = frequency.posters(common) - counted_pair
    return SharedContent(
        len(common),
        int(np.count_nonzero(beyond <= rare - 2)),
        int(np.count_nonzero(beyond <= uncommon - 2)),
        union,
    )


def writes_alike(
    shared: SharedContent,
    *,
    corroborated: bool,
    min_rare: int = MIN_RARE_SHINGLES,
    rare_jaccard: float = RARE_JACCARD,
    distinct_phones: bool = False,
    similarity: float = 1.0,
) -> bool:
    """The text-link rule: enough rare shared content, or as much uncommon content when the pair
    is corroborated (the same phone area code or region).

    Two ads that each print phones, none in common, with no area code or region in common, are
    two posters by every identifier they carry: text alone joins them only as a near-copy
    (`similarity` at least DISTINCT_PHONES_SIMILARITY). A site's page frame filled in for two
    posters (review or directory pages about each phone, in two cities) shares rare text that
    frequency cannot tell from one writer's, but it is never a near-copy once the phone, city and
    details differ.
    """
    if distinct_phones and not corroborated and similarity < DISTINCT_PHONES_SIMILARITY:
        return False
    if shared.rare >= min_rare and shared.rare_jaccard >= rare_jaccard:
        return True
    return corroborated and shared.uncommon >= min_rare and shared.uncommon_jaccard >= rare_jaccard


def area_codes(phones: Iterable[str]) -> frozenset[str]:
    """NANP area codes ("npa:+1NPA") of the phones, toll-free lines left out."""
    return frozenset(
        f"npa:{p[:5]}"
        for p in phones
        if p.startswith("+1") and len(p) >= 5 and p[:5] not in TOLL_FREE
    )
