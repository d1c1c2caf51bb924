"""Deny by default: every URL name must have a policy entry naming the roles that may reach it.

Entries live here for project-level URLs and in each app's `access.py` (a `POLICY` dict of full
URL names, e.g. "cases:queue" or "api:cases-list"), merged by `policy()`.

Pages are checked by `DenyByDefaultMiddleware`; API views by `PolicyPermission` (after DRF has
authenticated the token). A URL without an entry answers 403 to everybody, and a test walks every
URL to make sure each has one. Which *records* a role sees is decided by the querysets
(`visible_to`), not here; they all start with the same role preamble, `visibility_preamble`.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from rest_framework.permissions import BasePermission

logger = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
INVESTIGATOR = "investigator"
SUPERVISOR = "supervisor"
PARTNER = "partner"
AUDITOR = "auditor"
ADMIN = "admin"

PUBLIC = frozenset({ANONYMOUS, INVESTIGATOR, SUPERVISOR, PARTNER, AUDITOR, ADMIN})
SIGNED_IN = PUBLIC - {ANONYMOUS}
DESK = frozenset({INVESTIGATOR, SUPERVISOR, ADMIN})
SUPERVISORS = frozenset({SUPERVISOR, ADMIN})
PARTNERS = frozenset({PARTNER})
AUDIT = frozenset({AUDITOR, ADMIN})
ADMINS = frozenset({ADMIN})

# url name -> roles allowed. Namespaced names are "namespace:name".
CORE_POLICY: dict[str, frozenset[str]] = {
    "health": PUBLIC,
    "profile": SIGNED_IN,  # one's own settings (time zone)
    "guide": PUBLIC,  # the investigator guide: how the pages work, no data
    "home": SIGNED_IN,  # every role is sent on to its own start page (config.views.home)
    "accounts:login": PUBLIC,
    "accounts:logout": SIGNED_IN,
    "accounts:otp": SIGNED_IN,
    "api:schema": SIGNED_IN,
    "api:docs": SIGNED_IN,
    "api:redoc": SIGNED_IN,
    "api:ingest": PARTNERS | ADMINS,
}

# The Django admin is for administrators and auditors; ModelAdmin permissions narrow it further
# (auditors: the audit trail, read-only).
NAMESPACE_POLICY: dict[str, frozenset[str]] = {"admin": AUDIT}


@functools.cache
def policy() -> dict[str, frozenset[str]]:
    """The project's entries plus every local app's `<app>.access.POLICY`."""
    merged = dict(CORE_POLICY)
    root = Path(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if not is_local_app(config.path, root) or not Path(config.path, "access.py").exists():
            continue
        module = importlib.import_module(f"{config.name}.access")
        for name, roles in module.POLICY.items():
            if name in merged:
                raise ValueError(f"URL name {name!r} has two policy entries")
            merged[name] = frozenset(roles)
    return merged


def is_local_app(path: str, root: Path) -> bool:
    """An app of this repository, not a package installed in a virtualenv inside it."""
    return Path(path).is_relative_to(root) and "site-packages" not in Path(path).parts


_QS = TypeVar("_QS", bound=QuerySet[Any])


def visibility_preamble(queryset: _QS, user: Any) -> _QS | None:
    """The role preamble of every `visible_to`, written once.

    Nobody signed in (or an inactive account) sees nothing, a platform admin sees everything,
    anyone off the desk (not an investigator or supervisor) sees nothing. None means the user is
    on the desk and the queryset decides by its own relation (unit, source, membership).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_platform_admin:
        return queryset
    if not user.is_investigator:
        return queryset.none()
    return None


def role_of(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    if user.role == ADMIN and not user.is_superuser:
        return ANONYMOUS  # an admin role without the superuser flag is a misconfiguration: deny
    return user.role


def allowed_roles(view_name: str | None) -> frozenset[str]:
    if not view_name:
        return frozenset()
    entries = policy()
    if view_name in entries:
        return entries[view_name]
    namespace = view_name.split(":", 1)[0]
    return NAMESPACE_POLICY.get(namespace, frozenset()) if ":" in view_name else frozenset()


def is_allowed(view_name: str | None, user: Any) -> bool:
    return role_of(user) in allowed_roles(view_name)


class DenyByDefaultMiddleware:
    """Refuses any page whose URL name has no policy entry, or whose entry excludes the role."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name.startswith("api:"):
            return None  # checked by PolicyPermission once DRF has authenticated the caller
        if is_allowed(match.view_name, request.user):
            return None
        if role_of(request.user) == ANONYMOUS and ANONYMOUS not in allowed_roles(match.view_name):
            # Imported here: auth's views load the user model, and models import this module.
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        logger.warning("denied %s to user %s", match.view_name, getattr(request.user, "pk", None))
        # With the site's layout and menu, so the person can go on (issue #18).
        return TemplateResponse(request, "403.html", status=403).render()


class PolicyPermission(BasePermission):
    """The same policy table, for API views."""

    message = "Your role does not have access to this endpoint."

    def has_permission(self, request: Any, view: Any) -> bool:
        match = getattr(request, "resolver_match", None)
        return match is not None and is_allowed(match.view_name, request.user)
