"""What a cluster of near-duplicate ads has in common, and what the operator varied.

The most central text (highest mean token similarity to the others) is the reference. Every
other text is aligned to it token by token with difflib; reference tokens matched in at least
`shared_share` of the texts form shared spans, and each run of other tokens becomes a slot with
the values observed in its place (names, ages, cities, prices, phones). An investigator reads
one template with its slots instead of hundreds of ads.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from typing import TypedDict

__all__ = [
    "MAX_TEMPLATES",
    "NetworkTemplate",
    "Segment",
    "SlotRow",
    "TemplateAd",
    "TemplateView",
    "network_templates",
    "template_view",
]

_TOKEN = re.compile(r"\S+")
_PRICE = re.compile(r"\$\s?\d|\d+\s*(?:/hr|hh|roses|donations)|\b(?:hh|qv|roses)\b", re.I)
_AGE = re.compile(r"\b(?:1[89]|[2-5]\d)\s*(?:yo|y/o|yrs)\b|\bage\b", re.I)
_DIGITISH = re.compile(
    r"\d|\[dot\]|\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)", re.I
)


class Segment(TypedDict, total=False):
    """A shared span (`text`) or a variable slot (`values` with counts, `kind` guess)."""

    type: str
    text: str
    values: dict[str, int]
    kind: str
    more: int


class TemplateView(TypedDict):
    """The reference text, the shared/slot segments, and how much of it is shared."""

    size: int
    central_index: int
    central_text: str
    segments: list[Segment]
    shared_ratio: float


def _kind(values: list[str]) -> str:
    joined = " ".join(values)
    if not joined.strip():
        return "optional"
    if not any(ch.isalnum() for ch in joined):
        return "emoji_or_symbols"
    if _PRICE.search(joined):
        return "price"
    if _AGE.search(joined):
        return "age"
    if _DIGITISH.search(joined):
        return "number"
    if all(v[:1].isupper() for v in values if v):
        return "name_or_place"
    return "wording"


def template_view(
    texts: list[str], *, shared_share: float = 0.8, max_texts: int = 200
) -> TemplateView:
    """Shared text and variable slots of a cluster (the first `max_texts` texts are used)."""
    texts = [t for t in texts[:max_texts] if t.strip()]
    if not texts:
        return TemplateView(
            size=0, central_index=-1, central_text="", segments=[], shared_ratio=0.0
        )
    tokens = [_TOKEN.findall(t) for t in texts]
    lowered = [[tok.lower() for tok in toks] for toks in tokens]
    # Central text: highest mean similarity to a sample of the others (bounded cost).
    sample = list(range(min(len(texts), 30)))
    best, best_score = 0, -1.0
    for i in sample:
        sm = SequenceMatcher(autojunk=False)
        sm.set_seq2(lowered[i])
        score = 0.0
        for j in sample:
            if i != j:
                sm.set_seq1(lowered[j])
                score += sm.ratio()
        if score > best_score:
            best, best_score = i, score
    ref = lowered[best]
    n_ref = len(ref)
    matched = [0] * n_ref
    # gaps[k][t]: tokens of text t that stand between reference anchors k-1 and k.
    alignments: list[list[int | None]] = []
    for t, other in enumerate(lowered):
        amap: list[int | None] = [None] * n_ref
        if t == best:
            amap = list(range(n_ref))
        else:
            sm = SequenceMatcher(None, ref, other, autojunk=False)
            for block in sm.get_matching_blocks():
                for k in range(block.size):
                    amap[block.a + k] = block.b + k
        for k, pos in enumerate(amap):
            if pos is not None:
                matched[k] += 1
        alignments.append(amap)
    need = max(1, int(shared_share * len(texts) + 0.999))
    shared = [m >= need for m in matched]
    segments: list[Segment] = []
    k = 0
    ref_tokens = tokens[best]
    if n_ref and shared[0]:
        # Words some texts put before the first shared token (a greeting, an emoji).
        lead = [
            " ".join(tokens[t][: _anchor(amap, shared, 0, 1) or 0])
            for t, amap in enumerate(alignments)
        ]
        if any(lead):
            counts = Counter(lead)
            segments.append(
                Segment(type="slot", values=dict(counts.most_common()), kind=_kind(list(counts)))
            )
    while k <= n_ref:
        if k < n_ref and shared[k]:
            start = k
            while k < n_ref and shared[k]:
                k += 1
            segments.append(Segment(type="shared", text=" ".join(ref_tokens[start:k])))
            continue
        start = k
        while k < n_ref and not shared[k]:
            k += 1
        values = []
        for t, amap in enumerate(alignments):
            # The text between the last shared anchor before the slot and the first after it.
            left = _anchor(amap, shared, start - 1, -1)
            right = _anchor(amap, shared, k, 1)
            lo = 0 if left is None else left + 1
            hi = len(tokens[t]) if right is None else right
            values.append(" ".join(tokens[t][lo:hi]))
        if any(values):
            counts = Counter(values)
            segments.append(
                Segment(type="slot", values=dict(counts.most_common()), kind=_kind(list(counts)))
            )
        if k >= n_ref:
            break
    return TemplateView(
        size=len(texts),
        central_index=best,
        central_text=texts[best],
        segments=segments,
        shared_ratio=sum(shared) / n_ref if n_ref else 0.0,
    )


def _anchor(amap: list[int | None], shared: list[bool], k: int, step: int) -> int | None:
    """Position in the other text of the nearest shared reference token from k onwards."""
    while 0 <= k < len(amap):
        if shared[k] and amap[k] is not None:
            return amap[k]
        k += step
    return None


# --- a network's templates, with the slot values of each ad -----------------------------------
MAX_TEMPLATES = 8  # the largest near-duplicate groups of a network that are recorded
SLOT_ROWS = 200  # ads listed per template with their slot values


class TemplateAd(TypedDict):
    """What one member ad contributes: its text (may be empty) and its extracted slot values."""

    ad_id: int
    text: str
    names: list[str]
    ages: list[int]
    phones: list[str]
    city: str


class SlotRow(TypedDict):
    """The parts of one ad that its template leaves open: who, how old, which phone, where."""

    ad_id: int
    names: list[str]
    ages: list[int]
    phones: list[str]
    city: str


class NetworkTemplate(TypedDict):
    """One text a network posts again and again: its fixed part and each ad's slot values."""

    ads: int
    segments: list[Segment]
    shared_ratio: float
    phones: list[str]
    names: list[str]
    cities: list[str]
    rows: list[SlotRow]
    lead: str


def _ordered_union(values: list[list[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in values:
        for v in row:
            seen.setdefault(v, None)
    return list(seen)


SLOT_VALUES = 5  # values kept per slot of a recorded template (most frequent first)


def _shorten(segment: Segment) -> Segment:
    """A slot keeps its most frequent values and the count of the others (`more`)."""
    values = segment.get("values")
    if segment.get("type") != "slot" or not values or len(values) <= SLOT_VALUES:
        return segment
    top = sorted(values.items(), key=lambda kv: -kv[1])
    return Segment(
        type="slot",
        values=dict(top[:SLOT_VALUES]),
        kind=segment.get("kind", ""),
        more=len(top) - SLOT_VALUES,
    )


def network_templates(
    ads: list[TemplateAd], group_of: dict[int, int], *, max_texts: int = 20
) -> list[NetworkTemplate]:
    """The network's templates: each near-duplicate group of two ads or more (`group_of` maps an
    ad to its group, e.g. its text-link component), largest first, with the fixed text aligned
    from up to `max_texts` of its texts and the slot values (names, ages, phones, city) of every
    ad as extraction found them. A template posted with two phones or more says so in `lead`:
    one text behind several phones is one writer behind them, the pattern worth a look."""
    groups: dict[int, list[TemplateAd]] = {}
    for ad in ads:
        key = group_of.get(ad["ad_id"])
        if key is not None:
            groups.setdefault(key, []).append(ad)
    ordered = sorted(
        (members for members in groups.values() if len(members) >= 2),
        key=lambda members: (-len(members), members[0]["ad_id"]),
    )[:MAX_TEMPLATES]
    out: list[NetworkTemplate] = []
    for members in ordered:
        view = template_view([m["text"] for m in members if m["text"]], max_texts=max_texts)
        phones = _ordered_union([m["phones"] for m in members])
        lead = ""
        if len(phones) >= 2:
            lead = (
                f"one text posted with {len(phones)} phones across {len(members)} ads: "
                "one writer behind several phones"
            )
        out.append(
            NetworkTemplate(
                ads=len(members),
                segments=[_shorten(seg) for seg in view["segments"]],
                shared_ratio=round(view["shared_ratio"], 3),
                phones=phones,
                names=_ordered_union([m["names"] for m in members]),
                cities=_ordered_union([[m["city"]] for m in members if m["city"]]),
                rows=[
                    SlotRow(
                        ad_id=m["ad_id"],
                        names=list(m["names"]),
                        ages=list(m["ages"]),
                        phones=list(m["phones"]),
                        city=m["city"],
                    )
                    for m in members[:SLOT_ROWS]
                ],
                lead=lead,
            )
        )
    return out
