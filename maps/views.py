"""Map pages (Leaflet, served from static/) and the JSON they fetch; every data request is audited.

Pages hand their data to JavaScript with `json_script`; the map fetches clusters for its viewport
from `maps:data` and the ads behind a cluster from `maps:ads`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ads.models import Entity
from analytics.selectors import score_heading
from audit.models import Action
from audit.services import audit_request
from maps.basemap import basemap_config
from maps.filters import ChartFilter, MapFilter
from maps.models import Precision
from maps.places import place_labels
from maps.selectors import grid
from maps.selectors.charts import charts
from maps.selectors.filters import BBox
from maps.selectors.movement import entity_movement

# The zoom a data request without one is answered at: the map pages' first view.
DEFAULT_ZOOM = settings.LEAFLET_CONFIG["DEFAULT_ZOOM"]


def _int(value: Any, default: int, low: int, high: int) -> int:
    text = str(value or "")
    if not text.lstrip("-").isdigit() or len(text) > 6:
        return default
    return min(max(int(text), low), high)


# The colour bands of pins on the map (a display scale, not the flag: flagged and possible minor
# come from the score stage's own flags), read by static/maps/common.js through the page config.
PIN_RISK_BANDS = {"mid": 0.4, "high": 0.7}


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    filters = MapFilter(request.GET, user=request.user)
    first, last = grid.time_range(user=request.user)
    config = {
        "dataUrl": reverse("maps:data"),
        "watchUrl": reverse("cases:watchlists"),
        "adsUrl": reverse("maps:ads"),
        "queueUrl": reverse("cases:queue"),
        **basemap_config(),
        "first": first.date().isoformat() if first else None,
        "last": last.date().isoformat() if last else None,
        "maxPoints": settings.MAP_MAX_POINTS,
        "precisions": dict(Precision.choices),
        "riskBands": PIN_RISK_BANDS,
        "scoreName": score_heading(),
    }
    context = {
        "config": config,
        "pin_bands": PIN_RISK_BANDS,
        "filters": filters,
        "first": first,
        "last": last,
    }
    return render(request, "maps/map.html", context)


@require_GET
def map_data_json(request: HttpRequest) -> JsonResponse:
    filters = MapFilter(request.GET, user=request.user)
    bbox = BBox.from_query(request.GET)
    zoom = _int(request.GET.get("zoom"), DEFAULT_ZOOM, 0, grid.MAX_ZOOM)
    data = grid.map_data(user=request.user, bbox=bbox, zoom=zoom, filters=filters)
    audit_request(
        request,
        action=Action.SEARCH,
        object_type="ad_location",
        detail={
            "filters": filters.as_detail(),
            "bbox": [bbox.south, bbox.west, bbox.north, bbox.east],
            "zoom": zoom,
            "mode": data.mode,
            "total": data.total,
            "ids": data.ids(),
        },
        seen={"ad": data.ids()},
    )
    return JsonResponse(data.as_json())


@require_GET
def map_ads_json(request: HttpRequest) -> JsonResponse:
    filters = MapFilter(request.GET, user=request.user)
    bbox = BBox.from_query(request.GET)
    precision = request.GET.get("precision", "")
    name = request.GET.get("name", "")[:200]
    page = _int(request.GET.get("page"), 1, 1, 10_000)
    ads, has_next = grid.ads_in_bbox(
        user=request.user, bbox=bbox, filters=filters, precision=precision, name=name, page=page
    )
    audit_request(
        request,
        action=Action.LIST,
        object_type="ad",
        detail={
            "filters": filters.as_detail(),
            "bbox": [bbox.south, bbox.west, bbox.north, bbox.east],
            "precision": precision,
            "name": name,
            "page": page,
            "ids": [a["id"] for a in ads],
        },
        seen={"ad": [a["id"] for a in ads]},
    )
    return JsonResponse({"ads": ads, "has_next": has_next, "page": page})


@require_GET
def places_json(request: HttpRequest) -> JsonResponse:
    """Offline place names for the viewport (no ad data, so nothing to audit)."""
    bbox = BBox.from_query(request.GET)
    zoom = _int(request.GET.get("zoom"), DEFAULT_ZOOM, 0, grid.MAX_ZOOM)
    labels = place_labels(bbox=bbox, zoom=zoom)
    response = JsonResponse(
        {"places": [{"name": p.name, "lat": p.lat, "lng": p.lng, "kind": p.kind} for p in labels]}
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def movement_page(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(Entity.objects.visible_to(request.user), pk=pk)
    movement = entity_movement(user=request.user, entity=entity)
    audit_request(
        request,
        action=Action.VIEW,
        object_type="entity",
        object_id=entity.pk,
        detail={"ads": movement.ids(), "unplaced": movement.unplaced},
        seen={"entity": [entity.pk], "ad": movement.ids()},
    )
    config = {
        **basemap_config(),
        "stops": movement.stops,
    }
    return render(
        request, "maps/movement.html", {"movement": movement, "entity": entity, "config": config}
    )


@require_GET
def charts_page(request: HttpRequest) -> HttpResponse:
    filters = ChartFilter(request.GET, user=request.user)
    data = charts(user=request.user, filters=filters)
    audit_request(
        request,
        action=Action.LIST,
        object_type="ad_location",
        detail={"filters": filters.as_detail(), "view": "charts", "flagged": data.flagged_total},
    )
    config = {
        "weeks": data.weeks,
        "cities": data.cities,
        "riskBins": data.risk_bins,
        "indicators": data.indicators,
        "threshold": settings.RISK_FLAG_THRESHOLD,
    }
    context = {
        "charts": data,
        "config": config,
        "filters": filters,
    }
    return render(request, "maps/charts.html", context)
