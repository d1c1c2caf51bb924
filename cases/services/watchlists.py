"""Watchlists (phone, email, handle, payment, keyword, area), their alerts and digests."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ads.extraction import normalise_email, read_phone
from ads.extraction.payments import normalise_payment
from ads.models import Ad, EntityKind
from cases.models import Alert, Frequency, WatchKind, Watchlist

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


# --- watchlists and alerts ----------------------------------------------------------------------
def watch_value_normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind == WatchKind.PHONE:
        phone = read_phone(value)
        if phone is None:
            raise ValidationError("Not a phone number.")
        return phone
    if kind == WatchKind.EMAIL:
        email = normalise_email(value)
        if email is None:
            raise ValidationError("Not an email address.")
        return email
    if kind == WatchKind.HANDLE:
        return value.lower().lstrip("@")
    if kind == WatchKind.PAYMENT:
        payment = normalise_payment(value)
        if payment is None:
            raise ValidationError(
                "Not a payment identifier ($cashtag, venmo:name, a bitcoin or ethereum address)."
            )
        return payment
    if kind == WatchKind.KEYWORD:
        if len(value) < 3:
            raise ValidationError("A keyword needs at least 3 characters.")
        return value.lower()
    return ""


def watchlist_create(
    *,
    user: User,
    kind: str,
    value: str = "",
    label: str = "",
    frequency: str = Frequency.IMMEDIATE,
    bbox: tuple[float, float, float, float] | None = None,
) -> Watchlist:
    """Watch an identifier, a keyword or a box (min_lat, min_lng, max_lat, max_lng)."""
    if kind not in WatchKind.values or frequency not in Frequency.values:
        raise ValidationError("Unknown watch kind or frequency.")
    box: dict[str, float | None] = dict.fromkeys(("min_lat", "min_lng", "max_lat", "max_lng"))
    if kind == WatchKind.AREA:
        if bbox is None:
            raise ValidationError("An area needs a bounding box.")
        min_lat, min_lng, max_lat, max_lng = bbox
        if not (-90 <= min_lat < max_lat <= 90 and -180 <= min_lng < max_lng <= 180):
            raise ValidationError("The bounding box is not valid.")
        box = {"min_lat": min_lat, "min_lng": min_lng, "max_lat": max_lat, "max_lng": max_lng}
    normalised = watch_value_normalise(kind, value)
    return Watchlist.objects.create(
        user=user,
        kind=kind,
        value=normalised,
        label=(label or value or "area")[:200],
        frequency=frequency,
        **box,
    )


def _matching_ads(watchlist: Watchlist, ad_ids: Sequence[int]) -> list[int]:
    ads = Ad.objects.visible_to(watchlist.user).filter(pk__in=ad_ids)
    value = watchlist.value
    if watchlist.kind == WatchKind.PHONE:
        ads = ads.filter(
            occurrences__entity__kind=EntityKind.PHONE, occurrences__entity__value=value
        )
    elif watchlist.kind == WatchKind.EMAIL:
        ads = ads.filter(
            occurrences__entity__kind=EntityKind.EMAIL, occurrences__entity__value=value
        )
    elif watchlist.kind == WatchKind.HANDLE:
        ads = ads.filter(
            Q(occurrences__entity__value=value)
            | Q(occurrences__entity__value__endswith=f":{value}"),
            occurrences__entity__kind=EntityKind.HANDLE,
        )
    elif watchlist.kind == WatchKind.PAYMENT:
        ads = ads.filter(
            occurrences__entity__kind=EntityKind.PAYMENT, occurrences__entity__value=value
        )
    elif watchlist.kind == WatchKind.KEYWORD:
        ads = ads.filter(Q(title__icontains=value) | Q(body__icontains=value))
    else:
        ads = ads.filter(
            location__lat__gte=watchlist.min_lat,
            location__lat__lte=watchlist.max_lat,
            location__lng__gte=watchlist.min_lng,
            location__lng__lte=watchlist.max_lng,
        )
    return sorted(set(ads.values_list("pk", flat=True)))


def watchlists_match_ads(*, ad_ids: Sequence[int]) -> list[Alert]:
    """Alerts for the new ads that match active watchlists, only among ads the watcher may see.

    Immediate watchlists are e-mailed straight away (after commit); digests wait for their task.
    """
    created: list[Alert] = []
    if not ad_ids:
        return created
    for watchlist in Watchlist.objects.filter(active=True, user__is_active=True).select_related(
        "user"
    ):
        matches = _matching_ads(watchlist, ad_ids)
        if not matches:
            continue
        existing = set(
            Alert.objects.filter(watchlist=watchlist, ad_id__in=matches).values_list(
                "ad_id", flat=True
            )
        )
        new = [
            Alert(watchlist=watchlist, ad_id=ad_id) for ad_id in matches if ad_id not in existing
        ]
        Alert.objects.bulk_create(new, ignore_conflicts=True)
        created += new
        if new:
            logger.info("watchlist %s matched ads %s", watchlist.pk, [a.ad_id for a in new])
    immediate = {a.watchlist_id for a in created if a.watchlist.frequency == Frequency.IMMEDIATE}
    if immediate:
        transaction.on_commit(
            lambda: [
                watchlist_send(watchlist=w)
                for w in Watchlist.objects.filter(pk__in=immediate).select_related("user")
            ]
        )
    return created


def watchlist_send(*, watchlist: Watchlist) -> int:
    """E-mail the watcher the alerts not yet sent; returns how many.

    The mail carries links and counts, never ad text or identifiers: mailboxes are less guarded than
    the platform, and the link opens the ad behind the same access rules and audit.
    """
    alerts = list(
        Alert.objects.filter(watchlist=watchlist, emailed_at__isnull=True).order_by("pk")[:200]
    )
    if not alerts:
        return 0
    now = timezone.now()
    if watchlist.user.email:
        base = settings.SITE_URL.rstrip("/")
        lines = [
            f"{len(alerts)} new ad(s) matched your watchlist #{watchlist.pk} ({watchlist.kind}).",
            "",
        ]
        lines += [f"{base}{reverse('cases:ad', args=[a.ad_id])}" for a in alerts]
        send_mail(
            subject=f"[Leads] {len(alerts)} new match(es) for watchlist #{watchlist.pk}",
            message="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[watchlist.user.email],
        )
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=now)
    Watchlist.objects.filter(pk=watchlist.pk).update(last_sent_at=now)
    return len(alerts)


DIGEST_PERIOD = {Frequency.HOURLY: timedelta(hours=1), Frequency.DAILY: timedelta(days=1)}


def watchlists_send_digests(*, now: datetime | None = None) -> int:
    """Send the hourly and daily digests that are due; returns the number of alerts sent."""
    now = now or timezone.now()
    sent = 0
    for frequency, period in DIGEST_PERIOD.items():
        due = Watchlist.objects.filter(
            frequency=frequency, active=True, alerts__emailed_at__isnull=True
        )
        due = due.filter(
            Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - period)
        ).distinct()
        for watchlist in due.select_related("user"):
            sent += watchlist_send(watchlist=watchlist)
    return sent


def alerts_mark_read(*, user: User, alert_ids: Sequence[int]) -> int:
    return Alert.objects.filter(
        watchlist__user=user, pk__in=alert_ids, read_at__isnull=True
    ).update(read_at=timezone.now())
