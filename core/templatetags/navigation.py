"""The navigation bar, backed by the access policy (as NetBox utilities/templatetags/navigation.py):
a link is shown exactly when the policy lets the user reach its URL, never by a role test in the
template."""

from __future__ import annotations

from typing import Any, TypedDict

from django import template
from django.urls import reverse

from core.access import is_allowed

register = template.Library()

#: (label, URL name), in the order of the bar.
MENU: tuple[tuple[str, str], ...] = (
    ("Queue", "cases:queue"),
    ("Search", "cases:search"),
    ("Cases", "cases:case-list"),
    ("Watchlists", "cases:watchlists"),
    ("Alerts", "cases:alerts"),
    ("Map", "maps:map"),
    ("Networks", "analytics:network-list"),
    ("Admin", "admin:index"),
)


class NavLink(TypedDict):
    label: str
    url: str


def nav_links_for(user: Any) -> list[NavLink]:
    return [
        {"label": label, "url": reverse(name)} for label, name in MENU if is_allowed(name, user)
    ]


@register.simple_tag(takes_context=True)
def nav_links(context: template.Context) -> list[NavLink]:
    return nav_links_for(context["request"].user)
