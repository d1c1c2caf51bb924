"""Watchlists and their alerts."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ads.models import Ad
from audit.models import Action
from audit.services import audit_request
from cases.forms import WatchlistForm
from cases.models import Alert, Watchlist
from cases.services import watchlists as watch_services
from maps.basemap import basemap_config

logger = logging.getLogger(__name__)


# --- watchlists and alerts ----------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def watchlists(request: HttpRequest) -> HttpResponse:
    initial = WatchlistForm.initial_from_query(request.GET) if request.method == "GET" else {}
    form = WatchlistForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                watch = watch_services.watchlist_create(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    value=form.cleaned_data["value"],
                    label=form.cleaned_data["label"],
                    frequency=form.cleaned_data["frequency"],
                    bbox=form.bbox(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                audit_request(
                    request,
                    action=Action.CHANGE,
                    object_type="watchlist",
                    object_id=watch.pk,
                    detail={"change": "create", "kind": watch.kind},
                )
                messages.success(request, "Watching.")
                return redirect("cases:watchlists")
        status = 400
    return render(
        request,
        "cases/watchlists.html",
        {
            "form": form,
            "map_config": basemap_config(),
            "watchlists": Watchlist.objects.filter(user=request.user).order_by("-created_at"),
        },
        status=status,
    )


@require_POST
def watchlist_delete(request: HttpRequest, pk: int) -> HttpResponse:
    watch = get_object_or_404(Watchlist, pk=pk, user=request.user)
    audit_request(
        request,
        action=Action.CHANGE,
        object_type="watchlist",
        object_id=watch.pk,
        detail={"change": "delete"},
    )
    watch.delete()
    return redirect("cases:watchlists")


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    visible = Ad.objects.visible_to(request.user)
    # An alert whose ad the user can no longer see (unit changed) is not shown.
    rows = list(
        Alert.objects.filter(watchlist__user=request.user, ad__in=visible).select_related(
            "watchlist", "ad__source", "ad__score", "ad__location"
        )[:200]
    )
    audit_request(
        request,
        action=Action.LIST,
        object_type="alert",
        detail={"ids": [a.pk for a in rows], "ads": [a.ad_id for a in rows]},
        seen={"ad": [a.ad_id for a in rows]},
    )
    return render(request, "cases/alerts.html", {"alerts": rows})


@require_POST
def alerts_read(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all") == "1":
        # Every unread alert of the user's whose ad they may still see (the ones listed).
        visible = Ad.objects.visible_to(request.user)
        ids = list(
            Alert.objects.filter(
                watchlist__user=request.user, ad__in=visible, read_at__isnull=True
            ).values_list("pk", flat=True)
        )
    else:
        ids = [int(v) for v in request.POST.getlist("alert") if v.isdigit()]
    marked = watch_services.alerts_mark_read(user=request.user, alert_ids=ids)
    messages.success(request, f"{marked} alert{'s' if marked != 1 else ''} marked as read.")
    return redirect("cases:alerts")
