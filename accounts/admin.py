"""Admin for users, units, partners and API tokens; permission changes are audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.admin_mixins import RoleAdminMixin
from audit.models import Action
from audit.services import audit_request

from .models import ApiToken, PartnerOrganisation, Scope, Unit, User
from .services import api_token_create, api_token_problem, api_token_revoke

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

    visibility_fields = frozenset(_PERMISSION_FIELDS) | {"groups", "user_permissions"}


@admin.register(Unit)
class UnitAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "region", "active")
    # A partner's region bounds the statistics it is shown; inactive partners see nothing.
    visibility_fields = frozenset({"region", "active"})


class ApiTokenForm(forms.ModelForm):
    """Scopes as checkboxes (each token names its own), and the holder's second-factor code where
    their role requires one."""

    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    second_factor_code = forms.CharField(
        required=False,
        max_length=12,
        help_text="For admins and auditors (roles that must use a second factor): a current "
        "code from the token holder's own device.",
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name", "scopes")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        user = data.get("user")
        if user is not None and not self.instance.pk:
            problem = api_token_problem(
                user=user,
                scopes=list(data.get("scopes") or []),
                second_factor_code=data.get("second_factor_code", ""),
            )
            if problem:
                raise forms.ValidationError(problem)
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Tokens are created here (the secret is shown once) and revoked, never edited."""

    form = ApiTokenForm
    list_display = (
        "name",
        "user",
        "prefix",
        "scope_names",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    fields = ("user", "name", "scopes", "second_factor_code")
    actions = ("revoke",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiToken | None = None
    ) -> tuple[str, ...]:
        return ("user", "name", "scope_names", "second_factor_at") if obj else ()

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return ("user", "name", "scope_names", "second_factor_at") if obj else self.fields

    @admin.display(description="scopes")
    def scope_names(self, obj: ApiToken) -> str:
        """What the token may do, in words (the scopes' labels), not the stored list."""
        held = set(obj.scopes or [])
        return "; ".join(label for value, label in Scope.choices if value in held) or "none"

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        token, secret = api_token_create(
            user=obj.user,
            name=obj.name,
            scopes=list(obj.scopes or []),
            by=request.user,
            second_factor_code=form.cleaned_data.get("second_factor_code", ""),
        )
        obj.pk = token.pk
        messages.warning(
            request, f"Token created. Copy it now, it will not be shown again: {secret}"
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)


class AuditedTOTPDeviceAdmin(RoleAdminMixin, TOTPDeviceAdmin):
    """Second-factor devices: no seed is ever shown (OTP_ADMIN_HIDE_SENSITIVE_DATA), every look at
    a device is audited, and an unknown device is a 404, not a 500."""

    def _audit_device(self, request: HttpRequest, pk: Any, what: str, outcome: str) -> None:
        audit_request(
            request,
            action=Action.VIEW,
            object_type="otp_device",
            object_id=pk,
            outcome=outcome,
            detail={"view": what},
        )

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        self._audit_device(request, object_id, "device", "success")
        return super().change_view(request, object_id, *args, **kwargs)

    def config_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._audit_device(request, pk, "config", "denied")
        return super().config_view(request, pk)

    def qrcode_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._audit_device(request, pk, "qrcode", "denied")
        return super().qrcode_view(request, pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AuditedTOTPDeviceAdmin)
