"""A polite, SSRF-safe HTTP fetcher shared by every connector.

Every request a connector makes goes through `SafeFetcher.fetch`, which:

- accepts only http and https URLs;
- resolves the host and refuses private, loopback, link-local, multicast, reserved and
  unspecified addresses *before* connecting, and again inside the connection itself, so a DNS
  answer that changes between the check and the connect (rebinding) cannot slip through;
- follows redirects by hand, re-checking scheme, address and robots.txt at every hop;
- honours robots.txt (cached per host with a TTL, Crawl-delay respected up to a bound);
- spaces requests to the same host (in-process or Redis-shared limiter);
- streams the body and stops at a size cap;
- retries connection errors, timeouts, 429 and 5xx with exponential backoff, honouring a bounded
  Retry-After.

Environment proxies are ignored on purpose: a proxy would connect on our behalf and bypass the
address check. Cookies are never kept. A `SafeFetcher` holds a `requests.Session`; give each
thread or worker process its own.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import redis
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

logger = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# RFC 9309 asks crawlers to parse at least 500 KiB of robots.txt; more than that is ignored.
ROBOTS_MAX_BYTES = 500 * 1024


class FetchError(Exception):
    """A URL could not be fetched; `reason` is a sentence fit for an error report."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class UnsupportedScheme(FetchError):
    """The URL is not http or https."""


class BlockedAddress(FetchError):
    """The host resolves to an address the fetcher must not contact."""


class DisallowedByRobots(FetchError):
    """robots.txt of the host forbids the URL for our user agent."""


class TooLarge(FetchError):
    """The body is larger than the fetcher's size cap."""


class TooManyRedirects(FetchError):
    """The redirect chain is longer than the hop limit."""


class FetchTimeout(FetchError):
    """Connecting or reading took longer than allowed, after all retries."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (after retries, where they apply)."""

    def __init__(self, url: str, reason: str, status: int) -> None:
        super().__init__(url, reason)
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """One successful fetch: the bytes exactly as received (decompressed) and where from."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime


# --- address policy ---------------------------------------------------------------------------


def address_problem(address: str) -> str | None:
    """Say why `address` must not be contacted, or None when it is a public unicast address."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    # ::ffff:10.0.0.1 reaches 10.0.0.1; judge the IPv4 address it carries.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address):
        # 6to4 (2002::/16) and site-local (fec0::/10) reach other networks than they look like:
        # a 6to4 relay delivers to the IPv4 address it embeds, and Python still calls both global.
        if ip.sixtofour is not None:
            return f"{ip} is a 6to4 address (embeds {ip.sixtofour})"
        if ip.is_site_local:
            return f"{ip} is a site-local address"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return f"{ip} is a {name} address"
    # Catches the rest that is not routable on the internet (shared 100.64/10, 6to4 of a
    # private address, documentation ranges...).
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, via getaddrinfo."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr not in seen:
            seen.append(addr)
    return seen


class AddressGuard:
    """Resolves hosts and refuses any answer that contains a forbidden address."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allowed_networks: Sequence[str] = (),
        resolver: Resolver = system_resolver,
    ) -> None:
        self.allow_private = allow_private
        self.allowed_networks = tuple(ipaddress.ip_network(n) for n in allowed_networks)
        self.resolver = resolver

    def _is_exempt(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return any(ip.version == net.version and ip in net for net in self.allowed_networks)

    def check(self, url: str, host: str, port: int) -> list[str]:
        """Resolve `host` and return its addresses, or raise BlockedAddress.

        Every address is checked, not just the first: a client may try any of them.
        """
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(url, f"cannot resolve host {host!r}: {exc}") from exc
        if not addresses:
            raise FetchError(url, f"host {host!r} resolves to no address")
        if self.allow_private:
            return addresses
        for address in addresses:
            problem = address_problem(address)
            if problem is not None and not self._is_exempt(address):
                raise BlockedAddress(url, f"refused: host {host!r} resolves to {problem}")
        return addresses


def _guarded_connection(base: type[HTTPConnection], guard: AddressGuard) -> type[HTTPConnection]:
    """A urllib3 connection class that connects only to addresses the guard approved."""

    def _new_conn(self: HTTPConnection) -> socket.socket:
        host = self._dns_host  # type: ignore[attr-defined]
        scheme = "https" if isinstance(self, HTTPSConnection) else "http"
        url = f"{scheme}://{host}:{self.port}/"
        # Resolve here, check, and connect to exactly the checked addresses: resolving twice
        # (check, then connect) would let a rebinding DNS server answer differently.
        addresses = guard.check(url, host, self.port)
        last_error: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as exc:
                last_error = exc
        if isinstance(last_error, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {host} timed out") from last_error
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")

    return type(f"Guarded{base.__name__}", (base,), {"_new_conn": _new_conn})


class _GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connection pools use the guarded connection classes."""

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        http_pool = type(
            "GuardedHTTPConnectionPool",
            (HTTPConnectionPool,),
            {"ConnectionCls": _guarded_connection(HTTPConnection, self._guard)},
        )
        https_pool = type(
            "GuardedHTTPSConnectionPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": _guarded_connection(HTTPSConnection, self._guard)},
        )
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}


# --- rate limiting ----------------------------------------------------------------------------


class RateLimiter(Protocol):
    """Decides whether a request to a host may go now."""

    def try_acquire(self, host: str, interval: float) -> float:
        """Take the host's slot and return 0.0, or return seconds to wait before asking again."""
        ...


class InProcessRateLimiter:
    """Minimum spacing between requests to one host, within this process.

    Spacing is measured from the last request, using the interval the *next* request asks for,
    so a Crawl-delay learnt from robots.txt applies to the very next page.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_sent: dict[str, float] = {}
        self._lock = threading.Lock()

    def try_acquire(self, host: str, interval: float) -> float:
        with self._lock:
            now = self._clock()
            last = self._last_sent.get(host)
            if last is not None and now < last + interval:
                return last + interval - now
            self._last_sent[host] = now
            return 0.0


class RedisRateLimiter:
    """Minimum spacing between requests to one host, shared by every worker using one Redis.

    A request takes the host's slot with SET NX PX: the key exists for `interval`, and while it
    does no other worker may send to that host. Redis expires it, so a crashed worker cannot
    hold a host forever.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "ads:connectors:rate:") -> None:
        self._client = client
        self._prefix = prefix

    def key(self, host: str) -> str:
        return f"{self._prefix}{host}"

    def try_acquire(self, host: str, interval: float) -> float:
        px = max(1, int(interval * 1000))
        if self._client.set(self.key(host), "1", nx=True, px=px):
            return 0.0
        ttl_ms = self._client.pttl(self.key(host))
        # -2: the key expired between SET and PTTL; -1 cannot happen with PX but is harmless.
        # Either way ask again almost at once rather than claiming a slot we did not get.
        return max(int(ttl_ms), 1) / 1000.0


# --- robots.txt -------------------------------------------------------------------------------


@dataclass
class _RobotsEntry:
    parser: urllib.robotparser.RobotFileParser
    expires_at: float
    # Why everything is disallowed when robots.txt could not be read, for the error report.
    note: str = ""


def _parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


# --- the fetcher ------------------------------------------------------------------------------


class SafeFetcher:
    """Fetches URLs politely and safely; see the module docstring for what that means."""

    def __init__(
        self,
        *,
        user_agent: str,
        allow_private: bool = False,
        allowed_networks: Sequence[str] = (),
        resolver: Resolver = system_resolver,
        rate_limiter: RateLimiter | None = None,
        min_interval: float = 2.0,
        max_crawl_delay: float = 60.0,
        robots_ttl: float = 3600.0,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_redirects: int = 5,
        retries: int = 3,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float = 120.0,
        ca_bundle: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("user_agent must name the crawler")
        self.user_agent = user_agent
        self.guard = AddressGuard(
            allow_private=allow_private, allowed_networks=allowed_networks, resolver=resolver
        )
        self.rate_limiter: RateLimiter = rate_limiter or InProcessRateLimiter(clock=clock)
        self.min_interval = min_interval
        self.max_crawl_delay = max_crawl_delay
        self.robots_ttl = robots_ttl
        self.timeout = (connect_timeout, read_timeout)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self._clock = clock
        self._sleep = sleep
        self._robots: dict[str, _RobotsEntry] = {}
        self._session = requests.Session()
        self._session.trust_env = False
        # A custom CA bundle is for sources on a private PKI (and tests); never "verify=False".
        if ca_bundle is not None:
            self._session.verify = ca_bundle
        self._session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self._session.headers["User-Agent"] = user_agent
        adapter = _GuardedAdapter(self.guard)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str, *, accept: str = "*/*") -> Fetched:
        """GET `url` and return its body, following redirects; raise a FetchError otherwise."""
        return self._fetch(url, accept=accept, max_bytes=self.max_bytes, obey_robots=True)

    # The rest is the machinery behind fetch().

    def _fetch(self, url: str, *, accept: str, max_bytes: int, obey_robots: bool) -> Fetched:
        current = url
        for _hop in range(self.max_redirects + 1):
            host, port = self._check_url(current)
            if obey_robots:
                self._check_robots(current)
            response = self._get_with_retries(current, host, port, accept)
            try:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise HTTPStatusError(
                            current, f"redirect {response.status_code} without Location", 0
                        )
                    current = urljoin(current, location.strip())
                    logger.info("connector redirect %s -> %s", url, current)
                    continue
                if response.status_code >= 400:
                    raise HTTPStatusError(
                        current,
                        f"server answered HTTP {response.status_code}",
                        response.status_code,
                    )
                body = self._read_capped(current, response, max_bytes)
            finally:
                response.close()
            content_type = response.headers.get("Content-Type", "")
            return Fetched(
                url=url,
                final_url=current,
                status=response.status_code,
                content_type=content_type.split(";", 1)[0].strip().lower(),
                body=body,
                fetched_at=datetime.now(tz=UTC),
            )
        raise TooManyRedirects(url, f"more than {self.max_redirects} redirects")

    def _check_url(self, url: str) -> tuple[str, int]:
        """Scheme and address checks; returns (host, port). Nothing is sent before this passes."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchError(url, f"malformed URL: {exc}") from exc
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise UnsupportedScheme(url, f"scheme {scheme or '(none)'!r} is not http or https")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError(url, "URL has no host")
        port = port or (443 if scheme == "https" else 80)
        self.guard.check(url, host, port)
        return host, port

    def _wait_for_slot(self, host: str, interval: float) -> None:
        while True:
            wait = self.rate_limiter.try_acquire(host, interval)
            if wait <= 0:
                return
            logger.debug("connector rate limit: waiting %.3fs for %s", wait, host)
            self._sleep(wait)

    def _interval_for(self, url: str) -> float:
        parts = urlsplit(url)
        entry = self._robots.get(f"{parts.scheme.lower()}://{parts.netloc.lower()}")
        delay = entry.parser.crawl_delay(self.user_agent) if entry else None
        if delay is None:
            return self.min_interval
        return max(self.min_interval, min(float(delay), self.max_crawl_delay))

    def _get_with_retries(self, url: str, host: str, port: int, accept: str) -> requests.Response:
        """One GET (no redirect following), retried on transient failures."""
        attempt = 0
        while True:
            self._wait_for_slot(host, self._interval_for(url))
            try:
                response = self._session.get(
                    url,
                    headers={"Accept": accept},
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                )
            except requests.Timeout as exc:
                error: FetchError = FetchTimeout(url, f"timed out: {exc.__class__.__name__}")
                retry_after = None
            except requests.exceptions.SSLError as exc:
                # A bad certificate will not fix itself in a few seconds; retrying only hammers.
                raise FetchError(url, f"TLS failed: {_root_cause(exc)}") from exc
            except requests.ConnectionError as exc:
                error = FetchError(url, f"connection failed: {_root_cause(exc)}")
                retry_after = None
            except requests.RequestException as exc:
                raise FetchError(url, f"request failed: {exc}") from exc
            else:
                status = response.status_code
                if status != 429 and status < 500:
                    return response
                retry_after = _parse_retry_after(
                    response.headers.get("Retry-After"), datetime.now(tz=UTC)
                )
                response.close()
                error = HTTPStatusError(url, f"server answered HTTP {status}", status)
                if retry_after is not None and retry_after > self.max_retry_after:
                    # Waiting less than asked would be rude; give up and let the next poll try.
                    raise HTTPStatusError(
                        url,
                        f"server answered HTTP {status} and asked to wait {retry_after:.0f}s, "
                        f"more than the {self.max_retry_after:.0f}s this fetcher waits",
                        status,
                    )
            if attempt >= self.retries:
                if attempt:
                    error.reason = f"{error.reason} (after {attempt + 1} attempts)"
                raise error
            delay = min(self.backoff_base * (2**attempt), self.backoff_max)
            if retry_after is not None:
                delay = max(delay, retry_after)
            logger.info(
                "connector retry %d/%d for %s in %.3fs: %s",
                attempt + 1,
                self.retries,
                url,
                delay,
                error.reason,
            )
            self._sleep(delay)
            attempt += 1

    def _read_capped(self, url: str, response: requests.Response, max_bytes: int) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(url, f"body declared as {declared} bytes, cap is {max_bytes}")
        chunks: list[bytes] = []
        total = 0
        try:
            # iter_content decompresses, so the cap bounds what we hold, not what was sent.
            for chunk in response.iter_content(chunk_size=64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise TooLarge(url, f"body larger than the {max_bytes}-byte cap")
                chunks.append(chunk)
        except requests.Timeout as exc:
            raise FetchTimeout(url, "timed out while reading the body") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise FetchError(url, f"connection broke while reading: {_root_cause(exc)}") from exc
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError(url, f"body could not be decompressed: {exc}") from exc
        return b"".join(chunks)

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        entry = self._robots.get(origin)
        if entry is None or self._clock() >= entry.expires_at:
            parser, note = self._load_robots(origin)
            entry = _RobotsEntry(parser, self._clock() + self.robots_ttl, note)
            self._robots[origin] = entry
        if not entry.parser.can_fetch(self.user_agent, url):
            reason = "disallowed by robots.txt"
            raise DisallowedByRobots(url, f"{reason} ({entry.note})" if entry.note else reason)

    def _load_robots(self, origin: str) -> tuple[urllib.robotparser.RobotFileParser, str]:
        """Fetch and parse origin/robots.txt, with RFC 9309's rules for failures.

        Returns the parser and, when robots.txt could not be read, why everything is disallowed.
        """
        robots_url = f"{origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        note = ""
        try:
            fetched = self._fetch(
                robots_url, accept="text/plain", max_bytes=ROBOTS_MAX_BYTES, obey_robots=False
            )
        except BlockedAddress:
            raise
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                # RFC 9309: "unavailable" (4xx) means no restrictions.
                parser.allow_all = True
            else:
                parser.disallow_all = True
                note = f"robots.txt unreachable, so everything is: {exc.reason}"
        except FetchError as exc:
            # RFC 9309: "unreachable" means assume complete disallow. An oversized robots.txt
            # cannot be read whole either, so the same caution applies.
            parser.disallow_all = True
            note = f"robots.txt unreachable, so everything is: {exc.reason}"
        else:
            parser.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        if note:
            logger.warning("connector %s at %s", note, origin)
        parser.modified()
        return parser, note


def _root_cause(exc: BaseException) -> str:
    """The innermost exception message; requests wraps urllib3 wraps OSError."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    inner = seen[-1]
    return f"{inner.__class__.__name__}: {inner}"
