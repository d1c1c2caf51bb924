"""Emoji that published studies and agency lists name as indicators in commercial-sex ads.

Data, not logic: each entry names the emoji, the meaning the source gives it, and the sources.
An emoji is an indicator for an investigator to weigh, never evidence on its own: most of
these also appear in lawful adult ads. Meanings were compiled from the publications below and
from public reporting on them; check an entry against the original publication before citing
it in a report.

Sources
- SDSU-2018: Whitney, Jennex, Elkins & Frost, "Don't Want to Get Caught? Don't Say It: The Use
  of EMOJIS in Online Human Sex Trafficking Ads", Proc. 51st Hawaii International Conference on
  System Sciences (HICSS), 2018 (San Diego State University; a corpus of escort ads, about
  8,000 ads analysed for emoji use and meaning).
- FBI-2018: FBI intelligence bulletin on emoji and terms used in child sex trafficking ads, as
  published in public reporting (2018).
- POLARIS: Polaris Project, public guidance on recognising online sex-trafficking ads
  (indicators such as movement between cities and "new in town").
"""

from __future__ import annotations

from typing import TypedDict


class EmojiEntry(TypedDict):
    """One lexicon entry: the emoji, its indicator meaning, and where that meaning comes from."""

    emoji: str
    name: str
    meaning: str
    sources: tuple[str, ...]


LEXICON: tuple[EmojiEntry, ...] = (
    {
        "emoji": "🌹",
        "name": "rose",
        "meaning": 'price / money ("roses" = dollars)',
        "sources": ("SDSU-2018", "FBI-2018"),
    },
    {
        "emoji": "💐",
        "name": "bouquet",
        "meaning": "price / money (roses)",
        "sources": ("SDSU-2018",),
    },
    {
        "emoji": "🍒",
        "name": "cherry",
        "meaning": "virgin / sexually inexperienced, youth",
        "sources": ("SDSU-2018", "FBI-2018"),
    },
    {
        "emoji": "🍭",
        "name": "lollipop",
        "meaning": "young, possibly a minor",
        "sources": ("SDSU-2018", "FBI-2018"),
    },
    {
        "emoji": "🍬",
        "name": "candy",
        "meaning": "young, possibly a minor",
        "sources": ("FBI-2018",),
    },
    {
        "emoji": "🎒",
        "name": "backpack",
        "meaning": "school age, possibly a minor",
        "sources": ("FBI-2018",),
    },
    {
        "emoji": "👑",
        "name": "crown",
        "meaning": 'pimp / controller ("king", "daddy")',
        "sources": ("SDSU-2018", "FBI-2018"),
    },
    {"emoji": "💰", "name": "money bag", "meaning": "money / payment", "sources": ("SDSU-2018",)},
    {
        "emoji": "💵",
        "name": "dollar banknote",
        "meaning": "money / payment",
        "sources": ("SDSU-2018",),
    },
    {
        "emoji": "💲",
        "name": "heavy dollar sign",
        "meaning": "money / payment",
        "sources": ("SDSU-2018",),
    },
    {
        "emoji": "✈",
        "name": "airplane",
        "meaning": "travelling, moved between cities (circuit)",
        "sources": ("SDSU-2018", "POLARIS"),
    },
    {
        "emoji": "🆕",
        "name": "new button",
        "meaning": "new in town / new to the work",
        "sources": ("SDSU-2018", "POLARIS"),
    },
    {
        "emoji": "💋",
        "name": "kiss mark",
        "meaning": "sexual services offered",
        "sources": ("SDSU-2018",),
    },
    {"emoji": "👅", "name": "tongue", "meaning": "oral sex", "sources": ("SDSU-2018",)},
    {
        "emoji": "💦",
        "name": "sweat droplets",
        "meaning": "sexual services",
        "sources": ("SDSU-2018",),
    },
    {
        "emoji": "🍑",
        "name": "peach",
        "meaning": "sexual reference (buttocks)",
        "sources": ("SDSU-2018",),
    },
    {"emoji": "🍆", "name": "eggplant", "meaning": "sexual reference", "sources": ("SDSU-2018",)},
    {
        "emoji": "🔥",
        "name": "fire",
        "meaning": '"hot" / new, a common ad emphasis',
        "sources": ("SDSU-2018",),
    },
    {
        "emoji": "🔞",
        "name": "no one under eighteen",
        "meaning": "adult content",
        "sources": ("SDSU-2018",),
    },
)

BY_EMOJI: dict[str, EmojiEntry] = {entry["emoji"]: entry for entry in LEXICON}
