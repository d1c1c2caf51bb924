"""Admin for model versions: metrics, activation (and rollback), re-score progress."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.admin_mixins import RoleAdminMixin
from core.admin_tables import json_table

from .models import ModelVersion
from .services import decision_head_summary, metrics_provenance, model_activate


@admin.register(ModelVersion)
class ModelVersionAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "version",
        "active",
        "created_at",
        "activated_at",
        "rescore_progress",
        "measured_on",
        "learnt_from_decisions",
    )
    # The metrics and the training summary are read as tables, not as raw JSON.
    readonly_fields = [
        "measured_on",
        "learnt_from_decisions",
        *(
            f.name
            for f in ModelVersion._meta.fields
            if f.name not in {"metrics", "training_summary"}
        ),
        "metrics_table",
        "training_table",
    ]
    actions = ("activate",)

    @admin.display(description="re-scored")
    def rescore_progress(self, obj: ModelVersion) -> str:
        if not obj.rescore_total:
            return "-"
        percent = 100 * obj.rescore_done // obj.rescore_total
        return f"{obj.rescore_done}/{obj.rescore_total} ({percent}%)"

    @admin.display(description="what its metrics measure")
    def measured_on(self, obj: ModelVersion) -> str:
        return metrics_provenance(obj.training_summary)

    @admin.display(description="learnt from decisions")
    def learnt_from_decisions(self, obj: ModelVersion) -> str:
        return decision_head_summary(obj.metrics)

    @admin.display(description="metrics")
    def metrics_table(self, obj: ModelVersion) -> str:
        return json_table(obj.metrics)

    @admin.display(description="training summary")
    def training_table(self, obj: ModelVersion) -> str:
        return json_table(obj.training_summary)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    @admin.action(description="Activate (re-score every ad in the background)")
    def activate(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1:
            messages.error(request, "Select exactly one version.")
            return
        version = model_activate(version=queryset.get())
        messages.info(
            request, f"{version.version} is active; re-scoring {version.rescore_total} ads."
        )
