"""A stand-in scoring stage for the desk's pipeline test: flags ads that say "new in town".

The real scorer needs a trained model; the queue stage only reads AdScore rows, so this writes
the same rows from a plain rule.
"""

from __future__ import annotations

from ads.models import Ad
from analytics.models import AdScore


def rule_score(ads: list[Ad]) -> str:
    for ad in ads:
        flagged = "new in town" in ad.document.lower()
        AdScore.objects.update_or_create(
            ad=ad,
            defaults={
                "risk": 0.8 if flagged else 0.1,
                "minor": 0.05,
                "flagged": flagged,
                "possible_minor": False,
                "indicator_codes": ["new_in_town"] if flagged else [],
                "reason": "Says it is new in town." if flagged else "",
                "model_version": "rule-v1",
                "revision": ad.revision_count,
            },
        )
    return "rule-v1"
