"""`manage.py enroll_totp USERNAME`: create a TOTP device and print its otpauth:// URI once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import Action
from audit.services import audit_record


class Command(BaseCommand):
    help = "Enrol a TOTP second factor for a user (required for admins and auditors in production)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        audit_record(
            action=Action.PERMISSION_CHANGE,
            object_type="user",
            object_id=user.pk,
            detail={"event": "totp device enrolled", "device": device.pk},
        )
        self.stdout.write("Add this to the user's authenticator app (shown once):")
        self.stdout.write(device.config_url)
