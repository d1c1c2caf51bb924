"""The cold-start lead score: evidence an auditor can read, not a head trained on synthetic prose.

Until investigators' decisions exist in enough number to train and calibrate a model on them, the
risk shown for an ad is this score. It adds log-odds per family of evidence (each family counted
once per ad, however often its words repeat) to a prior, and turns the sum into a number between 0
and 1. It is a *lead score*, a rank of which ads deserve a look first; it is not a calibrated
probability, and pages say so.

Strength of each family (docs/indicators.md gives each detector's source and its measured
precision on real ads):
- strong: an explicit age under 18 or claim of being a minor, coercion or control of the person,
  several forced-labour (ILO) indicators together, recruitment that both hires and promises pay;
- moderate: third-party control (a pimp, manager or driver; an agency or booking line; an ad
  written about her in the third person; an ad offering other women), several women offered in
  one ad, youthful wording, recruitment into commercial sex (hiring words, or pay promised);
- weak: risky services, an obscured phone number, event timing, trust wording, emoji with a coded
  meaning, paraphrases caught by embedding similarity.
A flag needs one strong family or two moderate ones: weak signs, price or emoji never flag alone.
Stated ethnicity, nationality and language are never evidence (they are not even detected here).
Movement wording ("new in town") is shown as movement, with no weight: the NIJ-funded study found
it *less* common in trafficking ads, while practitioners read it as a sign of circuits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.conf import settings

from .indicators import Indicator

STRONG, MODERATE, WEAK = "strong", "moderate", "weak"

# family -> (strength, log-odds it adds once per ad)
FAMILY_EVIDENCE: dict[str, tuple[str, float]] = {
    "underage": (STRONG, 4.5),
    "coercion": (STRONG, 4.0),
    "third_party": (MODERATE, 2.1),
    "youthful": (MODERATE, 2.1),
    "recruitment": (MODERATE, 2.1),
    # Several women offered in one ad (a roster, "my girls", duos).
    "several_people": (MODERATE, 2.1),
    # "gfe" and "full service" are ordinary escort-ad words; unprotected services are weak evidence.
    "risky_services": (WEAK, 0.5),
    "obscured_phone": (WEAK, 0.5),
    "events": (WEAK, 0.3),
    "trust": (WEAK, 0.2),
    "emoji": (WEAK, 0.3),
    "paraphrase": (WEAK, 0.3),
}
# Several ILO forced-labour indicators together are strong; one alone is common in honest job ads.
ILO_SEVERAL = (STRONG, 4.0)
ILO_ONE = (WEAK, 0.3)
# An ad of the sex trade that both hires ("now hiring escorts") and promises pay ("take home $500
# a day", "no experience needed") recruits into the trade: strong (docs/labelling.md, look first).
RECRUITMENT_WITH_PAY = (STRONG, 4.0)
# The prior: an ad with no evidence sits near 2%; one moderate family alone stays under 0.5.
PRIOR_LOG_ODDS = -3.9


def _family_of(hit: Indicator) -> str:
    if hit.code.startswith("emoji_"):
        return "emoji"
    # Paraphrases caught by embedding similarity are weak: with thresholds fitted on real ads
    # (bench/real_prototypes.py) they catch none of the labelled signs on the test split, so a
    # near-paraphrase is a reason to read, not to flag.
    return "paraphrase" if hit.code.startswith("paraphrase_") else hit.family


def evidence(hits: Iterable[Indicator]) -> dict[str, tuple[str, float]]:
    """The families present in an ad's indicators, each with its strength and log-odds."""
    present: dict[str, tuple[str, float]] = {}
    ilo_codes: set[str] = set()
    recruitment_codes: set[str] = set()
    for hit in hits:
        if hit.counter:
            continue
        family = _family_of(hit)
        if family == "ilo":
            ilo_codes.add(hit.code)
        elif family in FAMILY_EVIDENCE:
            present[family] = FAMILY_EVIDENCE[family]
            if family == "recruitment":
                recruitment_codes.add(hit.code)
    if ilo_codes:
        present["ilo"] = ILO_SEVERAL if len(ilo_codes) >= 2 else ILO_ONE
    if len(recruitment_codes) >= 2:
        present["recruitment"] = RECRUITMENT_WITH_PAY
    return present


def enough_evidence(present: dict[str, tuple[str, float]]) -> bool:
    """One strong family, or two moderate (or stronger) families."""
    strong = sum(1 for s, _ in present.values() if s == STRONG)
    moderate = sum(1 for s, _ in present.values() if s == MODERATE)
    return strong >= 1 or moderate >= 2


def lead_score(hits: Iterable[Indicator]) -> tuple[float, bool]:
    """(lead score in 0..1, whether the ad is flagged at RISK_FLAG_THRESHOLD)."""
    hits = list(hits)
    present = evidence(hits)
    logit = PRIOR_LOG_ODDS + sum(weight for _, weight in present.values())
    score = 1.0 / (1.0 + math.exp(-logit))
    return score, flag(score, hits)


def flag(risk: float, hits: Iterable[Indicator]) -> bool:
    """The one rule for "flagged": the risk shown (lead score, or a promoted decision head's
    probability) reaches RISK_FLAG_THRESHOLD, and the ad carries one strong or two moderate
    kinds of evidence. A number alone never flags an ad."""
    return risk >= settings.RISK_FLAG_THRESHOLD and enough_evidence(evidence(hits))


def minor_score(hits: Iterable[Indicator], ages: Iterable[int]) -> float:
    """How strongly the ad's own words suggest a person under 18.

    An explicit age under 18 or an explicit claim is strong on its own (possible minor every
    time); youthful wording alone is a reason to look, not a possible minor; a stated age of 25 or
    more with no youthful wording keeps it low.
    """
    hits = list(hits)
    # A paraphrase caught by embedding similarity is a reason to read, never age evidence.
    families = {h.family for h in hits if not h.counter and _family_of(h) != "paraphrase"}
    stated = [a for a in ages if isinstance(a, int)]
    if "underage" in families:
        return 0.95
    if "youthful" in families:
        return 0.35 if not stated or min(stated) < 21 else 0.15
    if stated and min(stated) >= 25:
        return 0.01
    return 0.03


def possible_minor(score: float) -> bool:
    return score >= settings.MINOR_FLAG_THRESHOLD
