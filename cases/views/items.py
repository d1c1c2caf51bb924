"""One queue item: its page, claim and release, assignment, notes, due date, decision, reopen."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from ads.models import Ad
from audit.models import Action
from audit.services import audit_request
from cases import selectors
from cases.forms import AssignForm, DecideForm, DueForm, NoteForm, ReasonForm
from cases.models import Case, DecisionKind, ItemStatus, QueueItem
from cases.services import triage
from cases.views._shared import is_htmx, with_row_urls

logger = logging.getLogger(__name__)


# --- one item -------------------------------------------------------------------------------------
def _item(request: HttpRequest, pk: int) -> QueueItem:
    return get_object_or_404(
        QueueItem.objects.visible_to(request.user).select_related(
            "assignee", "lead_ad__source", "network", "case", "decision"
        ),
        pk=pk,
    )


def _item_context(request: HttpRequest, item: QueueItem, **extra: Any) -> dict[str, Any]:
    selectors.queue_items_as_seen(user=request.user, items=[item])
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
        "events": selectors.item_history(item),
        "network_ads": network_ads,
        "note_form": NoteForm(),
        "due_form": DueForm(),
        "decide_form": DecideForm(),
        "assign_form": AssignForm(),
        "reason_form": ReasonForm(),
        "can_override": request.user.is_supervisor or request.user.is_platform_admin,
        "next_item": None if item.is_open else selectors.next_open_item(user=request.user),
        "related_cases": (
            selectors.related_open_cases(user=request.user, item=item) if item.is_open else []
        ),
        "decisions": DecisionKind.choices,
        **extra,
    }


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    context = _item_context(request, item)  # the item as this user may see it
    item = with_row_urls([item])[0]
    audit_request(
        request,
        action=Action.VIEW,
        object_type="queue_item",
        object_id=item.pk,
        detail={"ad": item.ad_id, "network": item.network_id},
        seen={
            "queue_item": [item.pk],
            "ad": [item.ad_id] if item.ad_id else [a.pk for a in context["network_ads"]],
            "network": [item.network_id] if item.network_id else [],
        },
    )
    return render(request, "cases/item.html", context)


def _after_change(request: HttpRequest, item: QueueItem) -> HttpResponse:
    if is_htmx(request):
        return render(request, "cases/_triage.html", _item_context(request, item))
    return redirect("cases:item", pk=item.pk)


@require_POST
def item_claim(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    result = triage.queue_item_claim(item=item, user=request.user)
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
    if is_htmx(request) and request.GET.get("from") == "queue":
        return render(
            request,
            "cases/_claim_cell.html",
            {
                "item": with_row_urls(
                    selectors.queue_items_as_seen(user=request.user, items=[result.item])
                )[0],
                "errors": errors,
            },
        )
    if is_htmx(request):
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


# What the page says once a change is made (the triage panel shows the new state as well).
_DONE = {
    "claim": "You hold this item now.",
    "release": "Released: the item is free for others.",
    "assign": "Assigned.",
    "note": "Note added.",
    "due": "Due date set.",
    "decide": "Decision recorded.",
    "reopen": "Reopened.",
}


def form_problems(form: Any) -> list[str]:
    """A form's errors as sentences that name the field: what to fix, not just that it failed."""
    return [
        message if name == "__all__" else f"{form.fields[name].label}: {message}"
        for name, messages_ in form.errors.items()
        for message in messages_
    ]


def _guarded(
    request: HttpRequest, item: QueueItem, change: str, action: Any, **kept: Any
) -> HttpResponse:
    """Run a service; its PermissionDenied/ValidationError become a visible message, not a crash,
    and the form's input (`kept`, e.g. the bound decision form) is shown again to be corrected."""
    try:
        fresh = action()
    except (PermissionDenied, ValidationError) as exc:
        texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        current = _item(request, item.pk)
        context = _item_context(request, current, errors=texts, **kept)
        if is_htmx(request):  # htmx swaps only 2xx answers
            return render(request, "cases/_triage.html", context)
        return render(
            request,
            "cases/item.html",
            context,
            status=403 if isinstance(exc, PermissionDenied) else 400,
        )
    messages.success(request, _DONE.get(change, "Saved."))
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
        request, item, "release", lambda: triage.queue_item_release(item=item, user=request.user)
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
        return triage.queue_item_assign(item=item, assignee=assignee, by=request.user)

    return _guarded(request, item, "assign", run)


@require_POST
def item_note(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = NoteForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError("A note needs text.")
        triage.queue_item_note(item=item, user=request.user, text=form.cleaned_data["text"])
        return item

    return _guarded(request, item, "note", run)


@require_POST
def item_due(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = DueForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError("Give a date and time.")
        return triage.queue_item_set_due(
            item=item, user=request.user, due_at=form.cleaned_data["due_at"]
        )

    return _guarded(request, item, "due", run)


@require_POST
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = DecideForm(request.POST)

    def run() -> QueueItem:
        if not form.is_valid():
            raise ValidationError(form_problems(form))
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
        elif data["case_pick"]:
            case = Case.objects.visible_to(request.user).filter(pk=data["case_pick"]).first()
            if case is None:
                raise ValidationError("No case with that number that you can see.")
        return triage.queue_item_decide(
            item=item,
            user=request.user,
            decision=data["decision"],
            reason=data["reason"],
            case=case,
            case_title=data["case_title"],
        )

    was_open = item.is_open
    response = _guarded(request, item, "decide", run, decide_form=form)
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
        return triage.queue_item_reopen(
            item=item, user=request.user, reason=form.cleaned_data["reason"]
        )

    return _guarded(request, item, "reopen", run)
