"""Writes for ads: ingestion as evidence (one service for files, the API and connectors)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, connection, models, transaction
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
            "new": self.new,
            "new_revisions": self.revised,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
            "rejected_rows": self.rejected,
            "warnings": self.warnings,
        }
        if with_ids:
            data["ad_ids"] = self.ad_ids
        return data


def content_hash(record: AdRecord) -> str:
    """What makes two captures the same version of an ad (the capture bytes may differ)."""
    parts = (
        record.title,
        record.body,
        record.url,
        record.posted_at.isoformat() if record.posted_at else "",
        record.location_text,
    )
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def _segment_name() -> str:
    now = timezone.now()
    return f"segments/{now:%Y/%m/%d}/{now:%H%M%S}-{uuid.uuid4().hex}.bin"


def evidence_store_many(*, items: Iterable[tuple[bytes, str]]) -> dict[str, Evidence]:
    """Store each new capture once, appended to one new read-only segment file; return Evidence
    rows by SHA-256 (captures already stored are not written again)."""
    by_sha: dict[str, tuple[bytes, str]] = {}
    for raw, content_type in items:
        by_sha.setdefault(hashlib.sha256(raw).hexdigest(), (raw, content_type))
    existing = {e.sha256: e for e in Evidence.objects.filter(sha256__in=list(by_sha))}
    new = [(sha, raw, ctype) for sha, (raw, ctype) in by_sha.items() if sha not in existing]
    if not new:
        return existing
    name = storages["evidence"].save(
        _segment_name(), ContentFile(b"".join(raw for _, raw, _ in new))
    )
    fresh: list[Evidence] = []
    offset = 0
    for sha, raw, content_type in new:
        fresh.append(
            Evidence(sha256=sha, size=len(raw), offset=offset, content_type=content_type, path=name)
        )
        offset += len(raw)
    # A concurrent writer may have stored the same bytes first: its row wins, ours are skipped.
    bulk_insert(Evidence, fresh, ignore_conflicts=True)
    existing.update(
        {e.sha256: e for e in Evidence.objects.filter(sha256__in=[sha for sha, _, _ in new])}
    )
    return existing


def bulk_insert(
    model: type[models.Model], objs: list[Any], *, ignore_conflicts: bool = False
) -> None:
    """bulk_create, or COPY on PostgreSQL (about 8x faster), setting primary keys either way.

    With ignore_conflicts on PostgreSQL the rows go through a temporary table so that a row another
    writer inserted first is skipped, as bulk_create would.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=CHUNK_SIZE, ignore_conflicts=ignore_conflicts)
        return
    from psycopg.types.json import Jsonb

    meta = model._meta
    pk = meta.pk
    table = connection.ops.quote_name(meta.db_table)
    fields = [
        f
        for f in meta.concrete_fields
        if f is not pk or not pk.auto_created and not isinstance(pk, models.AutoField)
    ]
    with connection.cursor() as cursor:
        if isinstance(pk, models.AutoField):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objs)],
            )
            for obj, (new_id,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = new_id
            fields = [pk, *fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        target = table
        if ignore_conflicts:
            target = connection.ops.quote_name(f"tmp_{meta.db_table}")
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {table} INCLUDING DEFAULTS) "
                "ON COMMIT DROP"
            )
        json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        Jsonb(getattr(obj, f.attname))
                        if f.attname in json_fields
                        else getattr(obj, f.attname)
                        for f in fields
                    ]
                )
        if ignore_conflicts:
            cursor.execute(
                # Names come from the model's metadata, never from input.
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target} "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {target}")


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
    evidence = evidence_store_many(
        items=[(r.raw or r.body.encode(), r.content_type) for r, _ in changed]
    )

    new_ads: list[Ad] = []
    revised_ads: list[Ad] = []
    revisions: list[AdRevision] = []
    for record, digest in changed:
        ad = current.get(record.external_id)
        if ad is None:
            ad = Ad(
                source=source,
                external_id=record.external_id,
                captured_at=now,
                created_at=now,
                revision_count=0,
            )
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
    bulk_insert(Ad, new_ads)
    if revised_ads:
        Ad.objects.bulk_update(
            revised_ads,
            [
                "title",
                "body",
                "url",
                "posted_at",
                "location_text",
                "language",
                "content_hash",
                "revision_count",
                "last_seen_at",
                "updated_at",
                "pipeline_stage",
                "pipeline_status",
                "pipeline_attempts",
                "pipeline_error",
                "pipeline_updated_at",
            ],
            batch_size=CHUNK_SIZE,
        )
    by_id = {a.external_id: a for a in (*new_ads, *revised_ads)}
    for record, digest in changed:
        ad = by_id[record.external_id]
        sha = hashlib.sha256(record.raw or record.body.encode()).hexdigest()
        revisions.append(
            AdRevision(
                ad=ad,
                number=ad.revision_count,
                title=record.title,
                body=record.body,
                url=record.url,
                posted_at=record.posted_at,
                location_text=record.location_text,
                content_hash=digest,
                evidence=evidence[sha],
                captured_at=now,
            )
        )
    bulk_insert(AdRevision, revisions)
    if unchanged_ids:
        Ad.objects.filter(pk__in=unchanged_ids).update(last_seen_at=now)
    summary.new += len(new_ads)
    summary.revised += len(revised_ads)
    summary.unchanged += len(unchanged_ids)
    touched = [a.pk for a in (*new_ads, *revised_ads)]
    summary.ad_ids.extend(touched)
    pipeline.enqueue_on_commit(stage=first_stage, ad_ids=touched)


def _ingest_chunk_atomic(
    *, source: Source, records: list[AdRecord], summary: IngestSummary
) -> None:
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
            summary.rejected.append(
                {"line": row.line, "reason": row.reason, "external_id": row.external_id}
            )
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
    logger.info(
        "ingested into source %s: %d new, %d revised, %d unchanged, %d rejected",
        source.pk,
        summary.new,
        summary.revised,
        summary.unchanged,
        len(summary.rejected),
    )
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

            limiter = RedisRateLimiter(
                redis.Redis.from_url(settings.REDIS_URL or settings.CELERY_BROKER_URL)
            )
        _FETCHER = SafeFetcher(
            user_agent=settings.CONNECTOR_USER_AGENT,
            allow_private=settings.CONNECTOR_ALLOW_PRIVATE,
            rate_limiter=limiter,
            min_interval=settings.CONNECTOR_MIN_INTERVAL_SECONDS,
            read_timeout=settings.CONNECTOR_TIMEOUT_SECONDS,
            max_bytes=settings.CONNECTOR_MAX_BYTES,
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
        Source.objects.filter(pk=source.pk).update(
            last_polled_at=timezone.now(), last_poll_error=f"invalid settings: {exc}"
        )
        raise
    summary = ads_ingest(source=source, rows=((record, []) for record in result.records))
    for number, error in enumerate(result.errors, start=1):
        summary.rejected.append(
            {"line": number, "reason": f"{error['url']}: {error['reason']}", "external_id": ""}
        )
    Source.objects.filter(pk=source.pk).update(
        last_polled_at=timezone.now(),
        last_poll_error="; ".join(f"{e['url']}: {e['reason']}" for e in result.errors)[:5000],
    )
    return summary
