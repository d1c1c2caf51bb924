"""URL policy of the network and entity pages: the desk; records narrowed by `visible_to`."""

from __future__ import annotations

from core.access import DESK

POLICY: dict[str, frozenset[str]] = {
    "analytics:network-list": DESK,
    "analytics:network": DESK,
    "analytics:network-split": DESK,
    "analytics:entity": DESK,
}
