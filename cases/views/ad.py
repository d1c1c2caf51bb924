"""The ad page, its images (blurred by default, revealed on request) and search."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ads.media import ImageRejected, image_render
from ads.models import Ad, AdImage, Source
from audit.models import Action
from audit.services import audit_request
from cases import selectors
from cases.models import Alert
from cases.views._shared import PAGE_SIZE, is_htmx, page_number

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
    filters = selectors.QueueFilters.from_query(request.GET)
    query = request.GET.get("q", "")
    result = selectors.search_ads(user=request.user, query=query, filters=filters)
    page = page_number(request)
    start = (page - 1) * PAGE_SIZE
    rows = list(result.ads[start : start + PAGE_SIZE + 1]) if query.strip() else []
    ads, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    if query.strip():
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
        "ads": ads,
        "q": query,
        "result": result,
        "filters": filters,
        "page": page,
        "has_next": has_next,
        "query": params.urlencode(),
        "sources": Source.objects.visible_to(request.user).order_by("name"),
        "windows": list(selectors.WINDOWS),
    }
    if is_htmx(request):
        return render(request, "cases/_search_rows.html", context)
    return render(request, "cases/search.html", context)
