"""`manage.py seed_demo`: units, demo users and generated synthetic ads (never real ads)."""

from __future__ import annotations

import hmac
import json
import os
import secrets
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.models import ApiToken, PartnerOrganisation, Role, Unit, User
from accounts.services import api_token_create, api_token_revoke
from ads.demo_images import drawn_picture, encoded
from ads.media import ad_image_store, ads_link_images
from ads.models import Ad, Source, SourceKind
from ads.readers import records_from_payload
from ads.services import ads_ingest
from demo.synthetic import generate_ads

# The demo's password and partner token, kept between runs (in VAR_DIR, readable by the owner
# only) so a restart neither resets the passwords nor loses the token: the token is stored hashed
# in the database and could not be printed again otherwise.
CREDENTIALS_FILE = "demo-credentials.json"


def _remembered(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def _remember(path: Path, data: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)


def _still_valid(user: User, token_text: str) -> bool:
    prefix = token_text.partition(".")[0]
    token = user.api_tokens.filter(prefix=prefix, revoked_at__isnull=True).first()
    return token is not None and hmac.compare_digest(token.digest, ApiToken.hash_secret(token_text))


class Command(BaseCommand):
    help = (
        "Create demo units, users and synthetic ads; safe to run again: a second run keeps the "
        "demo password and the partner token and prints them again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--ads", type=int, default=1500, help="How many synthetic ads (first run)."
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--password",
            default="",
            help="Set this demo password (default: the one of the last run, else a new one).",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        credentials = Path(settings.VAR_DIR) / CREDENTIALS_FILE
        remembered = _remembered(credentials)
        # A password given, or none remembered: set it on every demo user. Otherwise keep the
        # users' passwords as they are (the remembered one, unless someone changed theirs).
        reset = bool(options["password"]) or not remembered.get("password")
        password = options["password"] or remembered.get("password") or secrets.token_urlsafe(12)
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
                user, created = User.objects.get_or_create(username=username)
                user.role, user.unit, user.partner = role, unit, org
                user.is_staff = role in {Role.ADMIN, Role.AUDITOR}
                user.is_superuser = role == Role.ADMIN
                if created or reset:
                    user.set_password(password)
                user.save()
            ngo = User.objects.get(username="ngo")
            token_secret = remembered.get("token", "")
            if not (token_secret and _still_valid(ngo, token_secret)):
                # The secret of any older demo token is lost: revoke it rather than leave it.
                for old in ngo.api_tokens.filter(name="demo", revoked_at__isnull=True):
                    api_token_revoke(token=old)
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
        _remember(credentials, {"password": password, "token": token_secret})
        rule = "=" * 72
        kept = "" if reset else " (kept from the last run, unless you changed it)"
        self.stdout.write(self.style.SUCCESS(f"{rule}\n  Demo ready at {settings.SITE_URL}/"))
        self.stdout.write(f"  Sign in as   demo / {password}{kept}")
        self.stdout.write(
            "  Also:        demo-b (unit B), supervisor, auditor, admin: same password;"
            " ngo: API only"
        )
        self.stdout.write(f"  Partner API token for ngo: {token_secret}")
        self.stdout.write(f"  (both kept in {credentials}; a restart keeps them)\n{rule}")

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
