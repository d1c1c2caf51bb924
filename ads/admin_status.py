"""The pipeline status page in the admin: backlog, queues, failures, stragglers, oldest unfinished,
throughput and CPU per ad of each stage.

Only platform admins see it (auditors reach the admin too, but the pipeline is operations, not
audit). The numbers come from `ads.pipeline.pipeline_status_report()`, the same report as
`manage.py pipeline_status`, so the page and the command cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.dateparse import parse_datetime

from core.access import ADMIN, role_of

from . import pipeline


@dataclass(frozen=True)
class StageRow:
    """One line of the page: a stage's waiting, queued, failed and completed counts, its rate and
    CPU per ad over the last hour, and its stragglers (waiting ads no task carries)."""

    name: str
    backlog: int
    queued: int | None
    failed: int
    completed_last_hour: int
    busy_ads_per_second: float | None = None
    cpu_ms_per_ad: float | None = None
    stragglers: int | None = None

    @property
    def per_minute(self) -> float:
        return round(self.completed_last_hour / 60, 1)


def stage_rows(report: dict[str, Any]) -> list[StageRow]:
    queued = report.get("queues", {}).get("queued") or {}
    stragglers = report.get("stragglers") or {}
    return [
        StageRow(
            name=name,
            backlog=report["backlog"][name],
            queued=queued.get(name),
            failed=report["failed"][name],
            completed_last_hour=report["completed_last_hour"][name],
            busy_ads_per_second=report["busy_ads_per_second"][name],
            cpu_ms_per_ad=report["cpu_ms_per_ad_last_hour"][name],
            stragglers=stragglers.get(name),
        )
        for name in report["stages"]
    ]


def pipeline_status_view(request: HttpRequest, *, admin_site: AdminSite) -> HttpResponse:
    if role_of(request.user) != ADMIN:
        raise PermissionDenied("The pipeline status is for platform administrators.")
    report = pipeline.pipeline_status_report()
    oldest: datetime | None = (
        parse_datetime(report["oldest_unfinished"]) if report["oldest_unfinished"] else None
    )
    ad_changelist = reverse("admin:ads_ad_changelist", current_app=admin_site.name)
    oldest_ad = report.get("oldest_unfinished_ad")
    context = {
        **admin_site.each_context(request),
        "title": "Pipeline status",
        "report": report,
        "rows": stage_rows(report),
        "queues": report.get("queues", {}),
        "failed_total": sum(report["failed"].values()),
        "stragglers_total": (
            sum(report["stragglers"].values()) if report["stragglers"] is not None else None
        ),
        "failed_url": f"{ad_changelist}?pipeline=failed",
        "unfinished_url": f"{ad_changelist}?pipeline=unfinished",
        "oldest": oldest,
        "oldest_url": (
            reverse("admin:ads_ad_change", args=[oldest_ad], current_app=admin_site.name)
            if oldest_ad
            else None
        ),
        "oldest_ad": oldest_ad,
    }
    return TemplateResponse(request, "admin/ads/pipeline_status.html", context)


def pipeline_status_urls(admin_site: AdminSite) -> list[URLPattern]:
    """The page's URL, to be put ahead of the Ad admin's own (`admin:ads_pipeline_status`)."""

    def view(request: HttpRequest) -> HttpResponse:
        return pipeline_status_view(request, admin_site=admin_site)

    return [path("pipeline-status/", admin_site.admin_view(view), name="ads_pipeline_status")]
