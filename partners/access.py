"""Who may reach the partner API: partners only (investigators have their own API)."""

from __future__ import annotations

from core.access import PARTNERS

POLICY: dict[str, frozenset[str]] = {
    "api:partner-lookup": PARTNERS,
    "api:partner-key": PARTNERS,
    "api:partner-stats": PARTNERS,
    "api:partner-tips-list": PARTNERS,
    "api:partner-tips-detail": PARTNERS,
}
