"""`manage.py seed_demo`: units, demo users and generated synthetic ads (never real ads)."""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.models import PartnerOrganisation, Role, Unit, User
from accounts.services import api_token_create
from ads.demo_images import drawn_picture, encoded
from ads.media import ad_image_store, ads_link_images
from ads.models import Ad, Source, SourceKind
from ads.readers import records_from_payload
from ads.services import ads_ingest
from demo.synthetic import generate_ads


class Command(BaseCommand):
    help = "Create demo units, users (password printed) and synthetic ads; safe to run again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--ads", type=int, default=1500, help="How many synthetic ads (first run)."
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--password", default="", help="Demo password (default: a new random one)."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        with transaction.atomic():
            unit_a, _ = Unit.objects.get_or_create(
                code="unit-a", defaults={"name": "Unit A (Southwest)"}
            )
            unit_b, _ = Unit.objects.get_or_create(
                code="unit-b", defaults={"name": "Unit B (Northeast)"}
            )
            partner, _ = PartnerOrganisation.objects.get_or_create(
                slug="demo-ngo", defaults={"name": "Demo NGO hotline", "region": "US"}
            )
            people = [
                ("demo", Role.INVESTIGATOR, unit_a, None),
                ("demo-b", Role.INVESTIGATOR, unit_b, None),
                ("supervisor", Role.SUPERVISOR, unit_a, None),
                ("auditor", Role.AUDITOR, None, None),
                ("admin", Role.ADMIN, None, None),
                ("ngo", Role.PARTNER, None, partner),
            ]
            for username, role, unit, org in people:
                user, _ = User.objects.get_or_create(username=username)
                user.role, user.unit, user.partner = role, unit, org
                user.is_staff = role in {Role.ADMIN, Role.AUDITOR}
                user.is_superuser = role == Role.ADMIN
                user.set_password(password)
                user.save()
            ngo = User.objects.get(username="ngo")
            token_secret = None
            if not ngo.api_tokens.filter(revoked_at__isnull=True).exists():
                _, token_secret = api_token_create(
                    user=ngo, name="demo", scopes=["read", "tips", "ads"]
                )
            sources = {
                "demo-classifieds": Source.objects.get_or_create(
                    name="demo-classifieds", defaults={"kind": SourceKind.FILE, "unit": unit_a}
                )[0],
                "demo-feed": Source.objects.get_or_create(
                    name="demo-feed", defaults={"kind": SourceKind.FILE, "unit": unit_b}
                )[0],
            }
        if not Ad.objects.filter(source__in=sources.values()).exists() and options["ads"] > 0:
            start = (timezone.now() - timedelta(days=90)).astimezone(UTC).replace(microsecond=0)
            generated = list(
                generate_ads(options["ads"], seed=options["seed"], start=start, days=89)
            )
            bar = tqdm(
                total=len(generated),
                desc="demo ads",
                disable=options["no_progress"],
                file=self.stderr._out,
            )
            for name, source in sources.items():
                items = [ad.as_record() for ad in generated if ad.source == name]
                ads_ingest(source=source, rows=records_from_payload(items), on_row=bar.update)
            bar.close()
            pictures = self._demo_images(generated, sources)
            self.stdout.write(f"  {pictures} demo ads carry a drawn picture (shown blurred).")
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"  Sign in at {settings.SITE_URL}/ as  demo / {password}")
        self.stdout.write(
            "  (also: demo-b [unit B], supervisor, auditor, admin, ngo [API only]; same password)"
        )
        if token_secret:
            self.stdout.write(f"  Partner API token for 'ngo' (shown once): {token_secret}")

    def _demo_images(self, generated: list[Any], sources: dict[str, Source]) -> int:
        """Give the first ads of a few networks a Pillow-drawn picture (never a photo), the same
        one within a network as a poster reusing a photo would, so the blurred gallery and the
        image entities show in the demo. The address is under .invalid: nothing is fetched."""
        by_network: dict[int, list[Any]] = {}
        for item in generated:
            if item.truth.get("network") is not None:
                by_network.setdefault(item.truth["network"], []).append(item)
        stored: dict[int, list[str]] = {}
        ads: list[Ad] = []
        for network, members in sorted(by_network.items())[:4]:
            url = f"https://demo.invalid/images/network-{network}.jpg"
            data = encoded(drawn_picture(1000 + network), "JPEG", quality=85)
            for item in members[:4]:
                ad = Ad.objects.filter(
                    source=sources[item.source], external_id=item.external_id
                ).first()
                if ad is None:
                    continue
                ad_image_store(ad=ad, source_url=url, data=data)
                stored.setdefault(ad.pk, []).append(url)
                ads.append(ad)
        ads_link_images(ads=ads, urls=stored)
        return len(ads)
