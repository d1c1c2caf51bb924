"""Admin for sources and ads; failed pipeline work (the dead letter) is listed and retried here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.admin_mixins import RoleAdminMixin
from audit.models import Action
from audit.services import audit_request

from . import admin_status, pipeline
from .models import Ad, AdRevision, Source


@admin.register(Source)
class SourceAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "unit",
        "enabled",
        "schedule_minutes",
        "last_polled_at",
        "last_poll_error",
    )
    list_filter = ("kind", "enabled", "unit")
    # Moving a source to another unit or partner changes who sees its ads.
    visibility_fields = frozenset({"unit", "partner"})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return Source.objects.visible_to(request.user)


class RevisionInline(admin.TabularInline):
    model = AdRevision
    extra = 0
    can_delete = False
    fields = ("number", "title", "captured_at", "content_hash", "evidence")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Ad | None = None) -> bool:
        return False


class FailedFilter(admin.SimpleListFilter):
    title = "pipeline"
    parameter_name = "pipeline"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("failed", "Failed (dead letter)"), ("unfinished", "Unfinished"), ("done", "Done")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ad]) -> QuerySet[Ad]:
        if self.value() == "failed":
            return queryset.failed()
        if self.value() == "unfinished":
            return queryset.unfinished()
        if self.value() == "done":
            return queryset.filter(pipeline_stage="done")
        return queryset


@admin.register(Ad)
class AdAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "source",
        "external_id",
        "title",
        "pipeline",
        "pipeline_attempts",
        "pipeline_error",
    )
    list_filter = (FailedFilter, "source", "pipeline_stage")
    search_fields = ("external_id",)
    inlines = (RevisionInline,)
    actions = ("retry_failed",)
    change_roles = frozenset()  # ads are evidence: not edited by hand

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ad]:
        return Ad.objects.visible_to(request.user).select_related("source")

    @admin.display(description="pipeline", ordering="pipeline_stage")
    def pipeline(self, ad: Ad) -> str:
        """Where the ad is in the pipeline, in one phrase: a finished ad's "pending" status is
        not shown as if it were waiting."""
        if ad.pipeline_done:
            return "done"
        if ad.pipeline_failed:
            return f"failed at {ad.pipeline_stage}"
        return f"waiting for {ad.pipeline_stage}"

    def get_urls(self) -> list[Any]:
        return admin_status.pipeline_status_urls(self.admin_site) + super().get_urls()

    def get_readonly_fields(self, request: HttpRequest, obj: Ad | None = None) -> list[str]:
        return [f.name for f in Ad._meta.fields]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ):  # noqa: ANN201
        audit_request(
            request,
            action=Action.VIEW,
            object_type="ad",
            object_id=object_id,
            detail={"via": "admin"},
        )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Retry the failed stage of selected ads")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Ad]) -> None:
        count = pipeline.ads_retry_failed(ad_ids=list(queryset.values_list("pk", flat=True)))
        messages.info(request, f"{count} failed ad(s) sent back to their stage.")

    def has_change_permission(self, request: HttpRequest, obj: Ad | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Ad | None = None) -> bool:
        return request.user.is_active and request.user.is_platform_admin
