"""JSON read by a person in the admin: a nested mapping shown as a two-column table."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

MAX_ROWS = 200
MAX_LIST = 12


def _value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "–"}[value]
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value == value else "not a number"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        shown = ", ".join(_value(v) for v in value[:MAX_LIST])
        return shown + (f" … ({len(value):,} in all)" if len(value) > MAX_LIST else "")
    return str(value)


def _rows(data: Any, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    if isinstance(data, dict) and data:
        rows: list[tuple[str, str]] = []
        for key, value in data.items():
            rows.extend(_rows(value, (*path, str(key).replace("_", " "))))
        return rows
    return [(" › ".join(path) or "value", _value(data if data != {} else None))]


def json_table(data: Any) -> SafeString:
    """The mapping as escaped rows of "where › what" and its value (a dash when empty)."""
    rows = _rows(data)
    if not data:
        return format_html("{}", "–")
    shown = rows[:MAX_ROWS]
    more = len(rows) - len(shown)
    body = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", shown)
    tail = format_html("<tr><td colspan='2'>… {} more</td></tr>", more) if more > 0 else ""
    return format_html("<table class='json-table'><tbody>{}{}</tbody></table>", body, tail)
