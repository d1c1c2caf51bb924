"""What a poll hands back: the records it captured and the pages it could not use."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TypedDict

from ads.records import AdRecord

# Room enough for any sane id or URL; longer ones are hashed so they still identify the ad.
MAX_EXTERNAL_ID = 255


class PollError(TypedDict):
    """One URL that yielded nothing, and why, in words an administrator can act on."""

    url: str
    reason: str


@dataclass
class PollResult:
    """Records captured by one poll of one source, and the errors met along the way."""

    records: list[AdRecord] = field(default_factory=list)
    errors: list[PollError] = field(default_factory=list)

    def add_error(self, url: str, reason: str) -> None:
        self.errors.append(PollError(url=url, reason=reason))


class InvalidSettings(ValueError):
    """A source's settings cannot be polled; `problems` lists what to fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def bounded_external_id(value: str) -> str:
    """`value` itself, or a stable SHA-256 stand-in when it is too long to store."""
    value = value.strip()
    if len(value) <= MAX_EXTERNAL_ID:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
