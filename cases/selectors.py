"""Reads for the desk: the filtered queue, labels for training, the ad detail, search, similar ads.

Everything starts from a `visible_to` queryset; nothing here filters by role.
"""

from __future__ import annotations

import difflib
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncWeek
from django.utils import timezone

from ads.models import (
    POSTER_KINDS,
    Ad,
    AdImage,
    AdRevision,
    Entity,
    EntityKind,
    EntityOccurrence,
)
from analytics.models import AdEmbedding, AdNetwork, AdScore, Category
from core.csv_safety import neutralise_bidi
from core.filters import WINDOWS

from .filters import ORDERS, AdFilter, QueueItemFilter
from .models import Case, Decision, DecisionKind, ItemKind, QueueItem, QueueItemSource

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def queue_items_as_seen(
    *, user: User, items: list[QueueItem], filters: QueueItemFilter | None = None
) -> list[QueueItem]:
    """Queue rows as this user may see them (issue #19 H1).

    A network item's copied fields (size, places, risk, minor, indicators, title, reason,
    priority, last seen, lead ad) are computed by the queue stage over all the network's ads.
    When some of those ads come from sources the user may not see, the fields are composed here
    from the item's rows for the sources the user may see (`QueueItemSource`, each holding the
    figures of that source's ads alone, written by the queue stage with the item), in memory only
    (`QueueItem.save` refuses such a copy), and `hidden_count` says how many ads were left out.
    The figures are the stage's, so they change when the item does; which sources count is
    decided live. One query for the page, however many of its items are seen in part, and no
    member ad is read.

    With `filters` (the ones the rows were selected by), an item seen in part that matched only
    through its hidden ads (a place, an indicator) is left out, so a filter cannot be used to
    probe another unit's ads. The order, the window and the possible-minor filter already use
    the composed figures (`QueueItemQuerySet.with_seen_figures`).
    """
    from ads.models import Source

    from .stages import (
        _codes_text,
        network_item_places,
        network_item_reason,
        network_item_title,
        queue_priority,
    )

    network_items = [i for i in items if i.network_id]
    if not network_items:
        return items
    visible = set(Source.objects.visible_to(user).values_list("pk", flat=True))
    rows: dict[int, list[QueueItemSource]] = {}
    for row in QueueItemSource.objects.filter(item_id__in=[i.pk for i in network_items]):
        rows.setdefault(row.item_id, []).append(row)
    unscored: list[QueueItem] = []
    for item in network_items:
        parts = rows.get(item.pk, [])
        shown = [r for r in parts if r.source_id in visible]
        if len(shown) == len(parts):
            continue
        size = sum(r.size for r in shown)
        risks = [r.risk for r in shown if r.risk is not None]
        minors = [r.minor for r in shown if r.minor is not None]
        codes = _codes_text(c for r in shown for c in r.indicator_codes.split())
        places = network_item_places(sorted({c for r in shown for c in r.cities or []}))
        seen_times = [r.last_seen_at for r in shown if r.last_seen_at is not None]
        # The riskiest visible source's lead leads (ties: the smaller ad id).
        leads = sorted(
            (r for r in shown if r.lead_ad_id is not None),
            key=lambda r: (-(r.risk if r.risk is not None else -1.0), r.lead_ad_id),
        )
        item.size = size
        item.risk = max(risks) if risks else None
        item.minor = max(minors) if minors else None
        item.possible_minor = any(r.possible_minor for r in shown)
        item.indicator_codes = codes
        item.location = places[:300]
        item.title = network_item_title(size=size, places=places)
        item.reason = network_item_reason(size=size, risks=risks, codes=codes)
        item.priority = queue_priority(
            risk=item.risk, possible_minor=item.possible_minor, size=size
        )
        item.last_seen_at = max(seen_times) if seen_times else item.last_seen_at
        if leads:
            item.lead_ad_id = leads[0].lead_ad_id
        else:
            # No visible ad is scored: the stored lead, if it is one the user may see.
            unscored.append(item)
        item.hidden_count = sum(r.size for r in parts) - size
        item.seen_in_part = True
    if unscored:
        shown_leads = set(
            Ad.objects.visible_to(user)
            .filter(pk__in=[i.lead_ad_id for i in unscored if i.lead_ad_id])
            .values_list("pk", flat=True)
        )
        for item in unscored:
            item.lead_ad_id = item.lead_ad_id if item.lead_ad_id in shown_leads else None
    for item in network_items:
        if getattr(item, "seen_in_part", False):
            item.lead_ad_visible = item.lead_ad_id is not None
    if filters is None:
        return items
    return [i for i in items if not getattr(i, "seen_in_part", False) or _matches(i, filters)]


def _matches(item: QueueItem, filters: QueueItemFilter) -> bool:
    """The item's fields as seen still meet the filters that selected it."""
    chosen = filters.cleaned
    location, indicator = chosen.get("location") or "", chosen.get("indicator") or ""
    window = chosen.get("window") or ""
    if location and location.lower() not in item.location.lower():
        return False
    if indicator and f" {indicator} " not in item.indicator_codes:
        return False
    if chosen.get("possible_minor") and not item.possible_minor:
        return False
    return not (window in WINDOWS and item.last_seen_at < timezone.now() - WINDOWS[window])


def queue_rows_seen(items: list[QueueItem]) -> dict[str, list[int]]:
    """What queue rows show, for the audit trail: the items, and the ads whose own words a row
    quotes (a single-ad item's title; a network row shows figures only)."""
    return {
        "queue_item": [i.pk for i in items],
        "ad": [i.ad_id for i in items if i.ad_id],
    }


def queue_items(*, filters: QueueItemFilter) -> QuerySet[QueueItem]:
    """The user's queue: the filter's rows (visible to its user, or the rows it was given),
    filtered and ordered (priority, recency, size, due)."""
    # Rows show the item's own copied fields; joining the lead ad would fetch 50 ad bodies.
    return filters.qs.select_related("assignee")


def next_open_item(*, user: User) -> QueueItem | None:
    """The most urgent open item nobody holds: where to go after a decision."""
    return (
        QueueItem.objects.visible_to(user)
        .open()
        .filter(assignee__isnull=True)
        .with_seen_figures(user)
        .order_by(*ORDERS["priority"])
        .only("pk", "title")
        .first()
    )


QUEUE_TOTAL_LIMIT = 10_000


def queue_total(*, filters: QueueItemFilter) -> tuple[int, bool]:
    """How many items the filters choose, counted up to QUEUE_TOTAL_LIMIT (and whether more)."""
    found = QueueItem.objects.filter(
        pk__in=Subquery(filters.qs.values("pk")[: QUEUE_TOTAL_LIMIT + 1])
    ).count()
    return min(found, QUEUE_TOTAL_LIMIT), found > QUEUE_TOTAL_LIMIT


def queue_indicator_counts(*, filters: QueueItemFilter) -> Counter[str]:
    """How many items carry each indicator among those the other filters choose (the first
    QUEUE_TOTAL_LIMIT of them), so that the indicator list says what picking one leaves."""
    params = filters.data.copy()
    params.pop("indicator", None)
    others = QueueItemFilter(params, user=filters.user).qs.order_by()
    rows = others.values_list("indicator_codes", flat=True)[:QUEUE_TOTAL_LIMIT]
    return Counter(code for codes in rows for code in codes.split())


@dataclass
class HistoryLine:
    """One line of an item's history: an event, or a run of size changes folded into one."""

    at: Any
    actor: Any
    kind_display: str
    from_status: str
    to_status: str
    text: str


def item_history(item: QueueItem) -> list[HistoryLine]:
    """The item's events in order, with each run of pipeline size changes folded into one line
    ("Network grew from 12 to 19 ads (15 updates)") instead of one line per batch (issue #18).
    A network seen in part shows no size changes: they count ads the viewer may not see."""
    lines: list[HistoryLine] = []
    run: list[Any] = []

    def flush() -> None:
        if not run:
            return
        first, last = run[0].detail["from_size"], run[-1].detail["to_size"]
        verb = "grew" if last > first else "shrank" if last < first else "changed size"
        more = f" ({len(run)} updates)" if len(run) > 1 else ""
        ends = f" from {first} to {last} ads" if last != first else f", now {last} ads"
        lines.append(
            HistoryLine(
                run[-1].at,
                None,
                run[-1].get_kind_display(),
                run[-1].from_status,
                run[-1].to_status,
                f"Network {verb}{ends}{more}.",
            )
        )
        run.clear()

    for event in item.events.select_related("actor").order_by("at", "pk"):
        if "from_size" in (event.detail or {}):
            if not getattr(item, "seen_in_part", False):
                run.append(event)
            continue
        flush()
        lines.append(
            HistoryLine(
                event.at,
                event.actor,
                event.get_kind_display(),
                event.from_status,
                event.to_status,
                event.text,
            )
        )
    flush()
    return lines


class DecisionLabel(TypedDict):
    """One training example from a reviewer's decision."""

    ad_id: int
    text: str
    risk: bool | None
    minor: bool | None
    decision_id: int


# What each decision says about the two heads. "Not a lead" is a statement about trafficking risk,
# not about age, so it leaves the minor head unlabelled; "true lead" says nothing about age either.
_LABELS: dict[str, tuple[bool | None, bool | None]] = {
    DecisionKind.TRUE_LEAD: (True, None),
    DecisionKind.NOT_A_LEAD: (False, None),
    DecisionKind.POSSIBLE_MINOR_CONFIRMED: (True, True),
}


def decision_labels() -> list[DecisionLabel]:
    """Current decisions as labels; a network's decision labels every ad of the network.

    Only the decision an item currently carries counts: a reopened item's old label is dropped.
    """
    labels: list[DecisionLabel] = []
    current = Decision.objects.filter(
        pk__in=QueueItem.objects.filter(decision__isnull=False).values("decision_id")
    ).select_related("item")
    for decision in current.order_by("pk"):
        risk, minor = _LABELS[decision.decision]
        item = decision.item
        if item.kind == ItemKind.AD:
            ad_ids = Ad.objects.filter(pk=item.ad_id)
        else:
            ad_ids = Ad.objects.filter(network_membership__network_id=item.network_id)
        for ad in ad_ids.only("pk", "title", "body").order_by("pk").iterator(chunk_size=500):
            labels.append(
                DecisionLabel(
                    ad_id=ad.pk, text=ad.document, risk=risk, minor=minor, decision_id=decision.pk
                )
            )
    return labels


# --- the ad as captured, with highlights ---------------------------------------------------------
# Bidirectional controls can make hostile text read backwards (a phone "reversed" on screen);
# they are shown as visible markers instead of being obeyed: the one neutraliser of CSVs, PDFs
# and pages (core.csv_safety).
visible_controls = neutralise_bidi


@dataclass
class Segment:
    """A run of text with the marks (entities, indicators) that cover it."""

    text: str
    marks: list[dict[str, str]] = field(default_factory=list)

    @property
    def css(self) -> str:
        kinds = sorted({m["class"] for m in self.marks})
        return " ".join(kinds)

    @property
    def title(self) -> str:
        return "; ".join(m["label"] for m in self.marks)


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> list[Segment]:
    """Split text at span edges; each segment lists the (class, label) of every span over it."""
    clean = [
        (max(0, s), min(len(text), e), c, lab)
        for s, e, c, lab in spans
        if isinstance(s, int) and isinstance(e, int) and s < e and s < len(text)
    ]
    cuts = sorted({0, len(text), *[s for s, _, _, _ in clean], *[e for _, e, _, _ in clean]})
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start >= end:
            continue
        marks = [{"class": c, "label": lab} for s, e, c, lab in clean if s <= start and end <= e]
        out.append(Segment(visible_controls(text[start:end]), marks))
    return out


@dataclass
class DiffPart:
    """One piece of a revision diff: kept, added or removed text."""

    op: str
    text: str


def revision_diff(old: str, new: str) -> list[DiffPart]:
    """Word-level diff of two versions (whitespace kept), for the revision history."""
    a = re.findall(r"\s+|\S+", old)
    b = re.findall(r"\s+|\S+", new)
    parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(DiffPart("equal", visible_controls("".join(a[i1:i2]))))
            continue
        if i2 > i1:
            parts.append(DiffPart("delete", visible_controls("".join(a[i1:i2]))))
        if j2 > j1:
            parts.append(DiffPart("insert", visible_controls("".join(b[j1:j2]))))
    return parts


def _revision_document(rev: AdRevision) -> str:
    return f"{rev.title}\n{rev.body}" if rev.title else rev.body


@dataclass
class AdDetail:
    """Everything the ad page shows."""

    ad: Ad
    segments: list[Segment]
    score: AdScore | None
    indicators: list[dict[str, Any]]
    revisions: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    location: Any
    network: Any
    network_size: int
    queue_item: QueueItem | None
    similar: list[tuple[Ad, float]]
    similar_note: str
    images: list[AdImage] = field(default_factory=list)


def ad_detail(*, user: User, ad: Ad) -> AdDetail:
    """The ad as captured (plain text, escaped by the template), its history and its evidence."""
    from maps.models import AdLocation

    document = ad.document
    score = AdScore.objects.filter(ad_id=ad.pk).first()
    occurrences = list(
        EntityOccurrence.objects.filter(ad=ad).select_related("entity").order_by("start")
    )
    spans: list[tuple[int, int, str, str]] = [
        (
            o.start,
            o.end,
            f"ent ent-{o.entity.kind}",
            f"{o.entity.get_kind_display()}: {o.entity.value}",
        )
        for o in occurrences
        # An image's occurrence is an empty span: it has no place in the text to highlight; an
        # earlier revision's identifier points into that revision's text, not this one.
        if o.entity.kind != EntityKind.IMAGE and o.revision >= ad.revision_count
    ]
    indicators = list(score.indicators or []) if score else []
    for ind in indicators:
        span = ind.get("span")
        if isinstance(span, list | tuple) and len(span) == 2:
            spans.append(
                (span[0], span[1], "ind", f"Indicator: {ind.get('label') or ind.get('code')}")
            )
    revisions = list(ad.revisions.select_related("evidence").order_by("number"))
    history: list[dict[str, Any]] = []
    for index, rev in enumerate(revisions):
        previous = _revision_document(revisions[index - 1]) if index else ""
        history.append(
            {
                "revision": rev,
                "diff": revision_diff(previous, _revision_document(rev)) if index else None,
            }
        )
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    for o in occurrences:
        key = (o.entity.kind, o.entity.value)
        row = entities.setdefault(key, {"entity": o.entity, "count": 0, "revision": o.revision})
        row["count"] += 1
        row["revision"] = max(row["revision"], o.revision)
    for row in entities.values():
        # Only in an earlier revision: the page says which, since the text shown no longer has it.
        row["earlier"] = row["revision"] if row["revision"] < ad.revision_count else None
    membership = AdNetwork.objects.filter(ad_id=ad.pk).select_related("network").first()
    network = membership.network if membership else None
    if network is not None:
        # Its size and cities as this user may see them: from the visible members only.
        from analytics.selectors import networks_as_seen

        networks_as_seen(user=user, networks=[network])
    network_size = 0
    if network is not None:
        network_size = (
            network.size
            if network.hidden_count
            else AdNetwork.objects.filter(network=network).count()
        )
    # The item that reviews this ad: its network's when it has one, else its own.
    target = Q(network_id=network.pk) if network else Q(ad_id=ad.pk)
    item = QueueItem.objects.visible_to(user).filter(target).select_related("assignee").first()
    similar, note = more_like_this(user=user, ad=ad)
    return AdDetail(
        ad=ad,
        segments=highlight(document, spans),
        score=score,
        indicators=indicators,
        revisions=history,
        entities=list(entities.values()),
        location=AdLocation.objects.filter(ad_id=ad.pk).first(),
        network=network,
        network_size=network_size,
        queue_item=item,
        similar=similar,
        similar_note=note,
        images=list(AdImage.objects.visible_to(user).filter(ad=ad).select_related("evidence")),
    )


SIMILAR_CANDIDATES = 5000
SIMILAR_CACHE_SECONDS = 60.0


@dataclass
class _Candidates:
    """Unit-normalised embeddings of the newest visible ads, kept briefly in this process."""

    ids: np.ndarray
    matrix: np.ndarray
    loaded_at: float


# (encoder, visible source ids) -> candidates. Bounded by the number of distinct visibility sets
# (units), each about 7.5 MB at 5,000 x 384 floats.
_candidate_cache: dict[tuple[str, tuple[int, ...] | None], _Candidates] = {}


def _candidates(user: User, encoder: str) -> _Candidates:
    from ads.models import Source

    sources = (
        None
        if user.is_platform_admin
        else tuple(sorted(Source.objects.visible_to(user).values_list("pk", flat=True)))
    )
    key = (encoder, sources)
    cached = _candidate_cache.get(key)
    if cached is not None and time.monotonic() - cached.loaded_at < SIMILAR_CACHE_SECONDS:
        return cached
    rows = list(
        AdEmbedding.objects.filter(encoder=encoder, ad__in=Ad.objects.visible_to(user))
        .order_by("-ad_id")
        .values_list("ad_id", "vector")[:SIMILAR_CANDIDATES]
    )
    if rows:
        matrix = np.frombuffer(b"".join(bytes(v) for _, v in rows), dtype=np.float32)
        matrix = matrix.reshape(len(rows), -1)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = matrix / np.where(norms == 0, 1.0, norms)
    else:
        matrix = np.zeros((0, 0), dtype=np.float32)
    fresh = _Candidates(np.array([r[0] for r in rows], dtype=np.int64), matrix, time.monotonic())
    _candidate_cache[key] = fresh
    return fresh


def more_like_this(*, user: User, ad: Ad, limit: int = 8) -> tuple[list[tuple[Ad, float]], str]:
    """Nearest visible ads by embedding cosine, brute force over a bounded candidate set.

    Candidates: the SIMILAR_CANDIDATES most recently captured visible ads that have an embedding
    from the same encoder, held for SIMILAR_CACHE_SECONDS per visibility set. Exact within that
    set; older ads are not considered (the page says so). The winners are re-read through
    `Ad.objects.visible_to`, so a cached candidate never shows an ad the user may no longer see.
    """
    own = AdEmbedding.objects.filter(ad_id=ad.pk).first()
    if own is None:
        return [], "No embedding for this ad yet (the scoring stage writes it)."
    query = np.frombuffer(bytes(own.vector), dtype=np.float32)
    found = _candidates(user, own.encoder)
    count = max(0, len(found.ids) - int(np.any(found.ids == ad.pk)))
    note = (
        f"Compared with the {count} most recent ads you may see that the language model has read "
        f"(at most {SIMILAR_CANDIDATES:,}, refreshed every {SIMILAR_CACHE_SECONDS:.0f} s); "
        "older ads are not compared."
    )
    if not len(found.ids):
        return [], note
    if found.matrix.shape[1] != query.shape[0]:
        return [], "Embeddings of different sizes; cannot compare."
    sims = found.matrix @ (query / (np.linalg.norm(query) or 1.0))
    sims[found.ids == ad.pk] = -np.inf
    best = [i for i in np.argsort(-sims)[: limit + 1] if np.isfinite(sims[i])][:limit]
    ads = Ad.objects.visible_to(user).in_bulk([int(found.ids[i]) for i in best])
    return [
        (ads[int(found.ids[i])], float(sims[i])) for i in best if int(found.ids[i]) in ads
    ], note


# --- search ---------------------------------------------------------------------------------------
FTS_EXPRESSION = (
    "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))"
)


@dataclass
class SearchResult:
    """The ads found and how the query was read."""

    ads: QuerySet[Ad]
    phone: str | None
    mode: str
    payment: str | None = None


def search_ads(*, user: User, query: str, filters: AdFilter | None = None) -> SearchResult:
    """Full-text search (PostgreSQL tsvector with a GIN index; icontains on SQLite), or a phone,
    within the ads the filters choose; with filters and no words, those ads.

    A query that reads as one phone number in any format the extractor reads is normalised to
    E.164 and matched against extracted phone entities, so "(702) 555-0134", "702.555.0134",
    "+17025550134" and "seven oh two 555 zero one three four" find the same. A payment
    identifier ("$name", "venmo:name", a bitcoin or ethereum address) is matched against the
    stored payment entities the same way.
    """
    from ads.extraction import read_phone
    from ads.extraction.payments import normalise_payment

    filters = filters if filters is not None else AdFilter(user=user)
    ads = filters.qs
    query = query.strip()[:200]
    payment = normalise_payment(query) if query else None
    phone = read_phone(query) if query and payment is None else None
    if payment:
        ads = ads.filter(
            pk__in=EntityOccurrence.objects.filter(
                entity__kind=EntityKind.PAYMENT, entity__value=payment
            ).values("ad_id")
        )
        mode = "payment"
    elif phone:
        ads = ads.filter(
            pk__in=EntityOccurrence.objects.filter(
                entity__kind=EntityKind.PHONE, entity__value=phone
            ).values("ad_id")
        )
        mode = "phone"
    elif not query:
        # No words: the ads the filters choose (a pivot from an ad page, a facet), or none.
        mode = "filtered" if filters.as_detail() else "empty"
        ads = ads if mode == "filtered" else ads.none()
    elif connection.vendor == "postgresql":
        # The expression matches the GIN index created by the cases migration, so it is used.
        # The query is a bound parameter; the SQL text is a constant.
        match = RawSQL(  # noqa: S611
            f"{FTS_EXPRESSION} @@ websearch_to_tsquery('english'::regconfig, %s)",
            [query],
            output_field=BooleanField(),
        )
        ads = ads.filter(match)
        mode = "fulltext"
    else:
        for word in query.split()[:8]:
            ads = ads.filter(Q(title__icontains=word) | Q(body__icontains=word))
        mode = "contains"
    return SearchResult(
        ads=ads.select_related("source", "score", "network_membership").order_by(
            "-posted_at", "-pk"
        ),
        phone=phone,
        mode=mode,
        payment=payment,
    )


@dataclass
class SearchRow:
    """One search result as the page shows it: the ad, where its text matched, its reposts."""

    ad: Ad
    risk: float | None
    network_id: int | None
    snippet: list[tuple[str, bool]]  # (text, is the match), escaped by the template
    reposts: int = 0


SNIPPET_BEFORE, SNIPPET_AFTER = 60, 140


def _snippet(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """A short stretch of `text` around the first place any of `words` occurs, the matched words
    marked; the opening of the text when none occurs."""
    text = " ".join(text.split())
    if not text:
        return []
    found = None
    if words:
        pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        found = pattern.search(text)
    if found is None:
        cut = text[: SNIPPET_BEFORE + SNIPPET_AFTER]
        return [(cut + ("…" if len(text) > len(cut) else ""), False)]
    start = max(0, found.start() - SNIPPET_BEFORE)
    end = min(len(text), found.end() + SNIPPET_AFTER)
    window = text[start:end]
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    at = 0
    for match in pattern.finditer(window):
        if match.start() > at:
            parts.append((window[at : match.start()], False))
        parts.append((match.group(0), True))
        at = match.end()
    parts.append((window[at:] + ("…" if end < len(text) else ""), False))
    return parts


def search_rows(ads: list[Ad], *, query: str, mode: str, group: bool = True) -> list[SearchRow]:
    """The page's ads with risk, network and snippet; an ad whose title and text are the same as
    an earlier row's (a repost: the URL and date differ) is folded into that row as a count."""
    words = [w for w in query.split()[:8] if len(w) > 1] if mode in ("fulltext", "contains") else []
    rows: list[SearchRow] = []
    by_text: dict[tuple[str, str], SearchRow] = {}
    for ad in ads:
        key = (ad.title, ad.body)
        first = by_text.get(key) if group and any(key) else None
        if first is not None:
            first.reposts += 1
            continue
        score = getattr(ad, "score", None)
        membership = getattr(ad, "network_membership", None)
        row = SearchRow(
            ad=ad,
            risk=score.risk if score is not None else None,
            network_id=membership.network_id if membership is not None else None,
            snippet=_snippet(ad.body or ad.title, words),
        )
        rows.append(row)
        if any(key):
            by_text[key] = row
    return rows


def searched_identifier(*, user: User, result: SearchResult) -> Entity | None:
    """The phone or payment identifier a search read, when the user may see it: its profile."""
    if result.mode == "phone":
        kind, value = EntityKind.PHONE, result.phone
    elif result.mode == "payment":
        kind, value = EntityKind.PAYMENT, result.payment
    else:
        return None
    return Entity.objects.visible_to(user).filter(kind=kind, value=value).first()


# Facets and the total are counted over at most this many of the newest matches (the page says
# so when it is reached): a word that matches half a million ads still answers in milliseconds.
FACET_LIMIT = 2000
TOTAL_LIMIT = 10_000


@dataclass
class Facet:
    """Counts of the matches by one field: (filter value, label, count), largest first."""

    param: str
    title: str
    rows: list[tuple[str, str, int]]


@dataclass
class SearchFacets:
    """The total of the matches (up to TOTAL_LIMIT) and their facets."""

    total: int
    total_capped: bool
    sample: int
    sample_capped: bool
    facets: list[Facet]


def search_facets(ads: QuerySet[Ad], *, top: int = 8) -> SearchFacets:
    """How many ads matched, and how the newest FACET_LIMIT of them split by source, category,
    place and flag; each value is the one the ads' FilterSet (AdFilter) takes for it."""
    total = Ad.objects.filter(pk__in=Subquery(ads.values("pk")[: TOTAL_LIMIT + 1])).count()
    sample = Ad.objects.filter(pk__in=Subquery(ads.values("pk")[:FACET_LIMIT]))
    counted = min(total, FACET_LIMIT)

    def count_by(*fields: str) -> list[dict[str, Any]]:
        return list(sample.values(*fields).annotate(n=Count("pk")).order_by("-n", *fields)[:top])

    categories = dict(Category.choices)
    facets = [
        Facet(
            "source",
            "Source",
            [
                (str(r["source_id"]), r["source__name"], r["n"])
                for r in count_by("source_id", "source__name")
            ],
        ),
        Facet(
            "category",
            "Category",
            [
                (
                    r["score__category"],
                    categories.get(r["score__category"], r["score__category"]),
                    r["n"],
                )
                for r in count_by("score__category")
                if r["score__category"]
            ],
        ),
        Facet(
            "place",
            "Place",
            [
                (r["location__name"], r["location__name"], r["n"])
                for r in count_by("location__name")
                if r["location__name"]
            ],
        ),
        Facet(
            "flagged",
            "Flagged",
            [
                (
                    "true" if r["score__flagged"] else "false",
                    "flagged" if r["score__flagged"] else "not flagged",
                    r["n"],
                )
                for r in count_by("score__flagged")
                if r["score__flagged"] is not None
            ],
        ),
        Facet(
            "week",
            "Week posted",
            [
                (
                    r["week"].date().isoformat(),
                    f"week of {r['week']:%-d %b %Y}",
                    r["n"],
                )
                for r in sample.filter(posted_at__isnull=False)
                .annotate(week=TruncWeek("posted_at", tzinfo=UTC))
                .values("week")
                .annotate(n=Count("pk"))
                .order_by("-week")[:top]
            ],
        ),
    ]
    return SearchFacets(
        total=min(total, TOTAL_LIMIT),
        total_capped=total > TOTAL_LIMIT,
        sample=counted,
        sample_capped=total > FACET_LIMIT,
        facets=[f for f in facets if f.rows],
    )


def related_open_cases(*, user: User, item: QueueItem, limit: int = 10) -> list[Case]:
    """Open cases the user may see that already hold the item's ad, its network or the poster
    identifiers of its ad: offered before a "true lead" opens yet another case."""
    ad_ids = [pk for pk in (item.ad_id or item.lead_ad_id,) if pk]
    entity_ids = list(
        EntityOccurrence.objects.current()
        .filter(ad_id__in=ad_ids, entity__kind__in=list(POSTER_KINDS))
        .values_list("entity_id", flat=True)[:200]
    )
    return list(
        Case.objects.visible_to(user)
        .open()
        .holding(
            ads=ad_ids,
            networks=[item.network_id] if item.network_id else [],
            entities=entity_ids,
        )
        .order_by("-updated_at")[:limit]
    )
