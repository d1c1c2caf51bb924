"""Writes for ads: ingestion as evidence (one service for files, the API and connectors)."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    models,
    transaction,
)
from django.utils import timezone

from . import pipeline
from .models import Ad, AdRevision, Evidence, PipelineStatus, Source
from .readers import ParsedRow
from .records import AdRecord, RejectedRecord, UnknownColumns
from .source_facts import FACT_LABELS, SourceFacts, facts_from_stated

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
    # Columns (or keys) the batch had that ingestion does not read, each named once.
    unknown_columns: list[str] = field(default_factory=list)
    # Per fact kind (ages, phones...): rows that stated one kept as a source fact, and values
    # dropped as filler (a social site's home page, "N/A").
    facts_kept: dict[str, int] = field(default_factory=dict)
    facts_filler: dict[str, int] = field(default_factory=dict)

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
            "unknown_columns": self.unknown_columns,
            "source_facts": {"kept": self.facts_kept, "filler": self.facts_filler},
        }
        if with_ids:
            data["ad_ids"] = self.ad_ids
        return data


def _facts_json(facts: dict[str, Any]) -> str:
    """Facts as stored text, canonical so that the same facts hash the same."""
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(record: AdRecord, facts: SourceFacts | None = None) -> str:
    """What makes two captures the same version of an ad (the capture bytes may differ).

    Source facts count: a row whose stated age changed is a new version. Image URLs do not
    (they never did: a feed's ads, whose enclosures are facts now, keep their hashes), and a row
    without other facts hashes as before facts existed (an empty last part)."""
    hashed = {k: v for k, v in facts.items() if k != "image_urls"} if facts else None
    # One joined string hashed once: the same bytes as updating part by part, in a tenth of the
    # calls (ingest hashes every row).
    return hashlib.sha256(
        "\x1f".join(
            (
                record.title,
                record.body,
                record.url,
                record.posted_at.isoformat() if record.posted_at else "",
                record.location_text,
                _facts_json(hashed) if hashed else "",
            )
        ).encode("utf-8")
    ).hexdigest()


def _segment_name() -> str:
    now = timezone.now()
    return f"segments/{now:%Y/%m/%d}/{now:%H%M%S}-{uuid.uuid4().hex}.bin"


class TableRows:
    """Plain tuples into one table: COPY on PostgreSQL (about 8x faster), executemany elsewhere.

    Ingest builds rows straight from the records instead of model instances (a quarter of its time
    went to Model.__init__). Columns not given take the model field's default, once per batch, as
    Model() would; so a field added to the model later still gets its default.
    """

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        meta = model._meta
        by_name = {f.attname: f for f in meta.concrete_fields}
        self.model = model
        self.table = meta.db_table
        self.pk = meta.pk
        self.given = [by_name[name] for name in given]
        self.rest = [f for f in meta.concrete_fields if f.attname not in given and f is not self.pk]
        # Text, integers and foreign keys are sent as given; only these types need Django's
        # conversion (it costs ~2 µs a value through the connection proxy, most of SQLite's time).
        self.converted = [
            i
            for i, f in enumerate(self.given)
            if f.get_internal_type()
            in {"DateTimeField", "DateField", "TimeField", "JSONField", "DecimalField", "UUIDField"}
        ]
        # psycopg adapts datetimes itself but not dicts: JSON columns are converted everywhere.
        self.json_given = [i for i, f in enumerate(self.given) if isinstance(f, models.JSONField)]

    def insert(
        self,
        rows: list[tuple[Any, ...]],
        *,
        returning_ids: bool = False,
        ignore_conflicts: bool = False,
    ) -> list[int]:
        """Insert rows. On PostgreSQL without ignore_conflicts this is one COPY, and with
        returning_ids the new primary keys (pre-allocated from the sequence) come back in order;
        otherwise nothing comes back and the caller looks its rows up."""
        if not rows:
            return []
        quote = connection.ops.quote_name
        defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.rest)
        fields = [*self.given, *self.rest]
        postgres = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            if ignore_conflicts or not postgres:
                columns = ", ".join(quote(f.column) for f in fields)
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    # Names come from the model's metadata, never from input.
                    f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608
                    + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
                    [(*(row if postgres else self.prep(row)), *defaults) for row in rows],
                )
                return []
            # COPY's text format takes JSON as text: dumped once here, not by an adapter per row.
            defaults = tuple(
                json.dumps(f.get_default(), cls=f.encoder)
                if isinstance(f, models.JSONField)
                else value
                for f, value in zip(self.rest, defaults, strict=True)
            )
            ids: list[int] = []
            if returning_ids:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk.column, len(rows)],
                )
                ids = [new_id for (new_id,) in cursor.fetchall()]
                fields = [self.pk, *fields]
            columns = ", ".join(quote(f.column) for f in fields)
            # The raw psycopg cursor bypasses Django's error translation: without this wrapper a
            # unique violation (a concurrent writer) would not be the IntegrityError that the
            # callers retry on.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy,
            ):
                write = copy.write_row
                if self.json_given:
                    rows = [self.json_text(row) for row in rows]
                if returning_ids:
                    for new_id, row in zip(ids, rows, strict=True):
                        write((new_id, *row, *defaults))
                else:
                    for row in rows:
                        write((*row, *defaults))
        return ids

    def prep(self, row: tuple[Any, ...], *, only_json: bool = False) -> tuple[Any, ...]:
        """Values as Django would send them (datetimes as UTC text on SQLite, JSON encoded)."""
        columns = self.json_given if only_json else self.converted
        if not columns:
            return row
        db = connections[DEFAULT_DB_ALIAS]
        values = list(row)
        for i in columns:
            values[i] = self.given[i].get_db_prep_save(values[i], db)
        return tuple(values)

    def json_text(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """The row with its JSON values as text, the way COPY's text format takes them."""
        values = list(row)
        for i in self.json_given:
            field = self.given[i]
            values[i] = json.dumps(values[i], cls=field.encoder)  # type: ignore[attr-defined]
        return tuple(values)


_EVIDENCE_COLUMNS = ("sha256", "size", "offset", "content_type", "path", "created_at")
_AD_COLUMNS = (
    "source_id",
    "external_id",
    "url",
    "title",
    "body",
    "posted_at",
    "location_text",
    "language",
    "source_facts",
    "content_hash",
    "revision_count",
    "pipeline_stage",
    "pipeline_status",
    "pipeline_attempts",
    "pipeline_error",
    "captured_at",
    "last_seen_at",
    "pipeline_updated_at",
    "created_at",
    "updated_at",
)
# A new revision rewrites every column but these: an ad's identity and its first sighting.
_AD_KEPT_COLUMNS = frozenset({"source_id", "external_id", "captured_at", "created_at"})
_AD_REVISED_COLUMNS = tuple(c for c in _AD_COLUMNS if c not in _AD_KEPT_COLUMNS)
_REVISION_COLUMNS = (
    "ad_id",
    "number",
    "title",
    "body",
    "url",
    "posted_at",
    "location_text",
    "source_facts",
    "content_hash",
    "evidence_id",
    "captured_at",
)


def _in_list(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column IN (%s, ...)`, for SQLite (it allows 32,766 parameters; chunks are far below)."""
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _evidence_ids(shas: list[str]) -> dict[str, int]:
    table = connection.ops.quote_name(Evidence._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One probe of the unique index per hash, forced by LATERAL ... LIMIT 1 (the limit keeps
            # the planner from flattening it into a join). `sha256 = ANY(%s)` or a
            # plain join were planned as a scan of the whole table while its statistics lagged
            # behind a large ingest (autovacuum had not analysed it yet): each chunk's look-up
            # then grew with the table (140 ms per chunk at 100,000 rows).
            cursor.execute(
                "SELECT k.sha, e.id FROM unnest(%s::varchar[]) AS k(sha) "  # noqa: S608
                f"CROSS JOIN LATERAL (SELECT id FROM {table} WHERE sha256 = k.sha LIMIT 1) AS e",
                [shas],
            )
        else:
            where, params = _in_list("sha256", shas)
            cursor.execute(f"SELECT sha256, id FROM {table} WHERE {where}", params)  # noqa: S608
        return dict(cursor.fetchall())


def evidence_store_many(*, items: Iterable[tuple[str, bytes, str]]) -> dict[str, int]:
    """Store each new capture (SHA-256, raw bytes, content type) once, appended to one new
    read-only segment file; return the Evidence ids by SHA-256 (captures already stored are not
    written again)."""
    by_sha: dict[str, tuple[bytes, str]] = {}
    for sha, raw, content_type in items:
        by_sha.setdefault(sha, (raw, content_type))
    if not by_sha:
        return {}
    existing = _evidence_ids(list(by_sha))
    new = [(sha, raw, ctype) for sha, (raw, ctype) in by_sha.items() if sha not in existing]
    if not new:
        return existing
    name = storages["evidence"].save(
        _segment_name(), ContentFile(b"".join(raw for _, raw, _ in new))
    )
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    offset = 0
    for sha, raw, content_type in new:
        rows.append((sha, len(raw), offset, content_type, name, now))
        offset += len(raw)
    table = TableRows(Evidence, _EVIDENCE_COLUMNS)
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():  # a savepoint: a conflict must not end the chunk
                ids = table.insert(rows, returning_ids=True)
        except IntegrityError:
            pass
        else:
            existing.update((row[0], new_id) for row, new_id in zip(rows, ids, strict=True))
            return existing
    # Elsewhere, or when a concurrent writer stored some of the same bytes first (its rows win,
    # ours are skipped), the ids are looked up by hash.
    table.insert(rows, ignore_conflicts=True)
    existing.update(_evidence_ids([sha for sha, _, _ in new]))
    return existing


def _current_ads(*, source: Source, external_ids: list[str]) -> dict[str, tuple[int, str, int]]:
    """(id, content_hash, revision_count) of the source's ads among these external ids."""
    table = connection.ops.quote_name(Ad._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One probe of the (source, external_id) unique index per id, whatever the planner's
            # statistics say (see _evidence_ids).
            cursor.execute(
                "SELECT k.ext, a.id, a.content_hash, a.revision_count "  # noqa: S608
                "FROM unnest(%s::varchar[]) AS k(ext) CROSS JOIN LATERAL ("
                f"SELECT id, content_hash, revision_count FROM {table} "
                "WHERE source_id = %s AND external_id = k.ext LIMIT 1) AS a",
                [external_ids, source.pk],
            )
        else:
            where, params = _in_list("external_id", external_ids)
            cursor.execute(
                "SELECT external_id, id, content_hash, revision_count "  # noqa: S608
                f"FROM {table} WHERE source_id = %s AND {where}",
                [source.pk, *params],
            )
        return {ext: (pk, digest, count) for ext, pk, digest, count in cursor.fetchall()}


_Change = tuple[AdRecord, SourceFacts, str, str, bytes]  # record, facts, digest, sha, raw


def _ingest_chunk(
    *, source: Source, records: list[tuple[AdRecord, SourceFacts]], summary: IngestSummary
) -> None:
    first_stage = pipeline.first_stage()
    pending = str(PipelineStatus.PENDING)
    now = timezone.now()
    current = _current_ads(source=source, external_ids=[r.external_id for r, _ in records])
    changed: list[_Change] = []
    unchanged_ids: list[int] = []
    for record, facts in records:
        digest = content_hash(record, facts)
        seen = current.get(record.external_id)
        if seen is not None and seen[1] == digest:
            unchanged_ids.append(seen[0])
        else:
            raw = record.raw or record.body.encode()
            changed.append((record, facts, digest, hashlib.sha256(raw).hexdigest(), raw))
    evidence = evidence_store_many(
        items=[(sha, raw, record.content_type) for record, _, _, sha, raw in changed]
    )

    new_rows: list[tuple[Any, ...]] = []
    new_changes: list[_Change] = []
    revised_rows: list[tuple[Any, ...]] = []
    revised_ids: list[int] = []
    numbers: dict[str, int] = {}
    ad_ids: dict[str, int] = {}
    for change in changed:
        record, facts, digest = change[0], change[1], change[2]
        seen = current.get(record.external_id)
        number = 1 if seen is None else seen[2] + 1
        numbers[record.external_id] = number
        # What a new ad and a revised one both write (_AD_COLUMNS and _AD_REVISED_COLUMNS share
        # this run): content, revision number, pipeline restart (stage, status, attempts, error).
        content = (
            record.url,
            record.title,
            record.body,
            record.posted_at,
            record.location_text,
            record.language,
            facts,
            digest,
            number,
            first_stage,
            pending,
            0,
            "",
        )
        if seen is None:
            new_changes.append(change)
            new_rows.append((source.pk, record.external_id, *content, now, now, now, now, now))
        else:
            ad_ids[record.external_id] = seen[0]
            revised_ids.append(seen[0])
            revised_rows.append((*content, now, now, now, seen[0]))
    ads = TableRows(Ad, _AD_COLUMNS)
    new_ids = ads.insert(new_rows, returning_ids=True)
    if new_rows and not new_ids:  # not PostgreSQL: look the new rows up by external id
        found = _current_ads(source=source, external_ids=[c[0].external_id for c in new_changes])
        new_ids = [found[c[0].external_id][0] for c in new_changes]
    ad_ids.update((c[0].external_id, pk) for c, pk in zip(new_changes, new_ids, strict=True))
    if revised_rows:
        _update_revised(revised_rows)
    TableRows(AdRevision, _REVISION_COLUMNS).insert(
        [
            (
                ad_ids[record.external_id],
                numbers[record.external_id],
                record.title,
                record.body,
                record.url,
                record.posted_at,
                record.location_text,
                facts,
                digest,
                evidence[sha],
                now,
            )
            for record, facts, digest, sha, _ in changed
        ],
    )
    if unchanged_ids:
        seen_at = Ad._meta.get_field("last_seen_at").get_db_prep_save(now, connection)
        where, params = (
            ("id = ANY(%s)", [unchanged_ids])
            if connection.vendor == "postgresql"
            else _in_list("id", unchanged_ids)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(Ad._meta.db_table)} "  # noqa: S608
                f"SET last_seen_at = %s WHERE {where}",
                [seen_at, *params],
            )
    summary.new += len(new_ids)
    summary.revised += len(revised_ids)
    summary.unchanged += len(unchanged_ids)
    touched = [*new_ids, *revised_ids]
    summary.ad_ids.extend(touched)
    pipeline.enqueue_on_commit(stage=first_stage, ad_ids=touched)


def _update_revised(rows: list[tuple[Any, ...]]) -> None:
    """One UPDATE per revised ad, sent as one batch (psycopg pipelines executemany)."""
    fields = TableRows(Ad, _AD_REVISED_COLUMNS)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields.given)
    postgres = connection.vendor == "postgresql"
    rows = [(*fields.prep(row[:-1], only_json=postgres), row[-1]) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(fields.table)} SET {assignments} WHERE id = %s",  # noqa: S608
            rows,
        )


def _ingest_chunk_atomic(
    *, source: Source, records: list[tuple[AdRecord, SourceFacts]], summary: IngestSummary
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


def _row_facts(
    record: AdRecord, *, region: str | None, line: int, summary: IngestSummary
) -> SourceFacts:
    """The record's stated fields validated into facts; what is not kept is told in the summary."""
    if not record.stated and not record.image_urls:
        return {}
    facts, warnings, filler = facts_from_stated(
        record.stated, region=region, image_urls=record.image_urls
    )
    summary.warnings.extend({"line": line, "message": w} for w in warnings)
    for key, _ in FACT_LABELS:
        if key in facts:
            summary.facts_kept[key] = summary.facts_kept.get(key, 0) + 1
    for name in filler:
        summary.facts_filler[name] = summary.facts_filler.get(name, 0) + 1
    return facts


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
    chunk: list[tuple[AdRecord, SourceFacts]] = []
    region = source.default_country or None
    ids_in_chunk: set[str] = set()
    # A repeat of an id in the current chunk costs a chunk of its own (a commit); a batch may repeat
    # one id only a bounded number of times, so a hostile file cannot multiply the work.
    repeats: dict[str, int] = {}
    max_repeats = settings.INGEST_MAX_REPEATS_PER_BATCH
    for row, row_warnings in rows:
        if isinstance(row, UnknownColumns):
            summary.unknown_columns.extend(n for n in row.names if n not in summary.unknown_columns)
            continue
        line = row.line if row.line is not None else 0
        summary.warnings.extend({"line": line, "message": w} for w in row_warnings)
        if isinstance(row, RejectedRecord):
            summary.rejected.append(
                {"line": row.line, "reason": row.reason, "external_id": row.external_id}
            )
        elif row.external_id in ids_in_chunk and repeats.get(row.external_id, 0) >= max_repeats:
            summary.rejected.append(
                {
                    "line": row.line,
                    "reason": f"external_id repeated more than {max_repeats} times in one batch",
                    "external_id": row.external_id,
                }
            )
        else:
            if row.external_id in ids_in_chunk:
                repeats[row.external_id] = repeats.get(row.external_id, 0) + 1
            if row.external_id in ids_in_chunk or len(chunk) >= chunk_size:
                _ingest_chunk_atomic(source=source, records=chunk, summary=summary)
                chunk, ids_in_chunk = [], set()
            chunk.append((row, _row_facts(row, region=region, line=line, summary=summary)))
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
