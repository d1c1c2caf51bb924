"""`{% add_to_case "ad" ad.pk %}`: the cases that hold a record, and a form to add it to one."""

from __future__ import annotations

from typing import Any

from django import template

from cases.models import Case, QueueItem

register = template.Library()

# The open cases offered in the form: the most recently worked on first.
OFFERED_CASES = 50


@register.inclusion_tag("cases/_add_to_case.html", takes_context=True)
def add_to_case(context: dict[str, Any], kind: str, object_id: int) -> dict[str, Any]:
    request = context["request"]
    cases = Case.objects.visible_to(request.user)
    holding = list(cases.holding(**{f"{kind}s" if kind != "entity" else "entities": [object_id]}))
    held = {case.pk for case in holding}
    offered = [
        case
        for case in cases.open().order_by("-updated_at")[: OFFERED_CASES + len(held)]
        if case.pk not in held
    ][:OFFERED_CASES]
    # A network's review item, so the page links on to where it is decided.
    items = (
        list(
            QueueItem.objects.visible_to(request.user)
            .filter(network_id=object_id)
            .order_by("-pk")[:3]
        )
        if kind == "network"
        else []
    )
    return {
        "items": items,
        "kind": kind,
        "object_id": object_id,
        "holding": holding,
        "offered": offered,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
