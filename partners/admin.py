"""Admin for tips (read-only: a tip is evidence) and the keyed-token index state."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.admin_mixins import RoleAdminMixin
from core.access import ADMINS

from .models import PartnerTokenIndex, Tip


@admin.register(Tip)
class TipAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = ADMINS
    change_roles = frozenset()
    list_display = ("public_id", "partner", "submitted_at", "ad")
    list_filter = ("partner",)
    readonly_fields = (
        "public_id",
        "partner",
        "ad",
        "submitted_by",
        "token",
        "submitted_at",
        "provenance",
    )

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False


@admin.register(PartnerTokenIndex)
class PartnerTokenIndexAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = ADMINS
    change_roles = frozenset()
    list_display = ("partner", "key_id", "last_entity_id", "updated_at")
