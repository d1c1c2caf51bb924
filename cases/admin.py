"""Admin views of the desk: administrators only; history tables are read-only for everybody."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin_mixins import RoleAdminMixin

from .models import Case, Decision, QueueItem, QueueItemEvent, Watchlist


class ReadOnlyAdmin(RoleAdminMixin, admin.ModelAdmin):
    """History is append-only: nobody edits or deletes it through the admin."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QueueItem)
class QueueItemAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("id", "kind", "status", "priority", "assignee", "case", "last_seen_at")
    list_filter = ("status", "kind", "possible_minor")
    raw_id_fields = ("ad", "network", "lead_ad", "assignee", "decision", "case")


@admin.register(QueueItemEvent)
class QueueItemEventAdmin(ReadOnlyAdmin):
    list_display = ("item", "at", "actor", "kind", "from_status", "to_status")
    list_filter = ("kind",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("item", "decision", "by", "at")
    list_filter = ("decision",)


@admin.register(Case)
class CaseAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("number", "title", "unit", "status", "created_at")
    search_fields = ("number", "title")
    filter_horizontal = ()
    raw_id_fields = ("ads", "networks", "entities", "created_by")
    visibility_fields = frozenset({"unit", "members"})


@admin.register(Watchlist)
class WatchlistAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "kind", "frequency", "active", "created_at")
    list_filter = ("kind", "frequency", "active")
    visibility_fields = frozenset({"user"})
