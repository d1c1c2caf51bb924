"""Emails, social-media handles and URLs found in the normalised text.

Emails are also found when spelled out ("kandi at gmail dot com", "kandi(at)gmail(.)com"): the
normaliser already turned bracketed "[at]"/"[dot]" into "@"/"."; spelled-out words with spaces
are accepted only when the domain ends in a known top-level domain and, with a plain " at ",
the dot is spelled too or the domain is a mail provider: "- 23 at example.com", "reviews at
example.com" name a website, not a mailbox. Addresses are taken as written
(number words are not rewritten inside them), and one broken by a wrapped line ("kandi@gm
ail.com") is read whole. `normalise_email` is the one stored form, for every caller.

A handle needs a marker ("IG: x", "kik me x", "@x", "wechat ID x") or a short platform name
with a handle-shaped token ("Sc kandi_x"); prose ("my Twitter feed") is not one. Profile links
(instagram.com/x, x.tumblr.com) are handles too. All quantifiers are bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ads.extraction.normalize import Normalized, word_starts
from ads.extraction.words import is_common_word

_TLDS = (
    "com|net|org|edu|gov|info|biz|co|io|me|us|ca|uk|au|nz|de|fr|es|it|nl|ru|in|mx|br|jp|cn|hk|"
    "sg|my|ph|th|vn|kr|tr|za|ie|ch|at|be|se|no|dk|fi|pl|cz|pt|gr|ro|hu|ua|ar|cl|pe|ec|ve|xyz|"
    "online|site|club|live|app|escort|sexy|xxx|tv|cc|ws|to|ly|gg|fm|ai"
)
# Bare domains (no scheme, no www.) only count with TLDs that are not also English words.
_BARE_TLDS = "com|net|org|info|biz|xxx|escort|sexy|online|site|club|uk|au|ca|de|fr|ru|nl|io|tv"
_AT = r"(?:@|\s{1,3}at\s{1,3}|\(\s?at\s?\)|\[\s?at\s?\]|\{\s?at\s?\}|\s?\(@\)\s?)"
_DOT = r"(?:\.|\s{1,3}dot\s{1,3}|\(\s?\.\s?\)|\[\s?\.\s?\]|\(\s?dot\s?\)|\[\s?dot\s?\])"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(
    rf"(?<![a-z0-9._%+\-])(?P<local>[a-z0-9][a-z0-9._%+\-]{{0,63}})"
    rf"(?P<at>{_AT})(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}){_DOT}(?P<tld>{_TLDS})"
    r"(?![a-z0-9\-])"
)
_DOT_NORMAL = re.compile(_DOT)
# Searching the text with _EMAIL tries every position; its "at" is rare. So find each "at"
# first, step back over the local part (one run of local-part characters) and match there: the
# same matches as _EMAIL.finditer, since the lookbehind only lets a match start where a run does.
_AT_RE = re.compile(_AT)
_LOCAL_CHARS_STR = "abcdefghijklmnopqrstuvwxyz0123456789._%+-"


def _email_matches(lower: str) -> list[re.Match[str]]:
    out: list[re.Match[str]] = []
    last_end = 0
    for at in _AT_RE.finditer(lower):
        end = at.start()
        chunk = lower[max(0, end - 65) : end]
        start = end - (len(chunk) - len(chunk.rstrip(_LOCAL_CHARS_STR)))
        if start == end or start < last_end:
            continue
        m = _EMAIL.match(lower, start)
        if m is not None:
            out.append(m)
            last_end = m.end()
    return out


_SPELLED_DOT = re.compile(r"\sdot\s|\(\s?\.\s?\)|\[\s?\.\s?\]|\(\s?dot\s?\)|\[\s?dot\s?\]")
# Mailbox providers: "kandi at gmail.com" is an address although only the "at" is spelled.
_MAIL_PROVIDERS = frozenset(
    ("gmail", "googlemail", "yahoo", "ymail", "rocketmail", "hotmail", "outlook", "live", "msn")
    + ("aol", "icloud", "me", "mac", "mail", "protonmail", "proton", "pm", "gmx", "yandex")
    + ("zoho", "comcast", "att", "sbc", "sbcglobal", "verizon", "cox", "charter", "bellsouth")
    + ("earthlink", "optonline", "juno", "rediffmail", "qq", "163", "126", "naver")
)

_URL = re.compile(
    r"(?:(?:https?|hxxps?)://|www\.)[^\s<>\"'\]\[(){}]{1,2048}"
    rf"|(?<![@\w.\-])(?:{_LABEL}\.){{1,4}}(?:{_BARE_TLDS})(?![\w@\-])"
    r"(?:/[^\s<>\"'\]\[(){}]{0,2048})?"
)
_URL_TRAILING = ".,;:!?*"
# _URL.finditer tries every word start of the text; a URL can only start at a scheme or "www."
# or, for a bare domain, where the run of host characters ending in ".tld" starts (the
# lookbehind refuses any later start). These anchors are found with two patterns that begin
# with literals (fast scans), and _URL is matched there only: the same matches as finditer.
_SCHEME_AT = re.compile(r"(?:https?|hxxps?)://|www\.")
_BARE_TLD_AT = re.compile(rf"\.(?:{_BARE_TLDS})(?![\w@\-])")


def _url_matches(lower: str) -> list[re.Match[str]]:
    starts = {m.start() for m in _SCHEME_AT.finditer(lower)}
    for m in _BARE_TLD_AT.finditer(lower):
        pos = m.start()
        while pos > 0 and (lower[pos - 1].isalnum() or lower[pos - 1] in "_.-"):
            pos -= 1
        starts.add(pos)
    out: list[re.Match[str]] = []
    last_end = 0
    for pos in sorted(starts):
        if pos < last_end:
            continue
        m = _URL.match(lower, pos)
        if m is not None:
            out.append(m)
            last_end = m.end()
    return out


# Platform names as advertisers write them, each mapped to one canonical name.
_PLATFORMS: dict[str, str] = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "sc": "snapchat",
    "twitter": "twitter",
    "x.com": "twitter",
    "kik": "kik",
    "telegram": "telegram",
    "tg": "telegram",
    "wechat": "wechat",
    "whatsapp": "whatsapp",
    "onlyfans": "onlyfans",
    "of": "onlyfans",
    "tiktok": "tiktok",
    "facebook": "facebook",
    "fb": "facebook",
    "line": "line",
    "skype": "skype",
    "signal": "signal",
    "discord": "discord",
    "reddit": "reddit",
    "tumblr": "tumblr",
    # TNA Board, the review site: "TNA verified: name: KandiX".
    "tna": "tna",
}
# Profile links name an account as surely as "IG: x": host -> platform, handle = first path
# segment (tumblr: the subdomain). Paths that are pages of the site, not accounts, are skipped.
_PROFILE_HOSTS = {
    "instagram.com": "instagram",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "tiktok.com": "tiktok",
    "facebook.com": "facebook",
    "onlyfans.com": "onlyfans",
    "snapchat.com": "snapchat",
    "kik.me": "kik",
    "t.me": "telegram",
}
_NOT_PROFILE_PATHS = frozenset(
    {
        "p",
        "explore",
        "share",
        "sharer",
        "watch",
        "pages",
        "profile.php",
        "groups",
        "events",
        "home",
        "login",
        "signup",
        "search",
        "hashtag",
        "i",
        "intent",
        "reel",
        "reels",
        "stories",
        "tv",
        "video",
        "add",
    }
)
_PROFILE_SEGMENT = re.compile(r"@?([a-z0-9_.]{2,30})$")
_PLATFORM_ALT = "|".join(sorted((re.escape(p) for p in _PLATFORMS), key=len, reverse=True))
# "IG: kandi_x", "snap @kandi.x", "Wechat ID zana_escrt", "kik me kandi_x". The short, ambiguous
# platform names ("sc", "of", "ig", "line", "signal") need an explicit ":" or "@" to count.
_HANDLE = re.compile(
    rf"(?<![\w.])(?P<platform>{_PLATFORM_ALT})(?![\w])"
    r"(?P<sep>\s?(?:verified\s?[:\-]?\s?)?(?:(?:id|name|user(?:name)?|handle|me|at)\b)?\s?(?:[:=\-@]|is\b)?\s{0,3}(?:@\s?)?)"
    r"(?P<handle>[a-z][a-z0-9_.]{1,29})(?![\w@])"
)
_PLATFORM_WORDS = tuple(_PLATFORMS)
_SHARED_PLATFORM = re.compile(
    rf"(?<![\w.])(?P<platform>{_PLATFORM_ALT})[ \t]?(?:and|&|/|,|or|\+)[ \t]?$"
)
_PLATFORM_HINT = re.compile(
    "|".join(re.escape(p) for p in _PLATFORMS if len(p) > 3 or p == "kik") + r"|\b(?:sc|ig)\b"
)
_AMBIGUOUS_PLATFORMS = frozenset({"sc", "of", "ig", "line", "signal", "snap", "fb", "tg"})
# A handle needs a marker: ":", "=", "@" or "id/name/me/is" between the platform and it ...
_MARKER = re.compile(r"[:=@]|\b(?:id|name|user(?:name)?|handle|me|is|at)\b")
# ... except after a short platform name ("Sc kandi_x", "IG kandi"), never after these:
_NEED_MARKER = frozenset({"of", "line", "signal", "fb", "tg", "snap", "tna"})
_SHORT_PLATFORMS = frozenset({"sc", "ig"})
# A token shaped like a handle rather than a word: a digit, "_" or "." inside it.
_HANDLE_SHAPED = re.compile(r"[0-9_.]")
_BARE_HANDLE = re.compile(r"(?<![\w.@*])@(?P<handle>[a-z][a-z0-9_.]{2,29})(?![\w@])")
# "@" written for "a" inside stylised words: "see you @gain", "an @mAZING day".
_STYLISED = re.compile(r"[a-z]+[A-Z]")
_HANDLE_STOPWORDS = frozenset(
    {
        "me",
        "at",
        "is",
        "id",
        "only",
        "or",
        "and",
        "for",
        "to",
        "the",
        "my",
        "on",
        "us",
        "you",
        "u",
        "now",
        "please",
        "pls",
        "text",
        "call",
        "dm",
        "add",
        "follow",
        "message",
        "msg",
    }
)


@dataclass(frozen=True)
class Found:
    """One normalised value with its span in the normalised text."""

    value: str
    start: int
    end: int


_EMAIL_SHAPE = re.compile(
    r"[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?){1,4}"
)


def normalise_email(text: str) -> str | None:
    """The one stored form of an email address: trimmed, lowercased, one "@", a dotted domain
    with a TLD of two or more letters; None when `text` is not an address."""
    value = text.strip().strip(".").lower()
    if len(value) > 254 or value.count("@") != 1 or not _EMAIL_SHAPE.fullmatch(value):
        return None
    if ".." in value or ".@" in value:
        return None  # a local part never holds two dots in a row or ends in one (RFC 5322)
    tld = value.rsplit(".", 1)[-1]
    if len(tld) < 2 or not tld.isalpha():
        return None
    return value


def _clean_domain(domain: str) -> str:
    return _DOT_NORMAL.sub(".", domain).lower()


def find_emails(norm: Normalized) -> list[Found]:
    """Email addresses, including spelled-out "at"/"dot" forms, lowercased."""
    out: list[Found] = []
    lower = norm.lower
    if "@" not in lower and " at " not in lower and "at)" not in lower and "at]" not in lower:
        return out
    for m in _email_matches(lower):
        tail = _WRAP_TAIL.match(lower, m.end())
        if tail is not None and (m.group("tld") + tail.group(1)) in _TLD_SET:
            continue  # "name@yahoo.co m": a wrapped ".com", read by _wrapped_emails
        at = m.group("at")
        spelled = "@" not in at
        local = m.group("local").strip(".")
        if spelled and local.lower() in _HANDLE_STOPWORDS:
            continue
        if spelled and "at" in at.split() and not _spelled_address(m, local):
            continue
        # Take the address as written: number words were rewritten only in the normalised text.
        written = _EMAIL.search(norm.folded(m.start(), m.end()))
        if written is not None:
            m_local, m_domain, m_tld = (
                written.group("local"),
                written.group("domain"),
                written.group("tld"),
            )
            local = m_local.strip(".")
        else:
            m_domain, m_tld = m.group("domain"), m.group("tld")
        start = m.start()
        glued = _wrapped_local(lower, start, local) if not spelled else None
        if glued is not None:
            local, start = glued
        value = normalise_email(f"{local}@{_clean_domain(m_domain)}.{m_tld}")
        if value is None:
            continue
        out.append(Found(value, start, m.end()))
    if "@" in lower:
        out += _wrapped_emails(norm, out)
        out.sort(key=lambda f: f.start)
    return out


def _spelled_address(m: re.Match[str], local: str) -> bool:
    """Is "x at domain.tld" (a plain spaced "at") an address rather than prose naming a site?

    The dot must be spelled too ("kandi at gmail dot com") or the domain a mailbox provider
    ("kandi at gmail.com"); and the local part must not be only digits or a common word:
    "- 23 at example.com", "Escorts at example.com", "apply at www.example.net" are prose.
    """
    domain = m.group("domain")
    first = _DOT_NORMAL.split(domain)[0]
    if not (_SPELLED_DOT.search(m.group()) or first in _MAIL_PROVIDERS):
        return False
    return not local.isdigit() and not is_common_word(local, spanish=False)


# A wrapped line may also cut the local part itself: "Email resume to plumbingsvc c@gmail.com":
# an address whose local part is one or two characters after one space and a longer token
# (not a word like "me" or "or") is read joined.
_LOCAL_HEAD = re.compile(r"(?<![a-z0-9._%+\-@])[a-z0-9][a-z0-9._%+\-]{2,61} $")


def _wrapped_local(lower: str, start: int, local: str) -> tuple[str, int] | None:
    if len(local) > 2 or start < 4:
        return None
    head = _LOCAL_HEAD.search(lower, max(0, start - 64), start)
    if head is None:
        return None
    word = head.group()[:-1]
    if word in _HANDLE_STOPWORDS or is_common_word(word) or word.isdigit():
        return None
    return word + local, head.start()


# Text wrapped at a fixed width breaks an address with one space ("kandi@gm ail.com",
# "kandi @mail.com", "kandi@mail.c om"): around an "@" the address is read joined when the
# joined form has a known TLD and the unbroken reading has none (or a shorter one: "co" of "com").
_LOCAL_BEFORE = re.compile(r"(?<![a-z0-9._%+\-])[a-z0-9][a-z0-9._%+\-]{0,63} ?$")
_DOMAIN_AFTER = re.compile(r" ?[a-z0-9][a-z0-9.\-]{0,80}(?: [a-z0-9.\-]{1,40})?")
_TLD_RE = re.compile(rf"\.(?:{_TLDS})$")
_TLD_SET = frozenset(_TLDS.split("|"))
_WRAP_TAIL = re.compile(r" ([a-z]{1,2})(?![a-z0-9@])")


def _wrapped_emails(norm: Normalized, found: list[Found]) -> list[Found]:
    lower = norm.lower
    out: list[Found] = []
    ats = []
    at = lower.find("@")
    while at >= 0:
        ats.append(at)
        at = lower.find("@", at + 1)
    for at in ats:
        if any(f.start <= at < f.end for f in found):
            continue
        left = _LOCAL_BEFORE.search(lower, max(0, at - 66), at)
        right = _DOMAIN_AFTER.match(lower, at + 1)
        if left is None or right is None:
            continue
        local, domain = left.group(), right.group()
        if " " not in local + domain:
            continue
        if local.endswith(" ") and (local[:-1] in _HANDLE_STOPWORDS or is_common_word(local[:-1])):
            continue  # "... or @example.com": a word, then an address cut before its "@"
        joined_domain = domain.replace(" ", "")
        # The longest prefix ending in a known TLD at a word end: the end of the text read, a
        # non-alphanumeric character, or where the one space stood.
        fragment_end = len(domain.lstrip(" ").split(" ")[0])
        best = None
        for end in range(len(joined_domain), 2, -1):
            at_word_end = (
                end == len(joined_domain) or end == fragment_end or not joined_domain[end].isalnum()
            )
            if at_word_end and _TLD_RE.search(joined_domain[:end]):
                best = joined_domain[:end]
                break
        if best is None:
            continue
        # One wrapped line breaks an address once: "Copyright @ 2016 site.com" is no address.
        spaces = local.count(" ") + domain.startswith(" ") + (len(best) > fragment_end)
        if spaces != 1:
            continue
        value = normalise_email(local.replace(" ", "") + "@" + best)
        if value is None:
            continue
        # The end in the text of the joined domain: count characters, skipping the one space.
        consumed, pos = 0, at + 1
        while consumed < len(best) and pos < len(lower):
            if lower[pos] != " ":
                consumed += 1
            pos += 1
        out.append(Found(value, left.start(), pos))
    return out


def find_urls(norm: Normalized, emails: list[Found]) -> list[Found]:
    """URLs (with or without scheme), lowercased scheme and host, trailing punctuation cut."""
    taken = [(e.start, e.end) for e in emails]
    out: list[Found] = []
    lower = norm.lower
    if "." not in lower:
        return out
    for m in _url_matches(lower):
        start, end = m.start(), m.end()
        if any(s <= start < e for s, e in taken):
            continue
        raw = norm.text[start:end]  # paths are case-sensitive: keep the ad's case
        stripped = raw.rstrip(_URL_TRAILING)
        end -= len(raw) - len(stripped)
        value = stripped
        if value[:4].lower() == "hxxp":
            value = "http" + value[4:]
        if not re.match(r"(?i)https?://", value):
            value = "http://" + value
        scheme, _, rest = value.partition("://")
        host, slash, path = rest.partition("/")
        if "." not in host.split(":")[0].lower().removeprefix("www.").strip("."):
            # "www.name" with no domain after it: a web address the ad's text broke with a
            # space ("www.name. com/..."), whose first part names no site and would tie every
            # ad that breaks it alike.
            continue
        value = f"{scheme.lower()}://{host.lower()}{slash}{path}"
        out.append(Found(value, start, end))
    return out


def _profile_handle(url: str) -> str | None:
    """ "platform:handle" for a profile link (instagram.com/x, x.tumblr.com), else None."""
    rest = url.partition("://")[2]
    host, _, path = rest.partition("/")
    host = host.split(":")[0].removeprefix("www.").removeprefix("m.")
    if host.endswith(".tumblr.com"):
        sub = host.removesuffix(".tumblr.com")
        return f"tumblr:{sub}" if _PROFILE_SEGMENT.fullmatch(sub) and "." not in sub else None
    platform = _PROFILE_HOSTS.get(host)
    if platform is None:
        return None
    segments = [seg for seg in path.split("?")[0].split("#")[0].split("/") if seg]
    if platform == "snapchat" and len(segments) >= 2 and segments[0] == "add":
        segments = segments[1:]
    if not segments or segments[0].lower() in _NOT_PROFILE_PATHS:
        return None
    m = _PROFILE_SEGMENT.fullmatch(segments[0].lower())
    return f"{platform}:{m.group(1)}" if m else None


def find_handles(norm: Normalized, urls: list[Found], emails: list[Found]) -> list[Found]:
    """Social handles as "platform:handle" (lowercased); a bare "@name" is "unknown:name"."""
    taken = [(f.start, f.end) for f in (*urls, *emails)]
    out: list[Found] = []

    def inside(pos: int) -> bool:
        return any(s <= pos < e for s, e in taken)

    for url in urls:
        handle = _profile_handle(url.value)
        if handle is not None:
            out.append(Found(handle, url.start, url.end))
    lower = norm.lower
    if not ("@" in lower or ":" in lower or "=" in lower or _PLATFORM_HINT.search(lower)):
        return out
    last_end = 0
    for pos in word_starts(lower, _PLATFORM_WORDS):
        m = _HANDLE.match(lower, pos) if pos >= last_end else None
        if m is None:
            continue
        last_end = m.end()
        if inside(m.start()):
            continue
        platform_raw = m.group("platform").lower()
        handle = m.group("handle").rstrip(".").lower()
        if handle in _HANDLE_STOPWORDS or handle in _PLATFORMS:
            continue
        sep = m.group("sep")
        marked = bool(_MARKER.search(sep))
        shaped = bool(_HANDLE_SHAPED.search(handle))
        if not marked and (
            platform_raw in _NEED_MARKER or (platform_raw not in _SHORT_PLATFORMS and not shaped)
        ):
            continue  # "through my Twitter feed", "of course": prose, not a handle
        if not marked and not shaped and not norm.text[m.start("handle")].islower():
            continue  # "Columbia SC Myrtle": a capitalised word after "SC" is prose
        if is_common_word(handle) and not shaped:
            continue  # "Instagram as well", "IG: here"
        out.append(Found(f"{_PLATFORMS[platform_raw]}:{handle}", m.start(), m.end()))
        taken.append((m.start(), m.end()))
        # "Snapchat and Instagram @kandi_x", "Kik/Snap: kandi_x": one account on each platform.
        shared = _SHARED_PLATFORM.search(lower, max(0, m.start() - 30), m.start())
        if shared is not None and shared.group("platform") not in _NEED_MARKER:
            other = _PLATFORMS[shared.group("platform")]
            if other != _PLATFORMS[platform_raw]:
                out.append(Found(f"{other}:{handle}", shared.start(), m.end()))
    for m in _BARE_HANDLE.finditer(lower) if "@" in lower else ():
        if inside(m.start()):
            continue
        handle = m.group("handle").rstrip(".").lower()
        if handle in _HANDLE_STOPWORDS or is_common_word("a" + handle):
            continue
        if "." in handle and handle.rsplit(".", 1)[1] in _TLD_SET:
            continue  # "or @example.com": the domain of an address cut before its "@"
        if _STYLISED.match(norm.text, m.start("handle")):
            continue
        out.append(Found(f"unknown:{handle}", m.start(), m.end()))
    out.sort(key=lambda f: f.start)
    return out
