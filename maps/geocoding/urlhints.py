"""Place hints in an ad's URL: many classified sites put the city in the host or the path.

"https://lasvegas.example-classifieds.com/..." and "https://example.com/houston/escorts/123"
both say where the site filed the ad. The gazetteer decides which pieces are places.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

MAX_URL_CHARS = 2000
_MAX_PATH_SEGMENTS = 4
_SLUG_SPLIT_RE = re.compile(r"[-_+.~%]+")
_ALPHA_RE = re.compile(r"[a-z]")
_NOISE = frozenset({"www", "m", "mobile", "amp", "en", "us", "api", "cdn", "static", "img"})


def url_place_phrases(url: str) -> list[str]:
    """Return candidate place phrases from a URL, host labels first, then the first path parts.

    Never raises: a malformed URL yields no phrases.
    """
    if not isinstance(url, str) or not url:
        return []
    url = url[:MAX_URL_CHARS].strip()
    if "//" not in url and not url.startswith("/"):
        url = "//" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return []
    labels = host.split(".")
    # The registered domain (last two labels) names the site, not a city.
    subdomains = labels[:-2] if len(labels) > 2 else []
    segments = [s for s in parts.path.split("/") if s][:_MAX_PATH_SEGMENTS]
    phrases: list[str] = []
    for raw in (*subdomains, *segments):
        piece = unquote(raw).lower()
        if piece in _NOISE or not _ALPHA_RE.search(piece):
            continue
        # Listing ids ("ad-8812345") carry digits; city slugs do not.
        words = [w for w in _SLUG_SPLIT_RE.split(piece) if w and not any(c.isdigit() for c in w)]
        phrase = " ".join(words)
        if 2 <= len(phrase) <= 40 and phrase not in phrases:
            phrases.append(phrase)
    return phrases
