"""Bounds on untrusted JSON: a row or request nested deeper than any real ad is refused clearly,
before Python's recursion limit turns it into a crash."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32


class TooDeeplyNested(ValueError):
    """The document nests objects or arrays deeper than MAX_JSON_DEPTH."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise TooDeeplyNested when `value` nests deeper than `limit` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise TooDeeplyNested
        stack.extend((child, depth + 1) for child in children)


def loads_bounded(text: str | bytes) -> Any:
    """`json.loads` that raises TooDeeplyNested (a ValueError) instead of RecursionError."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeeplyNested from None
    check_depth(value)
    return value
