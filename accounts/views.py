"""Sign-in, sign-out and the second factor."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_otp import login as otp_login
from django_otp import match_token


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only; flushes the session so the old cookie is worthless."""


class OtpForm(forms.Form):
    token = forms.CharField(
        label="Authenticator code",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def otp_verify(request: HttpRequest) -> HttpResponse:
    """The TOTP step that admins and auditors must pass (OTP_REQUIRED_ROLES)."""
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect("home" if request.user.is_investigator else "admin:index")
        form.add_error("token", "That code is not valid.")
    return render(request, "accounts/otp.html", {"form": form})
