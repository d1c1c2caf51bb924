"""Sign-in, sign-out, the second factor and the user's profile (their time zone)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import match_token

from .services import time_zone_choices, user_time_zone_set


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


class ProfileForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Show times in",
        required=False,
        help_text="Every time on the pages is shown in this zone, with its name.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        site = settings.TIME_ZONE
        self.fields["time_zone"].choices = [
            ("", f"The site's time zone ({site})"),
            *((name, name.replace("_", " ")) for name in time_zone_choices()),
        ]


def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own settings: the time zone their pages show times in."""
    user = request.user
    form = ProfileForm(request.POST or None, initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        user_time_zone_set(user=user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, "Saved: times are now shown in your chosen zone.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form, "now": timezone.now()})
