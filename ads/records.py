"""The shape every way into the system (file, partner API, connector) hands to ingestion."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AdRecord:
    """One ad as captured from a source, before it is stored as evidence.

    `raw` is the exact bytes that were captured (a file row, a JSON item, a fetched page); it is
    kept immutable with its SHA-256. `line` is where the record stood in its batch, for reports.
    `stated` holds the source's own structured fields (age, phone, email, social links,
    category) as the source wrote them, by canonical name; ingestion validates them into the
    ad's source facts (ads.source_facts) with the source's country.
    """

    external_id: str
    title: str = ""
    body: str = ""
    url: str = ""
    posted_at: datetime | None = None
    location_text: str = ""
    language: str = ""
    raw: bytes = b""
    content_type: str = "application/json"
    line: int | None = None
    image_urls: tuple[str, ...] = field(default_factory=tuple)
    stated: tuple[tuple[str, Any], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RejectedRecord:
    """A row that could not become an AdRecord, with where it stood and why."""

    line: int
    reason: str
    external_id: str = ""


@dataclass(frozen=True)
class UnknownColumns:
    """Columns (or JSON keys) of a file that ingestion does not read, reported once per file."""

    line: int
    names: tuple[str, ...]
