"""MinHash signatures and LSH band keys for near-duplicate ad text.

Templates are matched on what the operator does not change between posts, so the text is
normalised before shingling: NFKC (full-width digits become ASCII), lowercase, zero-width
characters removed, and every token holding a digit (phones, prices, ages, "24/7"), every run of
number words ("sevenfivefive", "twenty one"), price and age units ("hh", "roses", "yo") and
every emoji or symbol dropped. What is left is
cut into word 3-shingles.

Hashing is vectorised numpy rather than datasketch's per-shingle Python loop (about 30x faster
here): each token is hashed with CRC-32 (stable across processes and releases, unlike `hash()`),
shingles combine their token hashes, and the 128 MinHash permutations are multiply-add-shift
hashes `(a*x + b) >> 32` with fixed odd 64-bit `a` from a seeded generator, so signatures stored
in the database stay comparable across runs. The Jaccard estimate is the share of equal slots.

LSH: the signature is cut into `bands` bands of `rows` rows; ads whose band values are equal in
at least one band become candidates and are then verified against `threshold`. Each band value
is folded into a 64-bit integer (`band_hashes`) for in-memory indexes, or a compact string
`"b03:9f1c2a..."` (`band_keys`) for an indexed database column. Defaults were chosen by
measurement against the synthetic generator's templates: see docs/bench-linking.md.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

__all__ = [
    "BANDS",
    "EMPTY_SIGNATURE",
    "MIN_TOKENS",
    "NUM_PERM",
    "ROWS",
    "SHINGLE",
    "THRESHOLD",
    "band_hashes",
    "band_keys",
    "estimate_similarity",
    "is_empty",
    "normalise_tokens",
    "text_signature",
    "text_signatures",
]

NUM_PERM = 128
SHINGLE = 3
# Chosen from the sweep in bench/linking.py on 30,000 synthetic ads (docs/bench-linking.md):
# 32 bands of 4 rows verified at 0.5 gave pairwise precision 0.998, recall 0.93, purity 0.987.
# 0.45 found a little more (recall 0.97) at lower purity (0.973); a false link ties a stranger
# to a network, so the margin goes to precision.
BANDS = 32
ROWS = 4
THRESHOLD = 0.5
# Texts with fewer words than this link through identifiers only: "call me now" or a two-line
# listing shares most of its shingles with strangers by coincidence, not by authorship.
MIN_TOKENS = 8
_SEED = 20210419  # fixed: changing it invalidates every stored signature

_rng = np.random.default_rng(_SEED)
_A = (_rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_BAND_SALT = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_FNV = np.uint64(0x100000001B3)
_SHIFT32 = np.uint64(32)
_MASK32 = np.uint64(0xFFFFFFFF)
_P1 = np.uint64(0xFF51AFD7ED558CCD)
_P2 = np.uint64(0xC4CEB9FE1A85EC53)
MAX_HASH = np.uint32(0xFFFFFFFF)
EMPTY_SIGNATURE = np.full(NUM_PERM, MAX_HASH, dtype=np.uint32)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_LETTERS = re.compile(r"[^\W\d_]+")
_NUMBER_WORDS = re.compile(
    r"^(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"hundred)+$"
)
# Units that travel with prices and ages ("$200 hh", "22 y/o"): the number is dropped, so the
# unit must go too or two posts of one template differ by how the price was written.
_UNITS = frozenset(["hh", "hr", "hrs", "h", "qv", "roses", "donations", "yo", "yrs", "y", "o", "k"])
_token_cache: dict[str, int] = {}
_TOKEN_CACHE_MAX = 500_000


def normalise_tokens(text: str) -> list[str]:
    """The words a template keeps between posts: no digits, number words, emoji or symbols."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).lower()
    out: list[str] = []
    for raw in text.split():
        if any(ch.isdigit() for ch in raw):
            continue
        for word in _LETTERS.findall(raw):
            if word not in _UNITS and not _NUMBER_WORDS.match(word):
                out.append(word)
    return out


def _token_hashes(tokens: list[str]) -> list[int]:
    cache = _token_cache
    out = []
    for tok in tokens:
        h = cache.get(tok)
        if h is None:
            h = zlib.crc32(tok.encode("utf-8"))
            if len(cache) < _TOKEN_CACHE_MAX:
                cache[tok] = h
        out.append(h)
    return out


def text_signatures(texts: list[str], *, chunk: int = 1000) -> np.ndarray:
    """MinHash signatures of many texts, shape (len(texts), NUM_PERM), dtype uint32.

    A text with fewer than MIN_TOKENS words left after normalisation gets `EMPTY_SIGNATURE`
    (all 0xFFFFFFFF),
    which `band_hashes`/`band_keys` and `estimate_similarity` treat as matching nothing.
    """
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    for lo in range(0, len(texts), chunk):
        out[lo : lo + chunk] = _signatures_chunk(texts[lo : lo + chunk])
    return out


def _signatures_chunk(texts: list[str]) -> np.ndarray:
    flat: list[int] = []
    counts = np.empty(len(texts), dtype=np.int64)
    empty = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        hashes = _token_hashes(normalise_tokens(text))
        if len(hashes) < MIN_TOKENS:
            empty[i] = True
            hashes = [0]
        if len(hashes) < SHINGLE:  # a short text is one shingle of what it has
            hashes = hashes + [0] * (SHINGLE - len(hashes))
        counts[i] = len(hashes)
        flat.extend(hashes)
    tok = np.asarray(flat, dtype=np.uint64)
    # Shingle j covers tokens j..j+2; those crossing into the next text are dropped below.
    sh = tok[:-2] * _P1
    sh ^= tok[1:-1] * _P2
    sh ^= tok[2:]
    sh ^= sh >> _SHIFT32
    ends = np.cumsum(counts)
    starts = ends - counts
    n_sh = counts - (SHINGLE - 1)
    # Mark valid shingle starts with a difference array: +1 at each start, -1 after its last.
    marks = np.zeros(len(tok) + 1, dtype=np.int64)
    np.add.at(marks, starts, 1)
    np.add.at(marks, starts + n_sh, -1)
    keep = np.cumsum(marks[:-1]) > 0
    x = (sh[keep[: len(sh)]] & _MASK32)[:, None]
    vals = x * _A[None, :]
    vals += _B[None, :]
    vals >>= _SHIFT32
    offsets = np.concatenate(([0], np.cumsum(n_sh)[:-1]))
    sig = np.minimum.reduceat(vals, offsets, axis=0).astype(np.uint32)
    sig[empty] = MAX_HASH
    return sig


def text_signature(text: str) -> np.ndarray:
    """The MinHash signature of one text: NUM_PERM uint32 values (store as 512 bytes)."""
    return _signatures_chunk([text])[0]


def is_empty(signature: np.ndarray) -> bool:
    """True for the signature of a text with no words: it must link to nothing."""
    return bool(np.all(signature == MAX_HASH))


def band_hashes(signatures: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> np.ndarray:
    """64-bit hash of each LSH band, shape (n, bands) uint64; the band index is mixed in."""
    sigs = np.atleast_2d(signatures)
    if bands * rows > sigs.shape[1]:
        raise ValueError(f"{bands} bands x {rows} rows need more than {sigs.shape[1]} hashes")
    cut = sigs[:, : bands * rows].reshape(sigs.shape[0], bands, rows).astype(np.uint64)
    h = np.repeat(_BAND_SALT[None, :bands], sigs.shape[0], axis=0)
    for r in range(rows):
        h ^= cut[:, :, r]
        h *= _FNV
        h ^= h >> _SHIFT32
    h *= _MIX
    return h


def band_keys(signature: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> list[str]:
    """Compact LSH keys ("b03:9f1c2a4b5d6e7f80") for an indexed table; none for empty text."""
    if is_empty(signature):
        return []
    hashes = band_hashes(signature, bands=bands, rows=rows)[0]
    return [f"b{b:02d}:{int(h):016x}" for b, h in enumerate(hashes)]


def estimate_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0.0 if either is empty)."""
    if is_empty(sig_a) or is_empty(sig_b):
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
