"""Payment identifiers that link ads: Cash App cashtags, Venmo handles, bitcoin and ethereum.

Each is validated before it counts: a cashtag has a letter first ("$200" is a price) and a Cash
App mention near it ("$ome" is "some" written with a dollar sign), a bitcoin address passes its
base58check or bech32/bech32m checksum, an ethereum address with mixed case passes its EIP-55
checksum (all-lowercase or all-uppercase carry none). Values are "cashapp:$name", "venmo:name",
"btc:<address>" (bech32 in lowercase, as its checksum reads it), "eth:0x<lowercase hex>".
`normalise_payment` is the one stored form of a payment identifier a person types (search,
watchlists); `is_placeholder_payment` names the documentation examples and burn addresses that
link nobody.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ads.extraction.normalize import Normalized
from ads.extraction.words import is_common_word

_CASHTAG = re.compile(r"(?<![\w$])\$(?P<tag>[a-z][a-z0-9_\-]{1,19})(?![\w$])")
_CASHAPP = re.compile(
    r"\bcash\s?app\b\s?(?:me\s|is\s|at\s|id\s|name\s)?\s?[:=\-]?\s?\$?\s?"
    r"(?P<tag>[a-z][a-z0-9_\-]{1,19})(?![\w$])"
)
_VENMO = re.compile(
    r"\bvenmo\b\s?(?:me\s|is\s|at\s|id\s|name\s)?\s?(?P<mark>[:=@\-])?\s?@?"
    r"(?P<handle>[a-z][a-z0-9_\-]{4,29})(?![\w@])"
)
# Explicit character classes instead of IGNORECASE: scanning every ad stays cheap.
_BTC = re.compile(
    r"(?<![A-Za-z0-9])(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc1|BC1)[02-9AC-HJ-NP-Zac-hj-np-z]"
    r"{11,71})(?![A-Za-z0-9])"
)
_LONG_RUN = re.compile(r"[A-Za-z0-9]{26,90}")
_ETH = re.compile(r"(?<![0-9A-Za-z])0[xX][0-9a-fA-F]{40}(?![0-9A-Za-z])")
_CASH_NEAR = re.compile(r"\bcash\s?app\b|\bcash\b")
# Words after "$" that are prices or slang, not Cash App names.
_NOT_TAGS = frozenset({"usd", "cad", "aud", "roses", "rose", "hh", "hr", "hhr", "qv", "fh"})


@dataclass(frozen=True)
class Found:
    """One payment identifier with its span in the normalised text."""

    value: str
    start: int
    end: int


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check_ok(address: str) -> bool:
    n = 0
    for c in address:
        i = _B58.find(c)
        if i < 0:
            return False
        n = n * 58 + i
    raw = n.to_bytes(25, "big") if n.bit_length() <= 200 else b""
    if len(raw) != 25:
        return False
    payload, check = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_ok(address: str) -> bool:
    if address.lower() != address and address.upper() != address:
        return False
    addr = address.lower()
    hrp, _, data = addr.rpartition("1")
    if hrp != "bc" or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    values += [_BECH32.index(c) for c in data]
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk in (1, 0x2BC830A3)  # bech32, bech32m


# --- keccak-256 (EIP-55 uses it; hashlib's sha3_256 pads differently) --------------------------

_RC = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
]
_ROT = [
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]
_MASK = (1 << 64) - 1


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (64 - n))) & _MASK if n else x


def _keccak_f(a: list[list[int]]) -> None:
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        for x in range(5):
            for y in range(5):
                a[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rotl(a[x][y], _ROT[x][y])
        for x in range(5):
            for y in range(5):
                a[x][y] = b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y])
        a[0][0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (original padding 0x01, not SHA3's 0x06)."""
    rate = 136
    padded = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % rate)
    padded[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(padded), rate):
        block = padded[off : off + rate]
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(a)
    return b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


def _eip55_ok(address: str) -> bool:
    hex_part = address[2:]
    if hex_part.lower() == hex_part or hex_part.upper() == hex_part:
        return True  # no checksum written
    digest = keccak256(hex_part.lower().encode("ascii")).hex()
    return all(
        (c.upper() if int(digest[i], 16) >= 8 else c.lower()) == c for i, c in enumerate(hex_part)
    )


def _btc_value(address: str) -> str | None:
    if address.lower().startswith("bc1"):
        return f"btc:{address.lower()}" if _bech32_ok(address) else None
    return f"btc:{address}" if _base58check_ok(address) else None


def _eth_value(address: str) -> str | None:
    return f"eth:0x{address[2:].lower()}" if _eip55_ok(address) else None


_TYPED_CASHTAG = re.compile(r"(?:cash\s?app\s*[:=]?\s*)?\$?\s*([a-z][a-z0-9_\-]{1,19})")
_TYPED_VENMO = re.compile(r"venmo\s*[:=]?\s*@?\s*([a-z][a-z0-9_\-]{4,29})")


def normalise_payment(text: str) -> str | None:
    """The stored form of a payment identifier a person typed: "$name", "cashapp:$name",
    "Cash App name", "venmo:name", "Venmo @name", a bitcoin or ethereum address with or without
    its "btc:"/"eth:" prefix. Addresses must pass their checksum; None when `text` is not one
    payment identifier (a bare word is not a cashtag: it needs its "$" or a Cash App label)."""
    if not isinstance(text, str) or len(text) > 120:
        return None
    value = text.strip()
    lower = value.lower()
    for prefix in ("btc:", "eth:"):
        if lower.startswith(prefix):
            value, lower = value[len(prefix) :].strip(), lower[len(prefix) :].strip()
    if _BTC.fullmatch(value):
        return _btc_value(value)
    if _ETH.fullmatch(value):
        return _eth_value(value)
    if lower.startswith("venmo"):
        m = _TYPED_VENMO.fullmatch(lower)
        return f"venmo:{m.group(1)}" if m else None
    if lower.startswith(("cashapp", "cash app", "$")):
        m = _TYPED_CASHTAG.fullmatch(lower)
        return f"cashapp:${m.group(1)}" if m and m.group(1) not in _NOT_TAGS else None
    return None


# Addresses printed in wallets' and standards' documentation, and burn addresses: an ad that
# shows one has copied an example, and every ad doing so is a different poster.
_PLACEHOLDERS = frozenset(
    {
        "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",  # the genesis block's, quoted everywhere
        "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",  # bitcoin wiki's address example
        "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",  # bitcoin wiki's P2SH example
        "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",  # bitcoin wiki's bech32 example
        "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # BIP-173 test vector
        "btc:1111111111111111111114oLvT2",  # all-zero hash160: burn
        "eth:0x0000000000000000000000000000000000000000",  # zero address: burn
        "eth:0x000000000000000000000000000000000000dead",  # burn
        "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",  # EIP-55's first example
    }
)


def is_placeholder_payment(value: str) -> bool:
    """Is this stored payment value an example or burn address (it links nobody)?"""
    return value in _PLACEHOLDERS


def find_payments(norm: Normalized, taken: list[tuple[int, int]]) -> list[Found]:
    """Cash App, Venmo, bitcoin and ethereum identifiers, in order of appearance."""
    out: list[Found] = []
    lower, text = norm.lower, norm.text

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(value: str, start: int, end: int) -> None:
        if free(start, end):
            out.append(Found(value, start, end))
            taken.append((start, end))

    if "cash" in lower:
        for m in _CASHAPP.finditer(lower):
            tag = m.group("tag")
            if tag not in _NOT_TAGS and not is_common_word(tag):
                add(f"cashapp:${tag}", m.start(), m.end())
    if "$" in lower and "cash" in lower:
        for m in _CASHTAG.finditer(lower):
            tag = m.group("tag")
            # A bare "$name" is a cashtag only near a Cash App mention, and never "$" written
            # for "S" ("$ome", "$till": "some", "still").
            if not _CASH_NEAR.search(lower, max(0, m.start() - 60), m.start() + 1):
                continue
            if tag in _NOT_TAGS or is_common_word(tag) or is_common_word("s" + tag):
                continue
            add(f"cashapp:${tag}", m.start(), m.end())
    if "venmo" in lower:
        for m in _VENMO.finditer(lower):
            handle = m.group("handle")
            if m.group("mark") or not is_common_word(handle):
                add(f"venmo:{handle}", m.start(), m.end())
    for run in _LONG_RUN.finditer(text):  # a plain scan first: most ads hold no such run
        m = _BTC.fullmatch(text, run.start(), run.end())
        if m is None:
            continue
        if (value := _btc_value(m.group())) is not None:
            add(value, m.start(), m.end())
    if "0x" in lower:
        for m in _ETH.finditer(text):
            if (value := _eth_value(m.group())) is not None:
                add(value, m.start(), m.end())
    out.sort(key=lambda f: f.start)
    return out
