"""URL policy of the maps: the desk's roles (investigators, supervisors, admins) for pages and data.

Which ads appear is decided by `maps.selectors.filters.visible_locations` (the visible sources).
"""

from __future__ import annotations

from core.access import DESK

POLICY: dict[str, frozenset[str]] = {
    "maps:map": DESK,
    "maps:data": DESK,
    "maps:ads": DESK,
    "maps:places": DESK,
    "maps:movement": DESK,
    "maps:charts": DESK,
}
