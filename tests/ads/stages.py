"""Pipeline stages for tests: real handlers that write, and one that fails on a poisonous ad."""

from __future__ import annotations

from ads.models import Ad


def mark_seen(ads: list[Ad]) -> str:
    for ad in ads:
        Ad.objects.filter(pk=ad.pk).update(language=(ad.language or "") + "s")
    return "mark-v1"


def fail_on_poison(ads: list[Ad]) -> str:
    for ad in ads:
        if "POISON" in ad.body:
            raise ValueError(f"cannot process ad {ad.pk}")
    return "poison-v1"
