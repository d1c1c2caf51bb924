"""Cases: the list, opening one, its page, notes, members, status, the packet and the CSV."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from ads.models import Ad, Entity
from analytics.models import Network
from analytics.selectors import networks_as_seen
from audit.models import Action
from audit.services import audit_request
from cases import exports
from cases.forms import AttachForm, CaseForm, ExportForm, MemberForm, NoteForm, PacketForm
from cases.models import Case, CaseStatus
from cases.services import cases as case_services
from cases.views.ad import revealed_images

logger = logging.getLogger(__name__)


# --- cases ----------------------------------------------------------------------------------------
def _case(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(Case.objects.visible_to(request.user).select_related("unit"), pk=pk)


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    cases = list(Case.objects.visible_to(request.user).select_related("unit")[:200])
    audit_request(
        request,
        action=Action.LIST,
        object_type="case",
        detail={"ids": [c.pk for c in cases]},
        seen={"case": [c.pk for c in cases]},
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
    case = case_services.case_create(
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
    networks = networks_as_seen(
        user=request.user, networks=list(case.networks.visible_to(request.user))
    )
    entities = list(case.entities.visible_to(request.user)[:200])
    audit_request(
        request,
        action=Action.VIEW,
        object_type="case",
        object_id=case.pk,
        detail={"number": case.number, "ads": [a.pk for a in ads]},
        seen={
            "case": [case.pk],
            "ad": [a.pk for a in ads],
            "network": [n.pk for n in networks],
            "entity": [e.pk for e in entities],
        },
    )
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "ads": ads,
            "events": case.events.select_related("actor"),
            "members": case.members.all(),
            # A case may hold networks and identifiers of ads from other units: each user sees
            # the ones behind ads they may see (issue #19 H1).
            "networks": networks,
            "entities": entities,
            "visibility": exports.case_visibility(case=case),
            "packet_form": PacketForm(),
            "export_form": ExportForm(),
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
        lambda: case_services.case_add_note(
            case=case, by=request.user, text=form.data.get("text", "")
        ),
    )


@require_POST
def case_member(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)

    def run() -> None:
        user = User.objects.filter(username=request.POST.get("username", "")).first()
        case_services.case_add_member(case=case, user=user, by=request.user)

    return _case_change(request, case, "member", run)


@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    status = request.POST.get("status", "")

    def run() -> None:
        if status not in CaseStatus.values:
            raise ValidationError("Unknown status.")
        case_services.case_set_status(case=case, status=status, by=request.user)

    return _case_change(request, case, "status", run)


def _export_refused(request: HttpRequest, case: Case, form: Any) -> HttpResponse:
    messages.error(
        request, "Say why you export: " + "; ".join(form.errors.get("justification", []))
    )
    return redirect("cases:case", pk=case.pk)


@require_POST
def case_packet(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence packet: POST with CSRF, the justification typed into the page's form."""
    case = _case(request, pk)
    form = PacketForm(request.POST)
    if not form.is_valid():
        return _export_refused(request, case, form)
    justification = form.cleaned_data["justification"]
    plan = exports.packet_plan(
        case=case,
        user=request.user,
        justification=justification,
        revealed=revealed_images(request),
        choice=form.cleaned_data["images"],
    )
    # Audited before the bytes leave, with what the packet holds; the event is then part of the
    # packet's own chain of custody. An original chosen at export is a reveal of that image.
    audit_request(
        request,
        action=Action.EXPORT,
        object_type="case",
        object_id=case.pk,
        justification=justification,
        detail=plan.audit_detail(),
        seen={
            "case": [case.pk],
            "ad": [ad.pk for ad in plan.ads],
            "ad_image": [i.image.pk for i in plan.images],
        },
    )
    for entry in plan.images:
        if entry.original and entry.why == "chosen at export":
            audit_request(
                request,
                action=Action.IMAGE_REVEAL,
                object_type="ad_image",
                object_id=entry.image.pk,
                justification=justification,
                detail={"ad": entry.image.ad_id, "via": "evidence packet", "case": case.number},
            )
    data = exports.case_evidence_packet(plan=plan)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-evidence.zip"'
    return response


@require_POST
def case_csv(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _export_refused(request, case, form)
    ads = list(exports.case_ads(case=case, user=request.user))
    audit_request(
        request,
        action=Action.EXPORT,
        object_type="case",
        object_id=case.pk,
        justification=form.cleaned_data["justification"],
        detail={"format": "csv", "ids": [a.pk for a in ads]},
        seen={"case": [case.pk], "ad": [a.pk for a in ads]},
    )
    response = HttpResponse(
        exports.csv_text(exports.CASE_CSV_HEADER, exports.case_csv_rows(ads)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{case.number}-ads.csv"'
    return response


_ATTACH_TARGETS = {"ad": Ad, "network": Network, "entity": Entity}


@require_POST
def case_attach(request: HttpRequest) -> HttpResponse:
    """Add an ad, network or identifier to one of the user's open cases, or to a new one."""
    form = AttachForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    if not form.is_valid():
        messages.error(request, "Say what to add, and to which case.")
        return redirect(back or "cases:case-list")
    data = form.cleaned_data
    model = _ATTACH_TARGETS[data["kind"]]
    target = get_object_or_404(model.objects.visible_to(request.user), pk=data["object_id"])
    case = None
    if data["case"]:
        case = get_object_or_404(Case.objects.visible_to(request.user), pk=data["case"])
    try:
        case = case_services.case_attach(
            kind=data["kind"],
            target=target,
            by=request.user,
            case=case,
            case_title=data["case_title"],
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(back or "cases:case-list")
    audit_request(
        request,
        action=Action.CHANGE,
        object_type="case",
        object_id=case.pk,
        detail={"change": "add", "kind": data["kind"], "id": target.pk},
    )
    messages.success(request, f"Added {data['kind']} {target.pk} to case {case.number}.")
    return redirect(back or "cases:case", **({} if back else {"pk": case.pk}))
