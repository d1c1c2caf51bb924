"""URL policy of the desk: investigators, supervisors and admins; records narrowed by querysets."""

from __future__ import annotations

from core.access import DESK

_PAGES = (
    "queue",
    "queue-csv",
    "saved-view-save",
    "saved-view-delete",
    "item",
    "item-claim",
    "item-release",
    "item-assign",
    "item-note",
    "item-due",
    "item-decide",
    "item-reopen",
    "ad",
    "ad-image",
    "ad-image-reveal",
    "search",
    "case-list",
    "case-create",
    "case-attach",
    "case",
    "case-note",
    "case-member",
    "case-status",
    "case-packet",
    "case-csv",
    "watchlists",
    "watchlist-delete",
    "alerts",
    "alerts-read",
)
_API = (
    "cases-queue-list",
    "cases-queue-detail",
    "cases-queue-claim",
    "cases-case-list",
    "cases-case-detail",
)

POLICY: dict[str, frozenset[str]] = {
    **{f"cases:{name}": DESK for name in _PAGES},
    **{f"api:{name}": DESK for name in _API},
}
