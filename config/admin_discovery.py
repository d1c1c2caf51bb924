"""Admin autodiscovery limited to the project's own apps.

django-leaflet's admin module needs GDAL (GeoDjango), which the project does not use, so the
stock autodiscovery (which imports every installed app's admin) is off (SimpleAdminConfig).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings

from core.access import is_local_app

# Third-party admins we do want: TOTP device enrolment and the lockout records.
THIRD_PARTY_ADMINS = ("django_otp.plugins.otp_totp.admin", "axes.admin")


def discover_local_admins() -> list[str]:
    """Import `<app>.admin` for every app that lives in this repository; returns their names."""
    root = Path(settings.BASE_DIR)
    for module in THIRD_PARTY_ADMINS:
        importlib.import_module(module)
    found = []
    for config in apps.get_app_configs():
        if not is_local_app(config.path, root):
            continue
        try:
            importlib.import_module(f"{config.name}.admin")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.admin":
                raise
            continue
        found.append(config.name)
    return found
