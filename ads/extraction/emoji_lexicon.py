"""Emoji that published research names as coded indicators in commercial-sex ads.

Data, not logic: each entry names the emoji, the meaning its source gives it, and the sources.
An emoji is an indicator for an investigator to weigh, never evidence on its own: most of these
also appear in lawful ads and everyday messages.

Only entries whose meaning could be traced to a named study are listed. The study itself was
read through the public reports below (the thesis and paper were not available offline); check
the original before citing an entry in a report.

Sources
- SDSU-2017: Jessica Whitney and Murray Jennex, San Diego State University, Information Systems
  (2017): more than 8,000 online classified ads from San Diego, Los Angeles and Orange County;
  emoji meanings decoded from co-occurring keyword indicators. As reported by The San Diego
  Union-Tribune ("Emojis and sex trafficking: SDSU researchers crack the code", 2017-05-26),
  KDVR Denver (2017-05-24) and NBC Los Angeles (2018); reviewed in O. Parise, "Little Pink Flower
  with a Darker Story to Tell", 11 U. Miami Race & Soc. Just. L. Rev. 52 (2020).
- NCRIC: National Capital Region Threat Intelligence Consortium, "Use of Emojis to Market Victims
  of Online Sex Trafficking" (ncrintel.org), summarising SDSU-2017 and Roy Maas Youth
  Alternatives on emoji combinations.
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
        "meaning": "money / price; the number of roses can state the price",
        "sources": ("SDSU-2017", "NCRIC"),
    },
    {
        "emoji": "🏵",
        "name": "rosette",
        "meaning": "money / price (rose variant)",
        "sources": ("SDSU-2017",),
    },
    {
        "emoji": "🍒",
        "name": "cherry",
        "meaning": "virgin; may indicate a minor",
        "sources": ("SDSU-2017", "NCRIC"),
    },
    {
        "emoji": "🌸",
        "name": "cherry blossom",
        "meaning": "virginity (or breasts); may indicate a minor",
        "sources": ("SDSU-2017", "NCRIC"),
    },
    {
        "emoji": "💗",
        "name": "growing heart",
        "meaning": 'childlike, "still has some growing to do": may indicate a minor',
        "sources": ("SDSU-2017", "NCRIC"),
    },
    {
        "emoji": "✈",
        "name": "airplane",
        "meaning": "new in town / able to travel",
        "sources": ("SDSU-2017", "NCRIC"),
    },
    {
        "emoji": "🛩",
        "name": "small airplane",
        "meaning": "new in town / able to travel (airplane variant)",
        "sources": ("NCRIC",),
    },
    {
        "emoji": "👑",
        "name": "crown",
        "meaning": 'controlled: "under house arrest" or owned by a pimp or gang',
        "sources": ("SDSU-2017", "NCRIC"),
    },
    {
        "emoji": "📹",
        "name": "video camera",
        "meaning": "recording offered (in combinations with rose, growing heart, crown)",
        "sources": ("NCRIC",),
    },
)

BY_EMOJI: dict[str, EmojiEntry] = {entry["emoji"]: entry for entry in LEXICON}
