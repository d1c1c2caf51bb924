"""Helpers of the desk pages: htmx detection, paging, row links, the unread-alert badge."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from analytics.scoring.indicators import indicator_labels
from cases.models import QueueItem
from cases.stages import urgency_words

PAGE_SIZE = 50


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


_PK = 999999999


def with_row_urls(items: list[QueueItem]) -> list[QueueItem]:
    """Give each queue row its links, reversing each URL once per page instead of once per row.

    `{% url %}` per row was three reverses per row (150 per page), about a fifth of the page's
    CPU in bench/pages.py.
    """
    patterns = {
        name: reverse(name, args=[_PK]) for name in ("cases:item", "cases:ad", "cases:item-claim")
    }
    labels = indicator_labels()
    for item in items:
        # The indicators in plain words; an unknown (older) code is shown as it is.
        item.indicator_labels = sorted(
            {labels.get(code, code) for code in (item.indicator_codes or "").split()}
        )
        item.urgency = urgency_words(item.priority)
        item.item_url = patterns["cases:item"].replace(str(_PK), str(item.pk))
        item.claim_url = patterns["cases:item-claim"].replace(str(_PK), str(item.pk))
        item.ad_url = patterns["cases:ad"].replace(str(_PK), str(item.ad_id)) if item.ad_id else ""
    return items
