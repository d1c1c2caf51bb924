"""Admin for users, units, partners and API tokens; permission changes are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.models import Action
from audit.services import audit_request
from core.admin_mixins import RoleAdminMixin

from .models import ApiToken, PartnerOrganisation, Unit, User
from .services import api_token_create, api_token_revoke

_PERMISSION_FIELDS = ("role", "unit", "partner", "is_active", "is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(RoleAdminMixin, BaseUserAdmin):
    list_display = ("username", "role", "unit", "partner", "is_active", "last_login")
    list_filter = ("role", "unit", "partner", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Access", {"fields": ("role", "unit", "partner")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Access", {"fields": ("role", "unit", "partner")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = {}
        if change and obj.pk:
            old = User.objects.get(pk=obj.pk)
            before = {f: str(getattr(old, f)) for f in _PERMISSION_FIELDS}
        super().save_model(request, obj, form, change)
        after = {f: str(getattr(obj, f)) for f in _PERMISSION_FIELDS}
        if before != after:
            audit_request(
                request,
                action=Action.PERMISSION_CHANGE,
                object_type="user",
                object_id=obj.pk,
                detail={"before": before, "after": after},
            )


@admin.register(Unit)
class UnitAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "region", "active")


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Tokens are created here (the secret is shown once) and revoked, never edited."""

    list_display = ("name", "user", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("user", "name", "scopes")
    actions = ("revoke",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiToken | None = None
    ) -> tuple[str, ...]:
        return ("user", "name", "scopes") if obj else ()

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        token, secret = api_token_create(
            user=obj.user, name=obj.name, scopes=list(obj.scopes or []), by=request.user
        )
        obj.pk = token.pk
        messages.warning(
            request, f"Token created. Copy it now, it will not be shown again: {secret}"
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
