"""Explainable risk indicators: what fired, where in the text, how much it weighs and why.

Sources of indicators, each carried in `provenance`:
- curated lexicons grouped like TellFinder's keyword classes (underage, coercion, risky services,
  movement, events); the terms are this project's own curation, not a copied list;
- emoji with a known coded meaning in ad language;
- the ILO indicators of forced labour (ILO 2012, "ILO indicators of Forced Labour") for job ads;
- third-party control ("my daddy", "my driver", "my manager");
- the 2024 NIJ-funded study of 1,586 ads from 318 closed cases: obscured phone numbers,
  trustworthy language, stated ethnicity and youthful language were predictive; movement
  language ("new in town") was *less* common in trafficking ads, so it is a counter-indicator;
- optional extraction results (phones, ages, obfuscated_phone, ethnicities) from ads/extraction;
- embedding similarity to prototype phrases, so paraphrases the lexicon misses are caught.

Weights are evidence grades, not fitted coefficients: 1.0 strong, 0.6 moderate, 0.3 weak,
negative for counter-indicators. The trained heads see them as features and learn how much they
matter; the weights order the explanation and the reason sentence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

# Indicator families; also the order of the feature vector the heads see.
FAMILIES = (
    "youthful",
    "underage",
    "third_party",
    "coercion",
    "risky_services",
    "trust",
    "ethnicity",
    "obscured_phone",
    "events",
    "movement",
    "ilo",
)
# Families whose signal concerns a possible minor (they also feed the minor head).
MINOR_FAMILIES = frozenset({"youthful", "underage"})

NIJ_2024 = "NIJ-funded study 2024 (1,586 ads, 318 closed cases)"
ILO_2012 = "ILO indicators of forced labour (2012)"
TELLFINDER = "project lexicon, TellFinder keyword class"
IBANEZ_2014 = "Ibanez & Suthers 2014 (HICSS), indicators in escort ads"


@dataclass(frozen=True)
class Indicator:
    """One piece of evidence found in an ad."""

    code: str
    label: str
    family: str
    weight: float
    provenance: str
    span: tuple[int, int] | None  # character offsets in the scored text; None = whole text
    matched: str = ""

    @property
    def counter(self) -> bool:
        """A counter-indicator lowers suspicion (negative weight)."""
        return self.weight < 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data["span"] = list(self.span) if self.span else None
        data["counter"] = self.counter
        return data


@dataclass(frozen=True)
class LexiconEntry:
    """A family of patterns that fire one indicator code."""

    code: str
    label: str
    family: str
    weight: float
    provenance: str
    patterns: tuple[str, ...]
    # A negated match ("no agency", "not an agency") does not fire.
    negatable: bool = False
    # Fires only in an ad of the sex trade (escort, massage, adult work): "join our team" or
    # "call us" in an electrician's job ad is not third-party control or recruitment into it.
    needs_context: bool = False
    compiled: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)
    # All patterns as one alternation: a text it finds nothing in has no hit for this entry, so
    # one scan replaces one per pattern for the (usual) entries that do not fire.
    any_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)


def _entry(
    code: str,
    label: str,
    family: str,
    weight: float,
    provenance: str,
    *patterns: str,
    negatable: bool = False,
    needs_context: bool = False,
) -> LexiconEntry:
    compiled = tuple(re.compile(rf"(?<!\w)(?:{p})(?!\w)", re.IGNORECASE) for p in patterns)
    alternation = "|".join(f"(?:{p})" for p in patterns)
    any_pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
    return LexiconEntry(
        code,
        label,
        family,
        weight,
        provenance,
        patterns,
        negatable,
        needs_context,
        compiled,
        any_pattern,
    )


# Indicators written by two entries (one always, one only in an ad of the sex trade).
RECRUITMENT = (
    "recruitment",
    "recruitment into commercial sex",
    "recruitment",
    0.6,
    "Polaris typology (escort/commercial-front recruitment); project lexicon",
)
# The pay promised to recruits: with hiring words, the ad recruits into the trade (lead.py).
RECRUITMENT_PAY = (
    "recruitment_pay",
    "pay promised to recruits (money fast, no experience needed)",
    "recruitment",
    0.6,
    "Polaris typology (recruitment by promises of easy money); project lexicon",
)
MOVEMENT = (
    "movement_language",
    "movement language (new in town)",
    "movement",
    -0.3,
    f"{NIJ_2024}: movement language LESS common in trafficking ads; {TELLFINDER} movement",
)

LEXICON: tuple[LexiconEntry, ...] = (
    _entry(
        "youthful_language",
        "youthful language",
        "youthful",
        0.6,
        f"{NIJ_2024}: youthful language predictive; {TELLFINDER} underage",
        # "new girl in town" is movement, not youth.
        r"new girl(?!\s+(?:in|to) (?:town|the area|the city))",
        r"barely (?:legal|18|eighteen)",
        r"just turned (?:18|eighteen)",
        r"young(?:est)? (?:and )?(?:fresh|sweet|tight)",
        r"fresh (?:and )?young",
        r"petite young",
        r"teen(?:ie|y)?",
        r"little (?:girl|angel|princess)",
        r"schoolgirl|school girl",
        r"innocent",
        r"first time (?:in|doing) this",
        # "young lady" and "young woman" are how adults describe themselves (docs/labelling.md).
        r"young (?:\w+ )?(?:girls?|students?|thing|beauty|beauties|hotties?|babes?)",
        # A first-timer in the trade, not a new client ("first timers welcome", "great with first
        # timers", "whether you're a first timer").
        r"(?<!with )(?<!for )(?<!a )(?<!all )first[ -]?timers?"
        r"(?! (?:are )?(?:welcome|friendly|special|discount))",
        r"(?:i am|i'?m|im) (?:a |an )?(?:\w+ )?student|braces",
        r"primeriza|novata|estudiante|soy nueva en esto",
        r"at a young age",
        r"(?:college|university|uni) (?:girls?|students?)|coeds?",
        r"fresh (?:faces?|girls?)",
        # "niña" alone matched the name Nina; the Spanish words kept are unambiguous.
        r"jovencita|colegiala",
    ),
    _entry(
        "underage_cue",
        "possible minor",
        "underage",
        1.0,
        f"{TELLFINDER} underage",
        r"under ?age",
        # "High School diploma" is a job requirement, not a person's age.
        r"high school(?! (?:diploma|degree|education|graduate|equivalent|or|/))",
        r"(?:1[0-7]) ?(?:yo|y/o|years? old|a[ñn]os)",
        r"age[:\s]+1[0-7]",
        r"lolita",
        r"candy girl",
        r"fresh out of school",
        r"menor de edad",
        negatable=True,
        needs_context=True,
    ),
    _entry(
        "third_party_control",
        "third-party control",
        "third_party",
        1.0,
        "project lexicon: third-party control (pimp/manager/driver references)",
        r"(?:my|our|her|the) daddy",
        r"(?:my|our|her) (?:driver|manager|boss|bf|boyfriend)",
        r"(?:talk|speak|text) to (?:my|our) (?:manager|man|driver)",
        r"(?:booking|bookings|appointments) (?:through|by|via) (?:my|our) \w+",
        r"(?:daddy|manager|driver) (?:handles|takes|sets|does)",
        r"mi (?:manager|jefe|chofer)",
    ),
    _entry(
        "agency",
        "an agency or someone else takes the bookings",
        "third_party",
        1.0,
        f"{IBANEZ_2014}: ad placed by a third party; Polaris typology (escort agencies)",
        # "my massage service" is a masseuse's own; "Agency name:" an empty form field.
        # Site menus ("Escort Agencies", "Incall Escort Service", "Agency: Independent") are not
        # the ad's own words about who runs it.
        r"(?<!incall )(?<!outcall )(?:escort|model(?:l?ing)?|companion|entertainment)"
        r" (?:agency|service|company)",
        r"agency(?! name)(?!:? ?independent)|our agencies",
        r"booking (?:agent|line|office|desk|manager|team)",
        r"receptionists?|dispatchers?|proprietress|madam",
        r"(?:call|text|contact|email|e-mail|write to|book with) us",
        negatable=True,
        needs_context=True,
    ),
    _entry(
        "offers_others",
        "the ad offers other women (a choice of girls)",
        "third_party",
        1.0,
        f"{IBANEZ_2014}: ad placed by a third party; Polaris typology (escort agencies)",
        # The poster offers women other than herself: someone else arranges them.
        r"(?:my|our) (?:\w+ )?(?:escorts?|girls?|ladies) friends",
        r"(?:select|choose|pick|book) any (?:\w+ ){0,3}?(?:girls?|ladies|escorts?|models?"
        r"|companions?)",
        r"(?:girls?|ladies|escorts?|models?|companions?) of your (?:choice|wish|liking|taste)",
        r"(?:lots|plenty) of (?:\w+ )?(?:girls|ladies|escorts)",
        r"(?:girls|ladies|escorts|models) to choose from"
        r"|choose (?:from|between) (?:our|my|the) (?:\w+ ){0,2}?(?:girls|ladies|escorts|models)",
        r"our (?:\w+ ){0,2}?(?:girls|ladies|escorts|models|companions)(?! friends)",
        r"(?:you can )?meet us all",
        negatable=True,
        needs_context=True,
    ),
    _entry(
        "several_people",
        "several women offered in one ad",
        "several_people",
        1.0,
        f"{IBANEZ_2014}: several people advertised in one ad",
        # "new" only right before the noun: "New Orleans escorts" is a place.
        r"(?:our|my|other|more|many|lots of|several|variety of|selection of|choice of)"
        r" (?:\w+ ){0,2}?(?:girls|ladies|women|models|escorts|companions|masseuses|therapists"
        r"|providers|hotties|beauties)",
        r"new (?:girls|ladies|women|models|escorts|masseuses)",
        # A count right before the noun ("3 girls", "two sexy ladies"), not "22 years ... escorts".
        r"(?:[2-9]|two|three|four|five|six|ten) (?:[a-z]+ )?(?:girls|ladies|women|models)",
        r"(?:2|two|3|three) ?girls? (?:specials?|shows?|fun|party|parties|action|fantasy)",
        r"one or both(?: of us)?",
        r"duos?|four hands|threesomes? with (?:my|a) (?:girl ?friend|friend)",
        r"(?:girls|ladies) (?:available|on duty|on shift|to choose from)",
        # A choice among women is several women too (and, as offers_others, a third party).
        r"(?:select|choose|pick|book) any (?:\w+ ){0,3}?(?:girls?|ladies|escorts?|models?)",
        r"(?:girls?|ladies|escorts?|models?|companions?) of your (?:choice|wish|liking|taste)",
        r"(?:my|our) (?:\w+ )?(?:escorts?|girls?|ladies) friends",
        r"roster",
        negatable=True,
        needs_context=True,
    ),
    _entry(
        "coercion",
        "coercion or control of the person",
        "coercion",
        1.0,
        f"{TELLFINDER} coercion",
        r"must (?:do|obey|please) (?:everything|anything)",
        r"does what (?:she'?s|she is) told",
        r"can'?t (?:leave|say no)",
        # "available 24/7" and "24 hrs" are business hours in escort ads, not coercion: 148 of 149
        # real ads it fired on said nothing else (issue #15), so it is no longer a pattern.
    ),
    _entry(
        "risky_services",
        "unprotected or no-limits services",
        "risky_services",
        0.6,
        f"{TELLFINDER} risky services",
        # "GFE" and "full service" are ordinary escort-ad words (27 of 30 checked firings of the
        # old pattern meant nothing risky): only unprotected and no-limits services count.
        r"bare ?back|bbfs|bbbj|bbj",
        r"no (?:limits|rules)",
        r"no condoms?|without (?:a )?condoms?|condom ?free",
        r"cim|cof|cob|swallow",
    ),
    _entry(
        "trustworthy_language",
        "trustworthy language",
        "trust",
        0.3,
        f"{NIJ_2024}: trustworthy language predictive",
        r"100 ?% real",
        r"real (?:pics|photos|pictures)",
        r"no (?:fakes?|scams?|games)",
        r"(?:safe|clean) (?:and )?(?:discreet|place)",
        r"trust(?:ed|worthy)",
        r"verified",
        r"not a cop|no cops|no le",
        needs_context=True,
    ),
    # Stated ethnicity, nationality and language are never indicators: nobody is flagged, or scored
    # higher, for who they are (issue #15; docs/fairness.md).
    _entry(
        *RECRUITMENT,
        r"(?:now )?hiring (?:new )?(?:girls|ladies|women|models|dancers|escorts|providers)",
        r"(?:girls|ladies|models|dancers|providers|escorts) (?:wanted|needed)",
        r"looking for (?:new )?(?:girls|ladies|providers|models) to (?:join|work)",
        r"becom(?:e|ing) an? (?:companion|escort|provider|dancer)",
    ),
    # Words of any job ad ("now hiring", "join our team", "apply today", pay per day): recruitment
    # into the sex trade only in an ad of the sex trade.
    _entry(
        *RECRUITMENT,
        r"now hiring|hiring (?:\w+ ){0,2}(?:girls|ladies|women|females|models|dancers|escorts"
        r"|providers|masseuses|therapists)",
        r"(?:join|be part of) (?:our|the) (?:team|agency|family|roster|company)",
        # Recruiting phrasing, not a client "looking for Portland escorts".
        r"(?:looking for|seeking|recruiting|accepting) (?:\w+ ){0,4}?(?:girls|ladies|women|females"
        r"|models|companions|escorts|providers) (?:to|who|for|between|aged|with)",
        r"apply (?:now|today|within|here)|to apply|applications? (?:for|from)|invite applications",
        # A recruiter's requirements list.
        r"females? only|must be (?:18|21)(?:\+| or older| years)",
        r"(?:real|great|business) opportunity",
        needs_context=True,
    ),
    _entry(*RECRUITMENT_PAY, r"make (?:money|\$+|cash|bank) fast"),
    _entry(
        *RECRUITMENT_PAY,
        # "\$ ?\d[\d,]*": the whole amount, or the word-end guard fails after its first digit.
        r"(?:earn|make|take home|bring home) (?:over |up to )?\$ ?\d[\d,]*",
        r"\$ ?\d[\d,]*\+? ?(?:per|a|/) ?(?:day|week|shift)|\$ ?\d[\d,]*\+? (?:daily|weekly)",
        r"\d\d ?/ ?\d\d split",
        r"(?:make|earn) (?:as much |a lot of |lots of |good |great |big |real |extra |more )?money",
        r"no (?:previous |prior )?(?:\w+ )?experience (?:is )?(?:necessary|needed|required)",
        r"(?:the )?pay (?:will be|is) \$ ?\d[\d,]*",
        needs_context=True,
    ),
    _entry(
        "event_timing",
        "event-related timing",
        "events",
        0.3,
        f"{TELLFINDER} events",
        r"super ?bowl",
        r"convention",
        r"race week(?:end)?",
        r"(?:this|in town for the) (?:game|festival|tournament)",
    ),
    _entry(
        *MOVEMENT,
        r"new (?:in|to) (?:town|the area|the city)",
        r"in town (?:for|until|only)",
        r"leaving (?:soon|tomorrow|friday)",
        r"recien llegada|reci[ée]n llegada",
    ),
    _entry(
        *MOVEMENT,
        # Not "thank you for visiting our site", nor "visiting hotels" (outcalls); a touring
        # company in a job ad is no movement of a person.
        r"(?<!for )(?:just )?visiting(?! (?:our|this|the|my) (?:site|website|page|gallery)"
        r"| (?:hotels?|house|homes?|you))",
        r"on tour|touring",
        needs_context=True,
    ),
    # ILO forced-labour indicators, for job ads. One alone is common in honest job ads (98% of
    # sampled migrant job ads had one); the heads get the count and only several together count.
    _entry(
        "ilo_deception",
        "ILO: deceptive offer",
        "ilo",
        0.3,
        f"{ILO_2012}: abuse of vulnerability / deception",
        r"no experience (?:needed|required)",
        r"(?:earn|make) \$?\d[\d,]* ?(?:a|per|/) ?(?:week|day)",
        r"easy money",
        r"too good",
        r"guaranteed (?:income|job|visa)",
        r"no (?:english|language) (?:needed|required)",
    ),
    _entry(
        "ilo_debt_bondage",
        "ILO: debt bondage",
        "ilo",
        0.6,
        f"{ILO_2012}: debt bondage",
        r"(?:we|company|employer) (?:pay|pays|cover|covers) (?:your )?"
        r"(?:travel|ticket|flight|visa)",
        r"repay (?:from|out of) (?:your )?(?:wages|salary|earnings)",
        r"deducted from (?:your )?(?:wages|salary|pay)",
        r"(?:travel|visa|placement|recruitment) (?:fee|debt)",
    ),
    _entry(
        "ilo_retained_documents",
        "ILO: retention of identity documents",
        "ilo",
        1.0,
        f"{ILO_2012}: retention of identity documents",
        r"(?:we|employer|company|agency) (?:will )?(?:keep|hold|holds|keeps) (?:your )?"
        r"(?:passport|documents|papers|id)",
        r"(?:hand|give) (?:over )?(?:your )?passport",
        r"passport (?:held|kept|retained)",
    ),
    _entry(
        "ilo_restricted_movement",
        "ILO: restriction of movement",
        "ilo",
        0.6,
        f"{ILO_2012}: restriction of movement",
        r"(?:must|will) (?:live|stay) (?:on site|at the (?:house|club|workplace))",
        r"accommodation provided.{0,20}(?:not allowed|cannot) (?:to )?leave",
        r"(?:not allowed|cannot) (?:to )?leave",
        r"(?:transport|escort) (?:to and from|provided) (?:work|daily)",
    ),
    _entry(
        "ilo_withheld_wages",
        "ILO: withholding of wages",
        "ilo",
        0.6,
        f"{ILO_2012}: withholding of wages",
        r"paid at the end of (?:the )?(?:contract|season|year)",
        r"wages (?:held|kept|paid later)",
        r"(?:cash|pay) (?:on|at) completion",
    ),
    _entry(
        "ilo_excessive_hours",
        "ILO: excessive overtime",
        "ilo",
        0.3,
        f"{ILO_2012}: excessive overtime",
        r"(?:7|seven) days a week",
        r"1[2-9] ?(?:hours?|hrs?) (?:a|per) day",
        r"no days off",
    ),
    _entry(
        "ilo_isolation",
        "ILO: isolation",
        "ilo",
        0.3,
        f"{ILO_2012}: isolation",
        r"no phones? allowed",
        r"remote (?:location|farm|site)",
        r"(?:no|without) contact with (?:family|outside)",
    ),
)

# Emoji with a coded meaning in ad language (project curation; meanings documented by NGOs such
# as Polaris and law-enforcement training material, summarised, not copied).
EMOJI: dict[str, tuple[str, str, str, float]] = {
    "🍭": ("emoji_lollipop", "emoji 🍭 (youth)", "youthful", 0.6),
    "🍬": ("emoji_candy", "emoji 🍬 (candy: youth)", "youthful", 0.6),
    "👧": ("emoji_girl", "emoji 👧 (young girl)", "youthful", 0.6),
    "🧸": ("emoji_teddy", "emoji 🧸 (youth)", "youthful", 0.3),
    "🎀": ("emoji_bow", "emoji 🎀 (youth)", "youthful", 0.3),
    "🍒": ("emoji_cherry", "emoji 🍒 (virginity: youth)", "youthful", 0.6),
    "🌹": ("emoji_rose", "emoji 🌹 (roses: price)", "risky_services", 0.3),
    "👑": ("emoji_crown", "emoji 👑 (pimp/daddy)", "third_party", 0.6),
    "🚗": ("emoji_car", "emoji 🚗 (driver/travel)", "movement", -0.1),
    "✈️": ("emoji_plane", "emoji ✈️ (travel)", "movement", -0.1),
    "✈": ("emoji_plane", "emoji ✈ (travel)", "movement", -0.1),
    "🆕": ("emoji_new", "emoji 🆕 (new girl)", "youthful", 0.3),
}
EMOJI_PROVENANCE = "project emoji glossary (coded meanings in ad language)"

# Prototype phrases: an ad whose embedding is at least this close to one of its family's phrases
# fires the family's paraphrase indicator. Fitted per family on real ads by
# bench/real_prototypes.py (docs/bench-scoring.md): the lowest cosine at which at most 0.5% of the
# real ads fire and no development ad without the family's sign does.
PROTOTYPE_THRESHOLDS: dict[str, float] = {
    "youthful": 0.37,
    "underage": 0.42,
    "third_party": 0.44,
    "coercion": 0.41,
    "ilo": 0.30,
}
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "youthful": (
        "a very young girl who just started doing this",
        "sweet innocent young thing, fresh and new",
    ),
    "underage": (
        "she is still in high school",
        "a girl younger than eighteen",
    ),
    "third_party": (
        "her boyfriend arranges her clients and keeps the money",
        "contact my manager to book time with the girls",
    ),
    "coercion": ("she has no choice and must do whatever the client wants",),
    "ilo": (
        "the employer keeps your passport and you repay the travel debt from your wages",
        "work abroad, we pay your ticket and you live at the workplace",
    ),
}


@dataclass(frozen=True)
class Prototypes:
    """Prototype phrase embeddings, computed once with the scoring encoder."""

    families: tuple[str, ...]
    phrases: tuple[str, ...]
    embeddings: np.ndarray  # (n_phrases, dim)

    @classmethod
    def build(cls, encode: Any) -> Prototypes:
        """`encode` maps a list of texts to an (n, dim) array."""
        families: list[str] = []
        phrases: list[str] = []
        for family, items in PROTOTYPES.items():
            for phrase in items:
                families.append(family)
                phrases.append(phrase)
        return cls(tuple(families), tuple(phrases), np.asarray(encode(phrases), dtype=np.float32))

    def max_similarity(self, embedding: np.ndarray) -> dict[str, tuple[float, str]]:
        """Per family: highest cosine of the ad to one of its phrases, and that phrase."""
        sims = self.embeddings @ embedding
        best: dict[str, tuple[float, str]] = {}
        for family, phrase, sim in zip(self.families, self.phrases, sims, strict=True):
            if family not in best or sim > best[family][0]:
                best[family] = (float(sim), phrase)
        return best


# "no agency", "not an agency", "non-agency", "independent, no agency": the words just before a
# negatable match say it is absent.
_NEGATED = re.compile(r"(?<![a-z])(?:no|not|non|never|without)(?![a-z])[\s\-a-z]{0,12}$", re.I)


# Words of the sex trade: an ad with none of them is some other ad (a job, a sale).
_SEX_TRADE = re.compile(
    r"escort|incall|outcall|in-call|out-call|(?<![a-z])gfe(?![a-z])|body ?rubs?|erotic|sensual"
    r"|adult (?:entertainment|work|industry|jobs?|videos?|films?|modell?ing)"
    r"|gentlem[ae]n|donations?|roses|fetish|strip(?:per|ping)|xxx|sugar (?:daddy|baby)|massage"
    r"|(?<![a-z])(?:qv|hhr|hh)(?![a-z])|dominatrix|playmate|call ?girls?|hookers?|webcam|nude"
    r"|sexy|gorgeous|busty|curvy|lingerie|naughty|intimate|seductive|kinky|bdsm|upscale gent"
    r"|becom(?:e|ing) an? companion",
    re.IGNORECASE,
)


def sex_trade_context(text: str) -> bool:
    """Whether the ad speaks of the sex trade at all (gates third-party and recruitment words)."""
    return _SEX_TRADE.search(text) is not None


def _lexicon_hits(text: str) -> list[Indicator]:
    hits: list[Indicator] = []
    context: bool | None = None
    for entry in LEXICON:
        if entry.any_pattern is not None and entry.any_pattern.search(text) is None:
            continue
        if entry.needs_context:
            if context is None:
                context = sex_trade_context(text)
            if not context:
                continue
        taken: list[tuple[int, int]] = []
        for pattern in entry.compiled:
            for match in pattern.finditer(text):
                span = match.span()
                if span[0] == span[1] or any(span[0] < e and s < span[1] for s, e in taken):
                    continue
                if entry.negatable and _NEGATED.search(text[max(0, span[0] - 24) : span[0]]):
                    taken.append(span)  # "not an escort agency" also hides "agency" inside it
                    continue
                taken.append(span)
                hits.append(
                    Indicator(
                        entry.code,
                        entry.label,
                        entry.family,
                        entry.weight,
                        entry.provenance,
                        span,
                        match.group(0),
                    )
                )
    return hits


# A digit word counts only where no letter touches it ("2ONE6" yes, the "one" in "phone" no).
_WORD = r"(?<![a-z])(?:zero|one|two|three|four|five|six|seven|eight|nine)(?![a-z])"
_DIGIT_RUN = re.compile(rf"(?:(?:\d|{_WORD})[\W_]{{0,4}}){{7,}}", re.IGNORECASE)
_DIGIT_WORD = re.compile(_WORD, re.IGNORECASE)
_OBSCURING = re.compile(r"[*~\[\]{}#|]")


def _obscured_phone_hits(text: str) -> list[Indicator]:
    """Phone numbers written to evade search: digits as words, or broken up with symbols."""
    hits: list[Indicator] = []
    for match in _DIGIT_RUN.finditer(text):
        # Symbols after the last digit ("555-123-4567 |", "### 5551234567 ###") obscure nothing.
        run = re.sub(r"[\W_]+$", "", match.group(0))
        words = len(_DIGIT_WORD.findall(run))
        digits = sum(c.isdigit() for c in run) + words
        # Symbols alone obscure a phone-length run; a price list or a date is longer or shorter.
        if words:
            if not 7 <= digits <= 12:
                continue
        elif not (10 <= digits <= 11 and _OBSCURING.search(run)):
            continue
        start = match.start()
        hits.append(
            Indicator(
                "obscured_phone_text",
                "obscured phone number",
                "obscured_phone",
                0.6,
                f"{NIJ_2024}: obscured phone numbers predictive (text pattern)",
                (start, start + len(run)),
                run,
            )
        )
    return hits


_SHE = re.compile(r"(?<![\w'])(?:she|her|hers|herself|she'?s)(?![\w'-])", re.IGNORECASE)
_I = re.compile(r"(?<![\w'])(?:i|me|my|mine|myself|i'?m|i'?ll|i'?ve|i'?d)(?![\w'])", re.IGNORECASE)


def _third_person_hits(text: str) -> list[Indicator]:
    """An ad that speaks about her, not as her: someone else wrote it (a third party).

    Fires when she/her is used at least three times and at least twice as often as I/me/my.
    """
    she = list(_SHE.finditer(text))
    if len(she) < 3 or not sex_trade_context(text) or len(she) < 2 * len(_I.findall(text)):
        return []
    first = she[0]
    return [
        Indicator(
            "third_person",
            "written about her in the third person",
            "third_party",
            1.0,
            f"{IBANEZ_2014}: third-person language",
            first.span(),
            first.group(0),
        )
    ]


def _emoji_hits(text: str) -> list[Indicator]:
    """Each coded emoji once per ad, at its first place: 46 cherries are one cherry."""
    hits: list[Indicator] = []
    seen: set[str] = set()
    for char, (code, label, family, weight) in EMOJI.items():
        start = text.find(char)
        if start == -1 or code in seen:
            continue
        seen.add(code)
        hits.append(
            Indicator(
                code, label, family, weight, EMOJI_PROVENANCE, (start, start + len(char)), char
            )
        )
    return hits


def stated_ages(extraction: Mapping[str, Any] | None) -> list[int]:
    """The ages the extractor read, as numbers (reading every written form is its job)."""
    ages: list[int] = []
    for value in (extraction or {}).get("ages") or ():
        try:
            ages.append(int(value))
        except (TypeError, ValueError):
            continue
    return ages


def _extraction_hits(text: str, extraction: Mapping[str, Any]) -> list[Indicator]:
    hits: list[Indicator] = []
    source = "extraction (ads/extraction)"
    if extraction.get("obfuscated_phone"):
        hits.append(
            Indicator(
                "obscured_phone",
                "obscured phone number",
                "obscured_phone",
                0.6,
                f"{NIJ_2024}: obscured phone numbers predictive; {source}",
                None,
            )
        )
    for value in stated_ages(extraction):
        if value < 18:
            code, label, family, weight = "stated_age_minor", f"stated age {value}", "underage", 1.0
        elif value <= 19:
            # An adult's stated age is no youthful wording: shown, with no weight in the lead score.
            code, label, family, weight = (
                "stated_age_young",
                f"stated age {value}",
                "young_adult",
                0.3,
            )
        else:
            continue
        span = _find_span(text, str(value))
        hits.append(Indicator(code, label, family, weight, source, span, str(value)))
    return hits


def _find_span(text: str, needle: str) -> tuple[int, int] | None:
    if not needle:
        return None
    match = re.search(rf"(?<!\d){re.escape(needle)}(?!\d)", text, re.IGNORECASE)
    return match.span() if match else None


def _dedupe(hits: Sequence[Indicator]) -> list[Indicator]:
    """Keep one indicator per (code, span); an extraction result and a regex agreeing is one."""
    seen: set[tuple[str, tuple[int, int] | None]] = set()
    out: list[Indicator] = []
    for hit in hits:
        key = (hit.family if hit.family in ("ethnicity", "obscured_phone") else hit.code, hit.span)
        if key in seen:
            continue
        seen.add(key)
        out.append(hit)
    # The extractor and the text pattern both reporting an obscured phone count once; the text
    # pattern is kept because it knows where the number is.
    if any(h.code == "obscured_phone_text" for h in out):
        out = [h for h in out if h.code != "obscured_phone"]
    return sorted(out, key=lambda h: (h.span[0] if h.span else -1, h.code))


def neutral_text(text: str, extraction: Mapping[str, Any] | None) -> tuple[str, list[int]]:
    """The text with every stated ethnicity, nationality or language the extractor found cut out
    (with one following space), and for each kept character its index in the original text.

    Scoring reads this text, so "new Asian girls" and "new girls" are the same evidence: who a
    person is can neither add nor hide a sign (issue #15; docs/fairness.md).
    """
    words = sorted({str(w) for w in (extraction or {}).get("ethnicities") or () if w}, key=len)
    if not words:
        return text, list(range(len(text) + 1))
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in reversed(words)) + r")(?!\w) ?",
        re.IGNORECASE,
    )
    pieces: list[str] = []
    origin: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(text[last : match.start()])
        origin.extend(range(last, match.start()))
        last = match.end()
    pieces.append(text[last:])
    origin.extend(range(last, len(text) + 1))
    return "".join(pieces), origin


def _in_original(hits: list[Indicator], text: str, origin: list[int]) -> list[Indicator]:
    out = []
    for hit in hits:
        if hit.span is None:
            out.append(hit)
            continue
        start, end = origin[hit.span[0]], origin[hit.span[1] - 1] + 1
        out.append(replace(hit, span=(start, end), matched=text[start:end]))
    return out


def detect(
    text: str,
    extraction: Mapping[str, Any] | None = None,
    *,
    embedding: np.ndarray | None = None,
    prototypes: Prototypes | None = None,
) -> list[Indicator]:
    """All indicators for one ad text, sorted by position (whole-text ones first).

    Spans point into `text`; the detectors read its `neutral_text`.
    """
    original = text
    text, origin = neutral_text(original, extraction)
    hits = (
        _lexicon_hits(text)
        + _third_person_hits(text)
        + _emoji_hits(text)
        + _obscured_phone_hits(text)
    )
    if extraction:
        hits += _extraction_hits(text, extraction)
    if embedding is not None and prototypes is not None:
        fired_families = {h.family for h in hits}
        for family, (sim, phrase) in prototypes.max_similarity(embedding).items():
            # A paraphrase indicator only adds something when the lexicon missed the family.
            if sim >= PROTOTYPE_THRESHOLDS[family] and family not in fired_families:
                hits.append(
                    Indicator(
                        f"paraphrase_{family}",
                        f"wording close to '{phrase}'",
                        family,
                        0.3,
                        f"embedding similarity {sim:.2f} to a prototype phrase",
                        None,
                    )
                )
    if text is not original:
        hits = _in_original(hits, original, origin)
    return _dedupe(hits)


FEATURE_NAMES: tuple[str, ...] = (
    *(f"weight_{f}" for f in FAMILIES),
    *(f"count_{f}" for f in FAMILIES),
    "ilo_distinct",
    "ilo_several",
    "counter_total",
    "log_chars",
)


def features(
    hits: Sequence[Indicator], text: str, similarities: Mapping[str, float] | None = None
) -> np.ndarray:
    """The indicator feature vector the trained heads see (order: FEATURE_NAMES + prototypes)."""
    weight = dict.fromkeys(FAMILIES, 0.0)
    count = dict.fromkeys(FAMILIES, 0.0)
    for hit in hits:
        if hit.family not in weight:  # families the trained heads predate (e.g. recruitment)
            continue
        weight[hit.family] += hit.weight
        count[hit.family] += 1.0
    ilo_distinct = len({h.code for h in hits if h.family == "ilo"})
    values = [
        *(weight[f] for f in FAMILIES),
        *(min(count[f], 5.0) for f in FAMILIES),
        float(ilo_distinct),
        # Several ILO indicators together, not one alone, is what the evidence supports.
        float(max(ilo_distinct - 1, 0)),
        sum(h.weight for h in hits if h.counter),
        float(np.log1p(len(text))),
    ]
    sims = similarities or {}
    values += [float(sims.get(f, 0.0)) for f in PROTOTYPES]
    return np.asarray(values, dtype=np.float32)


def feature_names() -> list[str]:
    """Names for every column `features` returns."""
    return [*FEATURE_NAMES, *(f"prototype_{f}" for f in PROTOTYPES)]


@functools.cache
def indicator_labels() -> Mapping[str, str]:
    """Every indicator code the detectors can write, with its label in plain words (for filters
    and for showing codes people can read). Built once: the lexicon does not change at run time."""
    labels = {entry.code: entry.label for entry in LEXICON}
    labels.update({code: label for code, label, _family, _w in EMOJI.values()})
    labels.update(
        {
            "third_person": "written about her in the third person",
            "obscured_phone_text": "obscured phone number",
            "obscured_phone": "obscured phone number",
            "stated_age_minor": "stated age under 18",
            "stated_age_young": "stated age 18 or 19",
        }
    )
    labels.update({f"paraphrase_{family}": f"wording close to {family}" for family in PROTOTYPES})
    return MappingProxyType(dict(sorted(labels.items(), key=lambda kv: kv[1])))
