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
# Words sites glue to a city in their own name ("escortsistanbul", "putasvalencia").
_TRADE_WORDS = (
    "escorts", "escort", "putas", "girls", "massage", "ladies", "models", "elle", "angels",
)  # fmt: skip
# Country-code domains that are sold as generic names, so they say nothing of a country.
_GENERIC_CCTLDS = frozenset({"co", "io", "me", "tv", "us", "cc", "ws", "fm", "ly", "to"})
_SITE_RE = re.compile(r"(?i)\b(?:www\.)?((?:[a-z0-9-]{2,40}\.){1,3}[a-z]{2,6})\b")
_SITE_TLDS = frozenset(
    {"com", "net", "org", "info", "biz", "es", "it", "fr", "de", "uk", "ca", "au", "br", "mx"}
    | {"tr", "in", "ru", "nl", "be", "ch", "at", "pl", "pt", "ar", "cl", "za", "ie", "nz", "me"}
)
_MAX_SITES = 3


def _site_name_place(label: str) -> str:
    """The city a site glues into its own name ("elleescortsistanbul" -> "istanbul"), or ""."""
    rest, changed = label, True
    stripped = False
    while changed:
        changed = False
        for word in _TRADE_WORDS:
            if rest.startswith(word) and len(rest) > len(word):
                rest, changed, stripped = rest[len(word) :], True, True
            elif rest.endswith(word) and len(rest) > len(word):
                rest, changed, stripped = rest[: -len(word)], True, True
    return rest if stripped and len(rest) >= 4 and rest.isalpha() else ""


def url_country(url: str) -> str:
    """The country a URL's country-code domain names ("putasvalencia.es" -> "ES"), or ""."""
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return ""
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(tld) != 2 or not tld.isalpha() or tld in _GENERIC_CCTLDS:
        return ""
    return "GB" if tld == "uk" else tld.upper()


def sites_in_text(text: str) -> list[str]:
    """Site addresses an ad's text names ("victoria.example.com"), at most three, as URLs."""
    if not isinstance(text, str):
        return []
    found: list[str] = []
    for match in _SITE_RE.finditer(text[: MAX_URL_CHARS * 6]):
        host = match.group(1).lower()
        if host.rsplit(".", 1)[-1] in _SITE_TLDS and f"//{host}" not in found:
            found.append(f"//{host}")
        if len(found) >= _MAX_SITES:
            break
    return found


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
    site = labels[-2] if len(labels) >= 2 else ""
    glued = _site_name_place(site)
    for raw in (*subdomains, *([glued] if glued else []), *segments):
        piece = unquote(raw).lower()
        if piece in _NOISE or not _ALPHA_RE.search(piece):
            continue
        # Listing ids ("ad-8812345") carry digits; city slugs do not.
        words = [w for w in _SLUG_SPLIT_RE.split(piece) if w and not any(c.isdigit() for c in w)]
        phrase = " ".join(words)
        if 2 <= len(phrase) <= 40 and phrase not in phrases:
            phrases.append(phrase)
    return phrases
