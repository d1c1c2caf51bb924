"""Turn files and JSON payloads into AdRecords, streaming, reporting every bad row with its line."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.utils.dateparse import parse_datetime

from core.json_limits import TooDeeplyNested, check_depth, loads_bounded

from .records import AdRecord, RejectedRecord, UnknownColumns
from .source_facts import STATED_ALIASES, STATED_FIELDS

csv.field_size_limit(sys.maxsize)

FIELDS = ("external_id", "title", "body", "url", "posted_at", "location_text", "language")
# Parts of a place, joined into location_text ("City, State, Country") when a row has no location.
PLACE_PARTS = ("city", "state", "country")
ALIASES = {
    "id": "external_id",
    "text": "body",
    "description": "body",
    "extracted_text": "body",
    "location": "location_text",
    "date": "posted_at",
    "posted": "posted_at",
    "posted_date": "posted_at",
    "images": "image_urls",
    "image_url": "image_urls",
    "region": "state",
    **STATED_ALIASES,
}
# Every canonical name a row's field can have; any other column is reported as unknown.
KNOWN_FIELDS = frozenset((*FIELDS, "image_urls", *PLACE_PARTS, *STATED_FIELDS))
MAX_UNKNOWN_REPORTED = 50
_STATED = frozenset(STATED_FIELDS)
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)

ParsedRow = AdRecord | RejectedRecord | UnknownColumns


class Progress(Protocol):
    """Where a reader reports how far it got (a tqdm bar fits): a total, then steps."""

    def reset(self, total: float | None = None) -> None: ...

    def update(self, n: float = 1) -> bool | None: ...


class RowError(ValueError):
    """A row that cannot be taken, with a reason a person can act on."""


def _text(value: Any, field: str, *, limit: int) -> str:
    if value is None:
        return ""
    if type(value) is str:
        text = value
    elif isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(f"field {field!r} must be text, got {type(value).__name__}")
    else:
        text = str(value)
    # PostgreSQL text cannot hold NUL; the raw bytes keep them as evidence.
    if "\x00" in text:
        text = text.replace("\x00", "")
    # Fast path for most rows: ASCII is valid UTF-8 of one byte per character.
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise RowError(
            f"field {field!r} is too large ({size / 1_000_000:.1f} MB > {limit / 1_000_000:g} MB "
            "limit)"
        )
    if size != len(text):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RowError(
                f"field {field!r} is not valid UTF-8 (at character {exc.start})"
            ) from exc
    return text


def _posted_at(value: Any, warnings: list[str]) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            parsed = datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            warnings.append(f"posted_at {value!r} is not a usable timestamp; left empty")
            return None
    elif isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip()) or _date_only(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            warnings.append(f"posted_at {value[:40]!r} is not an ISO 8601 date; left empty")
            return None
    else:
        warnings.append(f"posted_at of type {type(value).__name__} ignored")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed < EARLIEST or parsed > datetime.now(tz=UTC) + timedelta(days=2):
        warnings.append(f"posted_at {parsed.isoformat()} is implausible; left empty")
        return None
    return parsed


def _date_only(value: str) -> datetime | None:
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


_FIELD_NAMES: dict[Any, str] = {}
_URL_SEPARATORS = re.compile(r"[\s,;|]+")


def _field_name(key: Any) -> str:
    """The canonical field for a column or key name (aliases, case, spaces), memoised: every row
    of a file repeats the same few keys. Hostile input could bring endless new keys, so the memo
    stops growing at a few hundred."""
    name = _FIELD_NAMES.get(key)
    if name is None:
        name = str(key).strip().lower()
        name = ALIASES.get(name, name)
        if type(key) is str and len(_FIELD_NAMES) < 512:
            _FIELD_NAMES[key] = name
    return name


def record_from_mapping(
    row: dict[str, Any],
    *,
    line: int,
    raw: bytes,
    content_type: str,
    warnings: list[str] | None = None,
    default_id: str = "",
) -> AdRecord | RejectedRecord:
    """Validate one row (a dict of fields) into an AdRecord, or say why it cannot be one.

    `default_id` is the external id of a row that has none (a file ingested with row ids)."""
    warnings = warnings if warnings is not None else []
    try:
        if not isinstance(row, dict):
            raise RowError(f"expected an object with fields, got {type(row).__name__}")
        data = {_field_name(k): v for k, v in row.items()}
        raw_id = data.get("external_id")
        if isinstance(raw_id, float) and raw_id.is_integer():
            raw_id = int(raw_id)  # spreadsheets turn 123 into 123.0
        external_id = _text(raw_id, "external_id", limit=255).strip() or default_id
        if not external_id:
            raise RowError("missing external_id")
        max_title = settings.INGEST_MAX_TITLE_CHARS
        title = _text(data.get("title"), "title", limit=max_title * 4)
        body = _text(data.get("body"), "body", limit=settings.INGEST_MAX_BODY_BYTES)
        if not title.strip() and not body.strip():
            raise RowError("ad has neither title nor body")
        url = _text(data.get("url"), "url", limit=2000).strip()
        if url and not url.lower().startswith(("http://", "https://")):
            warnings.append(f"url {url[:40]!r} is not http(s); left empty")
            url = ""
        images = data.get("image_urls") or ()
        if isinstance(images, str):
            # A file cell may list several URLs, split by spaces, commas, semicolons or bars.
            images = [u for u in _URL_SEPARATORS.split(images) if u]
        if not isinstance(images, list | tuple):
            raise RowError("field 'image_urls' must be a list of URLs")
        location = _text(data.get("location_text"), "location_text", limit=2000).strip()
        if not location:
            parts = (_text(data.get(p), p, limit=500).strip() for p in PLACE_PARTS)
            location = ", ".join(p for p in parts if p)
        stated = (
            tuple((n, data[n]) for n in STATED_FIELDS if data.get(n) not in (None, ""))
            if _STATED.intersection(data)
            else ()
        )
        return AdRecord(
            external_id=external_id,
            title=title[:max_title],
            body=body,
            url=url,
            posted_at=_posted_at(data.get("posted_at"), warnings),
            location_text=location[:500],
            language=_text(data.get("language"), "language", limit=100).strip()[:20],
            raw=raw,
            content_type=content_type,
            line=line,
            image_urls=tuple(
                u.strip()[:2000]
                for u in images
                if isinstance(u, str) and u.strip().lower().startswith(("http://", "https://"))
            ),
            stated=stated,
        )
    except RowError as exc:
        ext = (row.get("external_id") or row.get("id") or "") if isinstance(row, dict) else ""
        return RejectedRecord(line=line, reason=str(exc), external_id=str(ext)[:100])


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and reports bytes read, for the progress bar."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._on_read(len(data))
        return len(data)


def _unknown_columns(keys: Iterable[Any], seen: set[str]) -> tuple[str, ...]:
    """Names among `keys` that ingestion does not read and were not reported yet (bounded: a
    hostile file could bring endless new keys)."""
    new: list[str] = []
    for key in keys:
        if _field_name(key) in KNOWN_FIELDS or len(seen) >= MAX_UNKNOWN_REPORTED:
            continue
        name = str(key).strip()[:60]
        if name and name not in seen:
            seen.add(name)
            new.append(name)
    return tuple(new)


def _row_id(prefix: str | None, line: int) -> str:
    return f"{prefix}:{line}" if prefix else ""


def read_jsonl(
    stream: IO[bytes], *, row_ids: str | None = None
) -> Iterator[tuple[ParsedRow, list[str]]]:
    seen: set[str] = set()
    last_keys: tuple[Any, ...] = ()
    for number, line in enumerate(stream, start=1):
        warnings: list[str] = []
        stripped = line.strip()
        if not stripped:
            continue
        try:
            text = stripped.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RejectedRecord(line=number, reason=f"invalid UTF-8 at byte {exc.start}"), warnings
            continue
        try:
            row = loads_bounded(text)
        except json.JSONDecodeError as exc:
            yield (
                RejectedRecord(line=number, reason=f"invalid JSON: {exc.msg} (column {exc.colno})"),
                warnings,
            )
            continue
        except TooDeeplyNested as exc:
            yield RejectedRecord(line=number, reason=f"invalid JSON: {exc}"), warnings
            continue
        # Rows of one file mostly repeat the same keys: checked again only when they change.
        if isinstance(row, dict) and (keys := tuple(row)) != last_keys:
            last_keys = keys
            if unknown := _unknown_columns(keys, seen):
                yield UnknownColumns(line=number, names=unknown), []
        yield (
            record_from_mapping(
                row,
                line=number,
                raw=stripped,
                content_type="application/json",
                warnings=warnings,
                default_id=_row_id(row_ids, number),
            ),
            warnings,
        )


class _LineTap:
    """Feeds csv.reader line by line and keeps the lines of the current row: its exact raw bytes."""

    def __init__(self, text_stream: IO[str]) -> None:
        self._stream = text_stream
        self.lines: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = self._stream.readline()
        if not line:
            raise StopIteration
        self.lines.append(line)
        return line


def read_csv(
    stream: IO[bytes], *, row_ids: str | None = None
) -> Iterator[tuple[ParsedRow, list[str]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    tap = _LineTap(text)
    reader = csv.reader(tap)
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        return
    if unknown := _unknown_columns(header, set()):
        yield UnknownColumns(line=1, names=unknown), []
    tap.lines.clear()
    line = reader.line_num
    for values in reader:
        start = line + 1
        line = reader.line_num
        raw_text = "".join(tap.lines)
        tap.lines.clear()
        raw = raw_text.encode("utf-8", "surrogateescape").rstrip(b"\r\n")
        warnings: list[str] = []
        if not any(v.strip() for v in values):
            continue
        if any("\udc80" <= ch <= "\udcff" for ch in raw_text):
            bad = next(i for i, ch in enumerate(raw_text) if "\udc80" <= ch <= "\udcff")
            yield RejectedRecord(line=start, reason=f"invalid UTF-8 at character {bad}"), warnings
            continue
        if len(values) != len(header):
            yield (
                RejectedRecord(
                    line=start, reason=f"expected {len(header)} columns, found {len(values)}"
                ),
                warnings,
            )
            continue
        row = dict(zip(header, values, strict=True))
        yield (
            record_from_mapping(
                row,
                line=start,
                raw=raw,
                content_type="text/csv",
                warnings=warnings,
                default_id=_row_id(row_ids, start),
            ),
            warnings,
        )


def read_xlsx(
    path: Path, *, progress: Progress | None = None, row_ids: str | None = None
) -> Iterator[tuple[ParsedRow, list[str]]]:
    """The active sheet's rows; progress counts rows read against the sheet's last row."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.active
        if progress is not None:
            # max_row comes from the sheet's stated dimension; a file without one has no total.
            last = sheet.max_row
            progress.reset(total=max(last - 1, 0) if isinstance(last, int) else None)
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(rows, ())]
        if unknown := _unknown_columns((h for h in header if h), set()):
            yield UnknownColumns(line=1, names=unknown), []
        for number, values in enumerate(rows, start=2):
            if progress is not None:
                progress.update(1)
            warnings: list[str] = []
            if values is None or all(v in (None, "") for v in values):
                continue
            row = {h: v for h, v in zip(header, values, strict=False) if h}
            raw = json.dumps(row, default=str, ensure_ascii=False, sort_keys=True).encode()
            yield (
                record_from_mapping(
                    row,
                    line=number,
                    raw=raw,
                    content_type="application/json",
                    warnings=warnings,
                    default_id=_row_id(row_ids, number),
                ),
                warnings,
            )
    finally:
        workbook.close()


def read_file(
    path: Path, *, progress: Progress | None = None, row_ids: bool = False
) -> Iterator[tuple[ParsedRow, list[str]]]:
    """Stream the rows of a CSV, JSONL or XLSX file (by extension), never holding it whole.

    `progress` is told the file's size and the bytes read (CSV, JSONL) or the sheet's rows and
    the rows read (XLSX). With `row_ids`, a row without an external id gets "<file name>:<line>"
    (for files that carry no ids: the same file re-ingested finds the same ads, an edited one
    may not)."""
    suffix = path.suffix.lower()
    prefix = path.name if row_ids else None
    if suffix == ".xlsx":
        yield from read_xlsx(path, progress=progress, row_ids=prefix)
        return
    if suffix not in {".csv", ".jsonl", ".ndjson", ".json"}:
        raise ValueError(f"unsupported file type {suffix!r}: use .csv, .jsonl or .xlsx")
    with path.open("rb") as handle:
        stream: IO[bytes] = handle
        if progress is not None:
            progress.reset(total=path.stat().st_size)
            stream = io.BufferedReader(
                _CountingReader(handle, progress.update), buffer_size=1 << 20
            )
        if suffix == ".csv":
            yield from read_csv(stream, row_ids=prefix)
        else:
            yield from read_jsonl(stream, row_ids=prefix)


def records_from_payload(items: Iterable[Any]) -> Iterator[tuple[ParsedRow, list[str]]]:
    """Rows posted to the API: each item's canonical JSON is its raw evidence."""
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        warnings: list[str] = []
        try:
            check_depth(item)
        except TooDeeplyNested as exc:
            yield RejectedRecord(line=number, reason=str(exc)), warnings
            continue
        if isinstance(item, dict) and (unknown := _unknown_columns(item, seen)):
            yield UnknownColumns(line=number, names=unknown), []
        raw = json.dumps(
            item, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
        )
        yield (
            record_from_mapping(
                item,
                line=number,
                raw=raw.encode("utf-8", "surrogatepass"),
                content_type="application/json",
                warnings=warnings,
            ),
            warnings,
        )
