"""What a risk number is and where it stands, next to the number itself (issue #15: a rank
people understand, and "calibrated" only where decisions back it)."""

from __future__ import annotations

from typing import Any

from django import template

from analytics.selectors import risk_rank, score_heading, score_standing

register = template.Library()


@register.inclusion_tag("analytics/_score_standing.html", takes_context=True)
def standing(
    context: dict[str, Any], risk: float | None, flagged: bool, model_version: str = ""
) -> dict[str, Any]:
    """`<dt>` and `<dd>` for a risk: its label, the number, the flag and its rank this week."""
    user = context["request"].user
    return {
        "risk": risk,
        "flagged": flagged,
        "standing": score_standing(user=user, risk=risk, model_version=model_version or None),
    }


@register.inclusion_tag("analytics/_score_rank.html", takes_context=True)
def rank(context: dict[str, Any], risk: float | None) -> dict[str, Any]:
    """ "top 3%" under a queue row's score, with the ads it is ranked among as its title."""
    return {"rank": risk_rank(user=context["request"].user, risk=risk)}


@register.simple_tag
def score_name() -> str:
    """The column heading for risk numbers: "Lead score", or "Risk" once decisions back it."""
    return score_heading()
