"""Admin permissions by role rather than by per-model Django permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import role_of


class RoleAdminMixin:
    """`view_roles` may look, `change_roles` may add/change/delete; querysets use visible_to."""

    view_roles: frozenset[str] = frozenset({"admin"})
    change_roles: frozenset[str] = frozenset({"admin"})

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
