"""Writes and keyed tokens for the partner API.

A partner never receives a raw identifier. Identifiers are keyed tokens:
HMAC-SHA256(partner key, value) where value is the E.164 phone number ("+17025550123") or the
lowercased email address, and the partner key is HMAC-SHA256(PARTNER_HMAC_KEY, partner slug).
A plain hash of a phone number is reversible by enumerating the number space; a keyed one is not
without the key, and the per-partner key keeps two partners' tokens unlinkable. Rotating
PARTNER_HMAC_KEY rotates every partner's key (the token index notices and rebuilds).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, PartnerOrganisation, User
from ads.extraction import normalise_email, read_phone
from ads.models import Entity, EntityKind
from ads.readers import records_from_payload
from ads.services import ads_ingest, source_get_or_create_for_partner

from .models import PartnerIdentifierToken, PartnerTokenIndex, Tip

logger = logging.getLogger(__name__)

TOKEN_KINDS = (EntityKind.PHONE, EntityKind.EMAIL)
INDEX_BATCH = 5000


class IdentifierError(ValueError):
    """An identifier that cannot be normalised (not a valid phone number or email)."""


def partner_key(*, partner: PartnerOrganisation) -> bytes:
    """The partner's 32-byte key, derived so that rotating the master key rotates all of them."""
    return hmac.new(
        settings.PARTNER_HMAC_KEY.encode(), partner.slug.encode(), hashlib.sha256
    ).digest()


def partner_key_id(*, partner: PartnerOrganisation) -> str:
    """A public fingerprint of the partner key (tells the partner and the index when it changed)."""
    return hmac.new(partner_key(partner=partner), b"key-id", hashlib.sha256).hexdigest()[:16]


def identifier_token(*, partner: PartnerOrganisation, value: str) -> str:
    """The keyed token of a normalised identifier (E.164 phone or lowercased email)."""
    return hmac.new(partner_key(partner=partner), value.encode(), hashlib.sha256).hexdigest()


def normalise_identifier(*, kind: str, raw: str, region: str = "US") -> str:
    """A partner's phone or email in the one stored form (the extraction package's rule), so a
    lookup finds exactly what extraction stored; IdentifierError when it is not one."""
    if kind == EntityKind.PHONE:
        phone = read_phone(raw, region)
        if phone is None:
            raise IdentifierError("not a valid phone number for that region")
        return phone
    if kind == EntityKind.EMAIL:
        email = normalise_email(raw)
        if email is None:
            raise IdentifierError("not an email address")
        return email
    raise IdentifierError(f"unsupported identifier kind {kind!r}")


def partner_token_index_refresh(*, partner: PartnerOrganisation) -> int:
    """Bring the partner's token index up to the newest entity; rebuild it if the key rotated.

    Incremental (entities only grow, values never change), so a lookup pays only for entities
    created since the previous one. Serialised per partner by locking its index row.
    Returns how many tokens were added.
    """
    key = partner_key(partner=partner)
    key_id = partner_key_id(partner=partner)
    added = 0
    with transaction.atomic():
        state, _ = PartnerTokenIndex.objects.get_or_create(
            partner=partner, defaults={"key_id": key_id}
        )
        state = PartnerTokenIndex.objects.select_for_update().get(pk=state.pk)
        if state.key_id != key_id:
            logger.info("partner %s key rotated: rebuilding its token index", partner.pk)
            PartnerIdentifierToken.objects.filter(partner=partner).delete()
            state.key_id, state.last_entity_id = key_id, 0
        while True:
            batch = list(
                Entity.objects.filter(kind__in=TOKEN_KINDS, pk__gt=state.last_entity_id)
                .order_by("pk")
                .values_list("pk", "value")[:INDEX_BATCH]
            )
            if not batch:
                break
            PartnerIdentifierToken.objects.bulk_create(
                [
                    PartnerIdentifierToken(
                        partner=partner,
                        entity_id=pk,
                        token=hmac.new(key, value.encode(), hashlib.sha256).hexdigest(),
                    )
                    for pk, value in batch
                ],
                ignore_conflicts=True,
            )
            added += len(batch)
            state.last_entity_id = batch[-1][0]
        state.updated_at = timezone.now()
        state.save()
    return added


@dataclass(frozen=True)
class TipIdentifier:
    """One identifier a partner names in a tip, already normalised."""

    kind: str
    value: str


def tip_submit(
    *,
    partner: PartnerOrganisation,
    user: User,
    token: ApiToken | None,
    text: str,
    identifiers: list[TipIdentifier],
    location: str = "",
    reference: str = "",
    ip: str | None = None,
) -> Tip:
    """Record a tip as an ad of the partner's "tip" source (so it runs the pipeline and reaches the
    case queue like any ad) and a Tip row with its provenance."""
    public_id = uuid.uuid4()
    source = source_get_or_create_for_partner(partner=partner, kind="tip")
    # The identifiers go into the body as well, so that extraction links the tip to matching ads.
    lines = [text.strip()]
    if identifiers:
        lines += ["", "Identifiers named by the partner:"]
        lines += [f"{i.kind}: {i.value}" for i in identifiers]
    row = {
        "external_id": f"tip-{public_id}",
        "title": f"Tip from {partner.name}",
        "body": "\n".join(lines),
        "location_text": location,
        "posted_at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        summary = ads_ingest(source=source, rows=records_from_payload([row]))
        if summary.rejected or len(summary.ad_ids) != 1:
            raise ValueError(f"tip could not be stored: {summary.rejected}")
        tip = Tip.objects.create(
            public_id=public_id,
            partner=partner,
            ad_id=summary.ad_ids[0],
            submitted_by=user,
            token=token,
            provenance={
                "partner": partner.slug,
                "user": user.get_username(),
                "token_prefix": token.prefix if token else "",
                "ip": ip or "",
                "reference": reference,
                "via": "api",
                "identifier_kinds": sorted({i.kind for i in identifiers}),
            },
        )
    logger.info("tip %s from partner %s stored as ad %s", tip.public_id, partner.pk, tip.ad_id)
    return tip
