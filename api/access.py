"""Who may reach the investigators' API: the desk (investigators, supervisors, admins).

Which records each of them sees is decided by `visible_to`, not here.
"""

from __future__ import annotations

from core.access import DESK

POLICY: dict[str, frozenset[str]] = {
    "api:investigator-ads-list": DESK,
    "api:investigator-ads-detail": DESK,
    "api:investigator-entities-list": DESK,
    "api:investigator-entities-detail": DESK,
    "api:investigator-networks-list": DESK,
    "api:investigator-networks-detail": DESK,
}
