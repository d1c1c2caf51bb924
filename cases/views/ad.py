"""The ad page, its images (blurred by default, revealed on request) and search."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ads.media import ImageRejected, image_render
from ads.models import Ad, AdImage, Entity
from audit.models import Action
from audit.services import audit_request
from cases import selectors
from cases.filters import AdFilter
from cases.models import Alert
from cases.views._shared import PAGE_SIZE, is_htmx
from core.filters import page_number

logger = logging.getLogger(__name__)


# --- the ad ---------------------------------------------------------------------------------------
@require_GET
def ad_page(request: HttpRequest, pk: int) -> HttpResponse:
    ad = get_object_or_404(Ad.objects.visible_to(request.user).select_related("source"), pk=pk)
    detail = selectors.ad_detail(user=request.user, ad=ad)
    audit_request(
        request,
        action=Action.VIEW,
        object_type="ad",
        object_id=ad.pk,
        detail={
            "similar": [a.pk for a, _ in detail.similar],
            "network": detail.network.pk if detail.network else None,
            "images": [image.pk for image in detail.images],
        },
        seen={
            "ad": [ad.pk] + [a.pk for a, _ in detail.similar],
            "ad_image": [image.pk for image in detail.images],
            "network": [detail.network.pk] if detail.network else [],
        },
    )
    Alert.objects.filter(watchlist__user=request.user, ad=ad, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(
        request, "cases/ad.html", {"d": detail, "ad": ad, "revealed": revealed_images(request)}
    )


# An investigator's reveals live in their session, for MEDIA_REVEAL_SECONDS: the clear picture is
# served only to the person who asked (and was audited) for it, and only for a while.
_REVEALED_KEY = "revealed_images"


def revealed_images(request: HttpRequest) -> set[int]:
    """Ids of the images this user revealed within MEDIA_REVEAL_SECONDS (the evidence packet
    carries their originals)."""
    now = timezone.now().timestamp()
    grants = request.session.get(_REVEALED_KEY, {})
    return {
        int(pk)
        for pk, at in grants.items()
        if isinstance(at, int | float) and now - at < settings.MEDIA_REVEAL_SECONDS
    }


def _ad_image(request: HttpRequest, pk: int, image_pk: int) -> AdImage:
    return get_object_or_404(
        AdImage.objects.visible_to(request.user).select_related("evidence"),
        pk=image_pk,
        ad_id=pk,
    )


@require_GET
def ad_image(request: HttpRequest, pk: int, image_pk: int, variant: str) -> HttpResponse:
    """An ad image re-encoded as JPEG: blurred, or clear once revealed by this user."""
    if variant not in {"blurred", "clear"}:
        raise Http404
    image = _ad_image(request, pk, image_pk)
    blurred = variant == "blurred"
    if not blurred and image.pk not in revealed_images(request):
        audit_request(
            request,
            action=Action.ACCESS_DENIED,
            object_type="ad_image",
            object_id=image.pk,
            outcome="denied",
            detail={"ad": pk, "reason": "not revealed"},
        )
        raise PermissionDenied("Reveal the image first.")
    try:
        data = image_render(image=image, blurred=blurred)
    except ImageRejected as exc:
        raise Http404 from exc
    audit_request(
        request,
        action=Action.VIEW,
        object_type="ad_image",
        object_id=image.pk,
        detail={"ad": pk, "blurred": blurred},
    )
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="ad-{pk}-image-{image.pk}.jpg"'
    return response


@require_POST
def ad_image_reveal(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    """Show one image unblurred to this investigator, after writing who revealed which image."""
    image = _ad_image(request, pk, image_pk)
    if not image.is_stored:
        raise Http404
    audit_request(
        request,
        action=Action.IMAGE_REVEAL,
        object_type="ad_image",
        object_id=image.pk,
        detail={"ad": pk, "sha256": image.evidence.sha256 if image.evidence else ""},
    )
    grants = {
        key: at
        for key, at in request.session.get(_REVEALED_KEY, {}).items()
        if int(key) in revealed_images(request)
    }
    grants[str(image.pk)] = timezone.now().timestamp()
    request.session[_REVEALED_KEY] = grants
    if is_htmx(request):
        return render(
            request,
            "ads/_image.html",
            {"image": image, "revealed": revealed_images(request), "focus": True},
        )
    return redirect(reverse("cases:ad", args=[pk]) + f"#image-{image.pk}")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    filters = AdFilter(request.GET, user=request.user)
    query = request.GET.get("q", "")
    result = selectors.search_ads(user=request.user, query=query, filters=filters)
    page = page_number(request)
    start = (page - 1) * PAGE_SIZE
    searched = result.mode != "empty"
    rows = list(result.ads[start : start + PAGE_SIZE + 1]) if searched else []
    ads, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    if searched:
        audit_request(
            request,
            action=Action.SEARCH,
            object_type="ad",
            detail={
                "q": query[:200],
                "mode": result.mode,
                "phone": result.phone,
                "filters": request.GET.dict(),
                "ids": [a.pk for a in ads],
            },
            seen={"ad": [a.pk for a in ads]},
        )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        # The reposts of one text are one row, except where they are what was asked for.
        "rows": selectors.search_rows(
            ads, query=query, mode=result.mode, group="same_text" not in filters.chosen()
        ),
        "identifier": selectors.searched_identifier(user=request.user, result=result),
        "q": query,
        "facets": _facet_links(params, selectors.search_facets(result.ads))
        if searched and not is_htmx(request)
        else None,
        "pivots": _pivots(request, params, filters),
        "result": result,
        "searched": searched,
        "filters": filters,
        "page": page,
        "has_next": has_next,
        "query": params.urlencode(),
    }
    if is_htmx(request):
        return render(request, "cases/_search_rows.html", context)
    return render(request, "cases/search.html", context)


def _toggled(params: QueryDict, name: str, value: str) -> str:
    """The query string with one filter set to `value`, or removed when it already is."""
    changed = params.copy()
    if changed.get(name) == value:
        changed.pop(name)
    else:
        changed[name] = value
    return changed.urlencode()


def _facet_links(params: QueryDict, found: selectors.SearchFacets) -> dict[str, Any]:
    """The facets with a link per value that adds its filter (or takes it off when on)."""
    return {
        "total": found.total,
        "total_capped": found.total_capped,
        "sample": found.sample,
        "sample_capped": found.sample_capped,
        "groups": [
            {
                "title": facet.title,
                "param": facet.param,
                "rows": [
                    {
                        "label": label,
                        "n": n,
                        "query": _toggled(params, facet.param, value),
                        "active": params.get(facet.param) == value,
                    }
                    for value, label, n in facet.rows
                ],
            }
            for facet in found.facets
        ],
    }


_PIVOT_TITLES = {
    "network": "network",
    "place": "place",
    "category": "category",
    "flagged": "flagged",
    "admin1": "region",
    "min_risk": "score at least",
    "posted_after": "posted from",
    "posted_before": "posted before",
    "same_text": "the same text as ad",
}


def _pivots(request: HttpRequest, params: QueryDict, filters: AdFilter) -> list[dict[str, str]]:
    """The filters set outside the form (a pivot from an ad page, a facet), in words, each
    with the link that removes it."""
    pivots = []
    for field in filters.kept_fields():
        value = params.get(field.name, "")
        label = f"{_PIVOT_TITLES.get(field.name, field.name)}: {value}"
        if field.name == "entity":
            entity = Entity.objects.visible_to(request.user).filter(pk=filters.cleaned["entity"])
            found = entity.first()
            label = f"{found.get_kind_display()}: {found.value}" if found else "an identifier"
        elif field.name == "flagged":
            label = "flagged" if filters.cleaned["flagged"] else "not flagged"
        pivots.append({"label": label, "query": _toggled(params, field.name, value)})
    return pivots
