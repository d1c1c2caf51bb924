"""Admin permissions by role rather than by per-model Django permissions, and an audit event for
every admin add, change and delete."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from core.access import role_of

from .models import Action
from .services import audit_request

# Values never copied into the audit trail: only the field's name is recorded.
SECRET_FIELDS = frozenset({"password", "key_hash", "key", "secret", "token_hash"})


def _snapshot(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {}
    return {
        field.name: str(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if not field.primary_key
    }


class RoleAdminMixin:
    """`view_roles` may look, `change_roles` may add/change/delete; querysets use visible_to.

    Every save and delete through the admin writes an audit event naming the changed fields (with
    old and new values, except secrets). A change to one of `visibility_fields`, which decide who
    sees what, is recorded as a permission change, which the auditor's page flags.
    """

    view_roles: frozenset[str] = frozenset({"admin"})
    change_roles: frozenset[str] = frozenset({"admin"})
    visibility_fields: frozenset[str] = frozenset()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return role_of(request.user) in self.view_roles

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request.user) in self.view_roles

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return role_of(request.user) in self.change_roles

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request.user) in self.change_roles

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request.user) in self.change_roles

    # --- auditing -------------------------------------------------------------------------------
    def _audit_admin_write(
        self, request: HttpRequest, obj: models.Model, *, operation: str, changed: dict[str, Any]
    ) -> None:
        visibility = sorted(set(changed) & self.visibility_fields)
        audit_request(
            request,
            action=Action.PERMISSION_CHANGE if visibility else Action.CHANGE,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            detail={"admin": operation, "changed": changed, "visibility_changed": visibility},
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _snapshot(type(obj)._base_manager.filter(pk=obj.pk).first()) if change else {}
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            after = _snapshot(obj)
            changed: dict[str, Any] = {}
            for name, value in after.items():
                if before.get(name) == value and change:
                    continue
                changed[name] = (
                    "(changed)"
                    if name in SECRET_FIELDS
                    else {"from": before.get(name), "to": value}
                    if change
                    else value
                )
            for name in getattr(form, "changed_data", []):
                if name not in after:  # many-to-many and form-only fields
                    changed.setdefault(name, "(changed)")
            if changed or not change:
                self._audit_admin_write(
                    request, obj, operation="change" if change else "add", changed=changed
                )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit_admin_write(request, obj, operation="delete", changed=_snapshot(obj))
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit_admin_write(request, obj, operation="delete", changed=_snapshot(obj))
            super().delete_queryset(request, queryset)  # type: ignore[misc]
