"""The review queue page, its CSV and saved views."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import audit_request
from cases import exports, selectors
from cases.filters import QueueItemFilter
from cases.forms import QueueExportForm, SavedViewForm
from cases.models import SavedView
from cases.services import triage
from cases.views._shared import PAGE_SIZE, is_htmx, with_row_urls
from core.filters import page_number

logger = logging.getLogger(__name__)


# --- queue ----------------------------------------------------------------------------------------
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = QueueItemFilter(request.GET, user=request.user)
    page = page_number(request)
    start = (page - 1) * PAGE_SIZE
    # One row more than a page tells whether there is a next page without counting a big table.
    rows = list(selectors.queue_items(filters=filters)[start : start + PAGE_SIZE + 1])
    items = selectors.queue_items_as_seen(
        user=request.user, items=rows[:PAGE_SIZE], filters=filters
    )
    items, has_next = with_row_urls(items), len(rows) > PAGE_SIZE
    audit_request(
        request,
        action=Action.LIST,
        object_type="queue_item",
        detail={"filters": request.GET.dict(), "page": page, "ids": [i.pk for i in items]},
        seen=selectors.queue_rows_seen(items),
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "items": items,
        "filters": filters,
        "page": page,
        "has_next": has_next,
        "query": params.urlencode(),
        "saved_views": SavedView.objects.filter(user=request.user),
        "export_form": QueueExportForm(initial={"query": params.urlencode()}),
    }
    if is_htmx(request):
        return render(request, "cases/_queue_rows.html", context)
    context["total"], context["total_capped"] = selectors.queue_total(filters=filters)
    filters.show_indicator_counts(selectors.queue_indicator_counts(filters=filters))
    return render(request, "cases/queue.html", context)


@require_POST
def queue_csv(request: HttpRequest) -> HttpResponse:
    """The queue as CSV: POST with CSRF from the page's export form, which carries the page's
    filters and the justification the user typed (a link cannot make an export)."""
    form = QueueExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you export the queue.")
        return redirect(f"{reverse('cases:queue')}?{form.data.get('query', '')}")
    params = QueryDict(form.cleaned_data["query"])
    filters = QueueItemFilter(params, user=request.user)
    items = selectors.queue_items_as_seen(
        user=request.user,
        items=list(selectors.queue_items(filters=filters)[:5000]),
        filters=filters,
    )
    audit_request(
        request,
        action=Action.EXPORT,
        object_type="queue_item",
        justification=form.cleaned_data["justification"],
        detail={"filters": params.dict(), "count": len(items), "ids": [i.pk for i in items]},
        seen=selectors.queue_rows_seen(items),
    )
    response = HttpResponse(
        exports.csv_text(exports.QUEUE_CSV_HEADER, exports.queue_csv_rows(items)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="queue.csv"'
    return response


@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    if form.is_valid():
        triage.saved_view_save(
            user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
        )
        messages.success(request, "View saved.")
    return redirect(f"{reverse('cases:queue')}?{form.data.get('query', '')}")


@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SavedView, pk=pk, user=request.user).delete()
    return redirect("cases:queue")
