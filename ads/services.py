"""Writes for ads: ingestion as evidence (one service for files, the API and connectors)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import pipeline
from .models import Ad, AdRevision, Evidence, PipelineStatus, Source
from .readers import ParsedRow
from .records import AdRecord, RejectedRecord

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000


@dataclass
class IngestSummary:
    """What a batch did, row by row where it matters: the answer to every way in."""

    new: int = 0
    revised: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    ad_ids: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.new + self.revised + self.unchanged

    def to_json(self, *, with_ids: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "new": self.new, "new_revisions": self.revised, "unchanged": self.unchanged,
            "rejected": len(self.rejected), "rejected_rows": self.rejected, "warnings": self.warnings,
        }
        if with_ids:
            data["ad_ids"] = self.ad_ids
        return data


def content_hash(record: AdRecord) -> str:
    """What makes two captures the same version of an ad (the capture bytes may differ)."""
    parts = (record.title, record.body, record.url,
             record.posted_at.isoformat() if record.posted_at else "", record.location_text)
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def evidence_store_many(*, items: Iterable[tuple[bytes, str]]) -> dict[str, Evidence]:
    """Store raw captures once each (content-addressed) and return Evidence rows by SHA-256."""
    by_sha: dict[str, tuple[bytes, str]] = {}
    for raw, content_type in items:
        by_sha.setdefault(hashlib.sha256(raw).hexdigest(), (raw, content_type))
    existing = {e.sha256: e for e in Evidence.objects.filter(sha256__in=list(by_sha))}
    storage = storages["evidence"]
    fresh: list[Evidence] = []
    for sha, (raw, content_type) in by_sha.items():
        if sha in existing:
            continue
        path = Evidence.path_for(sha)
        if not storage.exists(path):
            saved = storage.save(path, ContentFile(raw))
            if saved != path:  # another process stored the same bytes first
                storage.delete(saved)
        fresh.append(Evidence(sha256=sha, size=len(raw), content_type=content_type, path=path))
    if fresh:
        Evidence.objects.bulk_create(fresh, ignore_conflicts=True)
        existing.update({e.sha256: e for e in Evidence.objects.filter(sha256__in=[f.sha256 for f in fresh])})
    return existing


def _ingest_chunk(*, source: Source, records: list[AdRecord], summary: IngestSummary) -> None:
    first_stage = pipeline.first_stage()
    now = timezone.now()
    hashes = [content_hash(r) for r in records]
    current = {
        a.external_id: a
        for a in Ad.objects.filter(source=source, external_id__in=[r.external_id for r in records])
    }
    changed: list[tuple[AdRecord, str]] = []
    unchanged_ids: list[int] = []
    for record, digest in zip(records, hashes, strict=True):
        ad = current.get(record.external_id)
        if ad is not None and ad.content_hash == digest:
            unchanged_ids.append(ad.pk)
        else:
            changed.append((record, digest))
    evidence = evidence_store_many(items=[(r.raw or r.body.encode(), r.content_type) for r, _ in changed])

    new_ads: list[Ad] = []
    revised_ads: list[Ad] = []
    revisions: list[AdRevision] = []
    for record, digest in changed:
        ad = current.get(record.external_id)
        if ad is None:
            ad = Ad(source=source, external_id=record.external_id, captured_at=now, created_at=now,
                    revision_count=0)
            new_ads.append(ad)
        else:
            revised_ads.append(ad)
        ad.title, ad.body, ad.url = record.title, record.body, record.url
        ad.posted_at, ad.location_text = record.posted_at, record.location_text
        ad.language = record.language
        ad.content_hash = digest
        ad.revision_count += 1
        ad.last_seen_at = ad.updated_at = ad.pipeline_updated_at = now
        ad.pipeline_stage = first_stage
        ad.pipeline_status = PipelineStatus.PENDING
        ad.pipeline_attempts = 0
        ad.pipeline_error = ""
    Ad.objects.bulk_create(new_ads, batch_size=CHUNK_SIZE)
    if revised_ads:
        Ad.objects.bulk_update(
            revised_ads,
            ["title", "body", "url", "posted_at", "location_text", "language", "content_hash",
             "revision_count", "last_seen_at", "updated_at", "pipeline_stage", "pipeline_status",
             "pipeline_attempts", "pipeline_error", "pipeline_updated_at"],
            batch_size=CHUNK_SIZE,
        )
    by_id = {a.external_id: a for a in (*new_ads, *revised_ads)}
    for record, digest in changed:
        ad = by_id[record.external_id]
        sha = hashlib.sha256(record.raw or record.body.encode()).hexdigest()
        revisions.append(AdRevision(
            ad=ad, number=ad.revision_count, title=record.title, body=record.body, url=record.url,
            posted_at=record.posted_at, location_text=record.location_text, content_hash=digest,
            evidence=evidence[sha], captured_at=now,
        ))
    AdRevision.objects.bulk_create(revisions, batch_size=CHUNK_SIZE)
    if unchanged_ids:
        Ad.objects.filter(pk__in=unchanged_ids).update(last_seen_at=now)
    summary.new += len(new_ads)
    summary.revised += len(revised_ads)
    summary.unchanged += len(unchanged_ids)
    touched = [a.pk for a in (*new_ads, *revised_ads)]
    summary.ad_ids.extend(touched)
    pipeline.enqueue_on_commit(stage=first_stage, ad_ids=touched)


def _ingest_chunk_atomic(*, source: Source, records: list[AdRecord], summary: IngestSummary) -> None:
    # A concurrent ingest of the same ads can win the unique constraint; retrying sees its rows.
    for attempt in range(3):
        try:
            with transaction.atomic():
                _ingest_chunk(source=source, records=records, summary=summary)
            return
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("ingest chunk for source %s raced another writer; retrying", source.pk)


def ads_ingest(
    *,
    source: Source,
    rows: Iterable[tuple[ParsedRow, list[str]]],
    chunk_size: int = CHUNK_SIZE,
    on_row: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Store every good row as evidence and an ad (new, new revision or unchanged); report the rest.

    Rows are handled in chunks, each in its own transaction, so memory stays bounded and a bad row
    never costs the good ones. A repeated external id inside one batch is handled in order, like a
    second sighting: a new revision when its content differs.
    """
    summary = IngestSummary()
    chunk: list[AdRecord] = []
    ids_in_chunk: set[str] = set()
    for row, row_warnings in rows:
        line = row.line if row.line is not None else 0
        summary.warnings.extend({"line": line, "message": w} for w in row_warnings)
        if isinstance(row, RejectedRecord):
            summary.rejected.append({"line": row.line, "reason": row.reason, "external_id": row.external_id})
        else:
            if row.external_id in ids_in_chunk or len(chunk) >= chunk_size:
                _ingest_chunk_atomic(source=source, records=chunk, summary=summary)
                chunk, ids_in_chunk = [], set()
            chunk.append(row)
            ids_in_chunk.add(row.external_id)
        if on_row is not None:
            on_row(1)
    if chunk:
        _ingest_chunk_atomic(source=source, records=chunk, summary=summary)
    logger.info("ingested into source %s: %d new, %d revised, %d unchanged, %d rejected",
                source.pk, summary.new, summary.revised, summary.unchanged, len(summary.rejected))
    return summary


def source_get_or_create_for_partner(*, partner: Any, kind: str = "partner") -> Source:
    """The source that a partner's submitted ads (or tips) are recorded under."""
    source, _ = Source.objects.get_or_create(
        name=f"{kind}:{partner.slug}", defaults={"kind": kind, "partner": partner, "enabled": True}
    )
    return source


def _fetcher() -> Any:
    """One fetcher per worker process (it holds an HTTP session); rate limits shared via Redis."""
    global _FETCHER
    if _FETCHER is None:
        from django.conf import settings

        from .connectors.http import InProcessRateLimiter, RedisRateLimiter, SafeFetcher

        limiter: Any = InProcessRateLimiter()
        if settings.REDIS_URL or settings.CELERY_BROKER_URL.startswith("redis"):
            import redis

            limiter = RedisRateLimiter(redis.Redis.from_url(settings.REDIS_URL or settings.CELERY_BROKER_URL))
        _FETCHER = SafeFetcher(
            user_agent=settings.CONNECTOR_USER_AGENT, allow_private=settings.CONNECTOR_ALLOW_PRIVATE,
            rate_limiter=limiter, min_interval=settings.CONNECTOR_MIN_INTERVAL_SECONDS,
            read_timeout=settings.CONNECTOR_TIMEOUT_SECONDS, max_bytes=settings.CONNECTOR_MAX_BYTES,
        )
    return _FETCHER


_FETCHER: Any = None


def source_poll(*, source: Source, fetcher: Any = None) -> IngestSummary:
    """Poll one online source (RSS/Atom or HTML listing) and ingest what it yields.

    Fetch and parse problems are kept on the source (shown in the admin) and in the summary's
    rejected rows; they never stop the good records from being stored.
    """
    from .connectors import InvalidSettings, poll

    try:
        url_key = "feed_url" if source.kind == "rss" else "listing_url"
        settings = {**({url_key: source.url} if source.url else {}), **source.settings}
        result = poll(source.kind, settings, fetcher=fetcher or _fetcher())
    except InvalidSettings as exc:
        Source.objects.filter(pk=source.pk).update(last_polled_at=timezone.now(),
                                                   last_poll_error=f"invalid settings: {exc}")
        raise
    summary = ads_ingest(source=source, rows=((record, []) for record in result.records))
    for number, error in enumerate(result.errors, start=1):
        summary.rejected.append({"line": number, "reason": f"{error['url']}: {error['reason']}",
                                 "external_id": ""})
    Source.objects.filter(pk=source.pk).update(
        last_polled_at=timezone.now(),
        last_poll_error="; ".join(f"{e['url']}: {e['reason']}" for e in result.errors)[:5000],
    )
    return summary
