"""Reading query strings, which are never trusted: one reader per kind of value, shared by the
queue's and the map's filters (pages and API alike)."""

from __future__ import annotations

import re
from typing import Any

_NOT_IN_A_CODE = re.compile(r"[^a-z0-9_.:-]")
TRUE_VALUES = frozenset({"1", "on", "true"})


def query_flag(params: Any, name: str) -> bool:
    """A checkbox or boolean parameter: on for "1", "on" or "true", off otherwise."""
    return params.get(name) in TRUE_VALUES


def query_indicator_code(params: Any, name: str = "indicator") -> str:
    """An indicator code as the lexicon writes them (a-z, 0-9, `_.:-`), at most 60 characters."""
    return _NOT_IN_A_CODE.sub("", str(params.get(name, "")).lower())[:60]
