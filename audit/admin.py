"""Audit review for auditors: filter, "who has seen this record", anomalies, exports."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from audit.admin_mixins import RoleAdminMixin
from core.csv_safety import safe_row

from .forms import WhoHasSeenForm
from .models import Action, AuditEvent
from .selectors import audit_anomalies, audit_permission_changes, audit_viewers_of
from .services import audit_flush_tallies, audit_request, audit_verify_chain

AUDIT_ROLES = frozenset({"auditor", "admin"})


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Read-only for everyone: the trail is written by the system alone."""

    view_roles = AUDIT_ROLES
    change_roles = frozenset()
    list_display = (
        "id",
        "flag",
        "at",
        "actor_username",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "justification",
    )
    list_filter = (
        "action",
        "outcome",
        "actor_role",
        "object_type",
        ("at", admin.DateFieldListFilter),
    )
    search_fields = ("actor_username", "object_id", "justification")
    date_hierarchy = "at"
    actions = ("export_csv",)
    change_list_template = "admin/audit/auditevent/change_list.html"

    @admin.display(description="")
    def flag(self, event: AuditEvent) -> str:
        """Changes to who may see what stand out in the list."""
        if event.action in (Action.PERMISSION_CHANGE, Action.TOKEN):
            return "\u2691 access change"
        return ""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEvent._meta.fields]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        audit_flush_tallies()  # counted anonymous and denied events join the chain first
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "who-has-seen/",
                self.admin_site.admin_view(self.who_has_seen),
                name="audit_who_has_seen",
            ),
            path("anomalies/", self.admin_site.admin_view(self.anomalies), name="audit_anomalies"),
            path("verify/", self.admin_site.admin_view(self.verify), name="audit_verify"),
        ]
        return extra + super().get_urls()

    def who_has_seen(self, request: HttpRequest) -> HttpResponse:
        """Every event that showed the record: its own page, and lists, searches, exports and
        API calls that listed it. An id that is no record is a form error, not "nobody"."""
        audit_flush_tallies()
        form = WhoHasSeenForm(request.GET or None)
        events: list[AuditEvent] = []
        if form.is_valid():
            events = list(audit_viewers_of(**form.cleaned_data)[:500])
            audit_request(
                request,
                action=Action.VIEW,
                object_type="audit_event",
                detail={"who_has_seen": form.cleaned_data, "events": len(events)},
            )
        return TemplateResponse(
            request,
            "admin/audit/who_has_seen.html",
            {
                **self.admin_site.each_context(request),
                "title": "Who has seen this record",
                "form": form,
                "events": events,
                "asked": form.is_valid(),
            },
        )

    def anomalies(self, request: HttpRequest) -> HttpResponse:
        audit_flush_tallies()
        try:
            days = max(1, min(30, int(request.GET.get("days", "1"))))
        except ValueError:
            days = 1
        return TemplateResponse(
            request,
            "admin/audit/anomalies.html",
            {
                **self.admin_site.each_context(request),
                "title": "Unusual activity",
                "rows": audit_anomalies(days=days),
                "permission_changes": audit_permission_changes(days=max(days, 7)),
                "days": days,
            },
        )

    def verify(self, request: HttpRequest) -> HttpResponse:
        audit_flush_tallies()
        checked, problems = audit_verify_chain()
        return TemplateResponse(
            request,
            "admin/audit/verify.html",
            {
                **self.admin_site.each_context(request),
                "title": "Audit chain verification",
                "checked": checked,
                "problems": problems,
            },
        )

    @admin.action(description="Export selected events as CSV")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent]
    ) -> StreamingHttpResponse:
        audit_request(
            request,
            action=Action.EXPORT,
            object_type="audit_event",
            detail={"count": queryset.count(), "format": "csv"},
        )
        writer = csv.writer(_Echo())
        header = [
            "id",
            "at",
            "actor_username",
            "actor_role",
            "action",
            "object_type",
            "object_id",
            "outcome",
            "justification",
            "ip",
            "digest",
        ]

        def rows() -> Any:
            yield writer.writerow(header)
            for event in queryset.order_by("id").iterator():
                yield writer.writerow(safe_row([getattr(event, h) for h in header]))

        response = StreamingHttpResponse(rows(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
