"""Pages of the desk. Views read through selectors and write through services; every one audits.

htmx requests (header HX-Request) get the partial that changed: queue rows, the claim cell, the
triage panel. Without JavaScript every form still works as a plain POST and redirect.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from ads.media import ImageRejected, image_render
from ads.models import Ad, AdImage, Source
from audit.models import Action
from audit.services import audit_request

from . import exports, selectors, services
from .forms import (
    AssignForm,
    CaseForm,
    DecideForm,
    DueForm,
    MemberForm,
    NoteForm,
    ReasonForm,
    SavedViewForm,
    WatchlistForm,
)
from .models import (
    Alert,
    Case,
    CaseStatus,
    DecisionKind,
    ItemStatus,
    QueueItem,
    SavedView,
    Watchlist,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


_PK = 999999999


def _with_row_urls(items: list[QueueItem]) -> list[QueueItem]:
    """Give each queue row its links, reversing each URL once per page instead of once per row.

    `{% url %}` per row was three reverses per row (150 per page), about a fifth of the page's
    CPU in bench/pages.py.
    """
    patterns = {
        name: reverse(name, args=[_PK]) for name in ("cases:item", "cases:ad", "cases:item-claim")
    }
    for item in items:
        item.item_url = patterns["cases:item"].replace(str(_PK), str(item.pk))
        item.claim_url = patterns["cases:item-claim"].replace(str(_PK), str(item.pk))
        item.ad_url = patterns["cases:ad"].replace(str(_PK), str(item.ad_id)) if item.ad_id else ""
    return items


def _unread_alerts(user: Any) -> int:
    return Alert.objects.filter(watchlist__user=user, read_at__isnull=True).count()


# --- queue ----------------------------------------------------------------------------------------
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_query(request.GET)
    page = _page(request)
    start = (page - 1) * PAGE_SIZE
    # One row more than a page tells whether there is a next page without counting a big table.
    rows = list(
        selectors.queue_items(user=request.user, filters=filters)[start : start + PAGE_SIZE + 1]
    )
    items, has_next = _with_row_urls(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE
    audit_request(
        request,
        action=Action.LIST,
        object_type="queue_item",
        detail={"filters": request.GET.dict(), "page": page, "ids": [i.pk for i in items]},
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "items": items,
        "filters": filters,
        "page": page,
        "has_next": has_next,
        "query": params.urlencode(),
        "statuses": ItemStatus.choices,
        "sources": Source.objects.visible_to(request.user).order_by("name"),
        "saved_views": SavedView.objects.filter(user=request.user),
        "unread_alerts": _unread_alerts(request.user),
        "windows": list(selectors.WINDOWS),
        "orders": list(selectors.ORDERS),
    }
    if _is_htmx(request):
        return render(request, "cases/_queue_rows.html", context)
    return render(request, "cases/queue.html", context)


@require_GET
def queue_csv(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_query(request.GET)
    items = list(selectors.queue_items(user=request.user, filters=filters)[:5000])
    audit_request(
        request,
        action=Action.EXPORT,
        object_type="queue_item",
        justification=request.GET.get("justification", "")[:500] or "queue export",
        detail={"filters": request.GET.dict(), "count": len(items), "ids": [i.pk for i in items]},
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
        services.saved_view_save(
            user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
        )
        messages.success(request, "View saved.")
    return redirect(f"{reverse('cases:queue')}?{form.data.get('query', '')}")


@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SavedView, pk=pk, user=request.user).delete()
    return redirect("cases:queue")


# --- one item -------------------------------------------------------------------------------------
def _item(request: HttpRequest, pk: int) -> QueueItem:
    return get_object_or_404(
        QueueItem.objects.visible_to(request.user).select_related(
            "assignee", "lead_ad__source", "network", "case", "decision"
        ),
        pk=pk,
    )


def _item_context(request: HttpRequest, item: QueueItem, **extra: Any) -> dict[str, Any]:
    network_ads: list[Ad] = []
    if item.network_id:
        network_ads = list(
            Ad.objects.visible_to(request.user)
            .filter(network_membership__network_id=item.network_id)
            .select_related("source", "score")
            .order_by("-score__risk", "-pk")[:100]
        )
    return {
        "item": item,
        "events": item.events.select_related("actor"),
        "network_ads": network_ads,
        "note_form": NoteForm(),
        "due_form": DueForm(),
        "decide_form": DecideForm(),
        "assign_form": AssignForm(),
        "reason_form": ReasonForm(),
        "can_override": request.user.is_supervisor or request.user.is_platform_admin,
        "decisions": DecisionKind.choices,
        **extra,
    }


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    audit_request(
        request,
        action=Action.VIEW,
        object_type="queue_item",
        object_id=item.pk,
        detail={"ad": item.ad_id, "network": item.network_id},
    )
    return render(request, "cases/item.html", _item_context(request, item))


def _after_change(request: HttpRequest, item: QueueItem) -> HttpResponse:
    if _is_htmx(request):
        return render(request, "cases/_triage.html", _item_context(request, item))
    return redirect("cases:item", pk=item.pk)


@require_POST
def item_claim(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    result = services.queue_item_claim(item=item, user=request.user)
    audit_request(
        request,
        action=Action.CHANGE,
        object_type="queue_item",
        object_id=item.pk,
        detail={
            "change": "claim",
            "claimed": result.claimed,
            "holder": result.holder.pk if result.holder else None,
        },
    )
    errors = (
        []
        if result.claimed
        else [
            f"Already claimed by {result.holder.get_username() if result.holder else 'someone'}"
            f" (or no longer open)."
        ]
    )
    # htmx swaps only 2xx answers, so a refused claim is a 200 fragment naming the holder; plain
    # form posts and the API get a 409.
    if _is_htmx(request) and request.GET.get("from") == "queue":
        return render(
            request,
            "cases/_claim_cell.html",
            {"item": _with_row_urls([result.item])[0], "errors": errors},
        )
    if _is_htmx(request):
        return render(
            request, "cases/_triage.html", _item_context(request, result.item, errors=errors)
        )
    if not result.claimed:
        return render(
            request,
            "cases/item.html",
            _item_context(request, result.item, errors=errors),
            status=409,
        )
    return redirect("cases:item", pk=item.pk)


def _guarded(request: HttpRequest, item: QueueItem, change: str, action: Any) -> HttpResponse:
    """Run a service; its PermissionDenied/ValidationError become a visible message, not a crash."""
    try:
        fresh = action()
    except (PermissionDenied, ValidationError) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        current = _item(request, item.pk)
        if _is_htmx(request):  # htmx swaps only 2xx answers
            return render(
                request, "cases/_triage.html", _item_context(request, current, errors=[text])
            )
        return render(
            request,
            "cases/item.html",
            _item_context(request, current, errors=[text]),
            status=403 if isinstance(exc, PermissionDenied) else 400,
        )
    audit_request(
        request,
        action=Action.CHANGE,
        object_type="queue_item",
        object_id=item.pk,
        detail={"change": change, "status": getattr(fresh, "status", None)},
    )
    return _after_change(request, _item(request, item.pk))


@require_POST
def item_release(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return _guarded(
        request, item, "release", lambda: services.queue_item_release(item=item, user=request.user)
    )


@require_POST
def item_assign(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = AssignForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError("Name a user.")
        assignee = User.objects.filter(
            username=form.cleaned_data["username"], is_active=True
        ).first()
        if assignee is None:
            raise ValidationError("No such user.")
        return services.queue_item_assign(item=item, assignee=assignee, by=request.user)

    return _guarded(request, item, "assign", run)


@require_POST
def item_note(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = NoteForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError("A note needs text.")
        services.queue_item_note(item=item, user=request.user, text=form.cleaned_data["text"])
        return item

    return _guarded(request, item, "note", run)


@require_POST
def item_due(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = DueForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError("Give a date and time.")
        return services.queue_item_set_due(
            item=item, user=request.user, due_at=form.cleaned_data["due_at"]
        )

    return _guarded(request, item, "due", run)


@require_POST
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = DecideForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError("Choose a decision.")
        data = form.cleaned_data
        case = None
        if data["case_number"]:
            case = (
                Case.objects.visible_to(request.user)
                .filter(number=data["case_number"].strip())
                .first()
            )
            if case is None:
                raise ValidationError("No case with that number that you can see.")
        return services.queue_item_decide(
            item=item,
            user=request.user,
            decision=data["decision"],
            reason=data["reason"],
            case=case,
            case_title=data["case_title"],
        )

    was_open = item.is_open
    response = _guarded(request, item, "decide", run)
    fresh = QueueItem.objects.filter(pk=item.pk).first()
    if was_open and fresh and fresh.case_id and fresh.status == ItemStatus.ESCALATED:
        audit_request(
            request,
            action=Action.CHANGE,
            object_type="case",
            object_id=fresh.case_id,
            detail={"change": "item_added", "queue_item": item.pk},
        )
    return response


@require_POST
def item_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = ReasonForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError("Say why.")
        return services.queue_item_reopen(
            item=item, user=request.user, reason=form.cleaned_data["reason"]
        )

    return _guarded(request, item, "reopen", run)


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
    )
    Alert.objects.filter(watchlist__user=request.user, ad=ad, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, "cases/ad.html", {"d": detail, "ad": ad, "revealed": _revealed(request)})


# An investigator's reveals live in their session, for MEDIA_REVEAL_SECONDS: the clear picture is
# served only to the person who asked (and was audited) for it, and only for a while.
_REVEALED_KEY = "revealed_images"


def _revealed(request: HttpRequest) -> set[int]:
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
    if not blurred and image.pk not in _revealed(request):
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
        if int(key) in _revealed(request)
    }
    grants[str(image.pk)] = timezone.now().timestamp()
    request.session[_REVEALED_KEY] = grants
    if _is_htmx(request):
        return render(
            request,
            "ads/_image.html",
            {"image": image, "revealed": _revealed(request), "focus": True},
        )
    return redirect(reverse("cases:ad", args=[pk]) + f"#image-{image.pk}")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_query(request.GET)
    query = request.GET.get("q", "")
    result = selectors.search_ads(user=request.user, query=query, filters=filters)
    page = _page(request)
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
    if _is_htmx(request):
        return render(request, "cases/_search_rows.html", context)
    return render(request, "cases/search.html", context)


# --- cases ----------------------------------------------------------------------------------------
def _case(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(Case.objects.visible_to(request.user).select_related("unit"), pk=pk)


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    cases = list(Case.objects.visible_to(request.user).select_related("unit")[:200])
    audit_request(
        request, action=Action.LIST, object_type="case", detail={"ids": [c.pk for c in cases]}
    )
    return render(request, "cases/case_list.html", {"cases": cases, "form": CaseForm()})


@require_POST
def case_create_view(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "cases/case_list.html",
            {"cases": Case.objects.visible_to(request.user)[:200], "form": form},
            status=400,
        )
    case = services.case_create(
        title=form.cleaned_data["title"],
        summary=form.cleaned_data["summary"],
        unit=request.user.unit,
        by=request.user,
    )
    audit_request(
        request,
        action=Action.CHANGE,
        object_type="case",
        object_id=case.pk,
        detail={"change": "create", "number": case.number},
    )
    return redirect("cases:case", pk=case.pk)


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    ads = list(exports.case_ads(case=case, user=request.user)[:500])
    audit_request(
        request,
        action=Action.VIEW,
        object_type="case",
        object_id=case.pk,
        detail={"number": case.number, "ads": [a.pk for a in ads]},
    )
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "ads": ads,
            "events": case.events.select_related("actor"),
            "members": case.members.all(),
            "networks": case.networks.all(),
            "entities": case.entities.all()[:200],
            "note_form": NoteForm(),
            "member_form": MemberForm(),
            "items": case.queue_items.all(),
            "statuses": CaseStatus.choices,
        },
    )


def _case_change(request: HttpRequest, case: Case, change: str, run: Any) -> HttpResponse:
    try:
        run()
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("cases:case", pk=case.pk)
    audit_request(
        request,
        action=Action.CHANGE,
        object_type="case",
        object_id=case.pk,
        detail={"change": change},
    )
    return redirect("cases:case", pk=case.pk)


@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = NoteForm(request.POST)
    return _case_change(
        request,
        case,
        "note",
        lambda: services.case_add_note(case=case, by=request.user, text=form.data.get("text", "")),
    )


@require_POST
def case_member(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)

    def run() -> None:
        user = User.objects.filter(
            username=request.POST.get("username", ""), is_active=True
        ).first()
        if user is None:
            raise ValidationError("No such user.")
        services.case_add_member(case=case, user=user, by=request.user)

    return _case_change(request, case, "member", run)


@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    status = request.POST.get("status", "")

    def run() -> None:
        if status not in CaseStatus.values:
            raise ValidationError("Unknown status.")
        services.case_set_status(case=case, status=status, by=request.user)

    return _case_change(request, case, "status", run)


@require_GET
def case_packet(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    # Audited before the bytes leave, with the case number as the justification; the event is
    # then part of the packet's own chain of custody.
    audit_request(
        request,
        action=Action.EXPORT,
        object_type="case",
        object_id=case.pk,
        justification=f"case {case.number}",
        detail={"format": "evidence-packet"},
    )
    data = exports.case_evidence_packet(case=case, user=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-evidence.zip"'
    return response


@require_GET
def case_csv(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    ads = list(exports.case_ads(case=case, user=request.user))
    audit_request(
        request,
        action=Action.EXPORT,
        object_type="case",
        object_id=case.pk,
        justification=f"case {case.number}",
        detail={"format": "csv", "ids": [a.pk for a in ads]},
    )
    response = HttpResponse(
        exports.csv_text(exports.CASE_CSV_HEADER, exports.case_csv_rows(ads)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{case.number}-ads.csv"'
    return response


# --- watchlists and alerts ----------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def watchlists(request: HttpRequest) -> HttpResponse:
    form = WatchlistForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                watch = services.watchlist_create(
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
            "watchlist", "ad__source"
        )[:200]
    )
    audit_request(
        request,
        action=Action.LIST,
        object_type="alert",
        detail={"ids": [a.pk for a in rows], "ads": [a.ad_id for a in rows]},
    )
    return render(request, "cases/alerts.html", {"alerts": rows})


@require_POST
def alerts_read(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("alert") if v.isdigit()]
    services.alerts_mark_read(user=request.user, alert_ids=ids)
    return redirect("cases:alerts")
