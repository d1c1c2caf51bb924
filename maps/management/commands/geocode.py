"""`manage.py geocode "TEXT"`: print how the geocoder reads one location string, as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maps.geocoding.cli import BACKEND_CHOICES, geocode_command
from maps.geocoding.types import GeocoderUnavailableError


class Command(BaseCommand):
    help = "Geocode one ad location string and print the result as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help='Location text as the ad wrote it, e.g. "LV, NV".')
        parser.add_argument("--country", default=None, help="ISO country hint, e.g. US.")
        parser.add_argument("--backend", choices=BACKEND_CHOICES, default="gazetteer")
        parser.add_argument("--url", default="", help="The ad's URL (its city is a hint).")
        parser.add_argument(
            "--phone",
            action="append",
            default=[],
            help="A phone of the ad in E.164 (repeatable): its area code is a hint.",
        )
        parser.add_argument(
            "--region", default="", help="The source's region, a state code such as CA."
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="Self-hosted Nominatim/Photon base URL (default: settings.GEOCODER_URL).",
        )
        parser.add_argument("--timeout", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["base_url"] or settings.GEOCODER_URL
        if options["backend"] != "gazetteer" and not base_url:
            raise CommandError("--base-url (or settings.GEOCODER_URL) is required")
        try:
            result = geocode_command(
                options["text"],
                country=options["country"],
                backend=options["backend"],
                url=options["url"],
                base_url=base_url,
                timeout=options["timeout"],
                phones=options["phone"],
                region=options["region"],
            )
        except (GeocoderUnavailableError, ValueError) as err:
            raise CommandError(str(err)) from err
        self.stdout.write(json.dumps(result, ensure_ascii=False))
