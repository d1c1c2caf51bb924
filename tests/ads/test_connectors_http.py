"""The safe fetcher against a real local HTTP server: politeness, limits, retries and SSRF."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from ads.connectors.http import (
    BlockedAddress,
    DisallowedByRobots,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InProcessRateLimiter,
    RedisRateLimiter,
    SafeFetcher,
    TooLarge,
    TooManyRedirects,
    UnsupportedScheme,
    _parse_retry_after,
    address_problem,
)
from ads.connectors.testing import LocalSite, Reply, loopback_only

UA = "NorthgateTestBot/1.0 (+https://example.org/bot)"
HTML = {"Content-Type": "text/html; charset=utf-8"}


class FakeTime:
    """A clock the fetcher reads and a sleep that advances it, recording every wait asked for."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture(autouse=True)
def connect_attempts() -> Iterator[list[object]]:
    with loopback_only() as attempts:
        yield attempts


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        yield running


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make_fetcher(fake_time: FakeTime, **overrides: object) -> SafeFetcher:
    options: dict[str, object] = {
        "user_agent": UA,
        "allow_private": True,
        "min_interval": 0.0,
        "retries": 2,
        "backoff_base": 0.001,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "clock": fake_time.clock,
        "sleep": fake_time.sleep,
    }
    options.update(overrides)
    return SafeFetcher(**options)  # type: ignore[arg-type]


# --- basics ---------------------------------------------------------------------------------


def test_a_page_is_fetched_with_our_user_agent(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/ad.html", Reply(body=b"<p>hello</p>", headers=HTML))
    fetched = make_fetcher(fake_time).fetch(site.url("/ad.html"))
    assert fetched.status == 200
    assert fetched.body == b"<p>hello</p>"
    assert fetched.content_type == "text/html"
    assert fetched.final_url == site.url("/ad.html")
    assert fetched.fetched_at.tzinfo is not None
    assert site.requests[-1].headers["User-Agent"] == UA


def test_a_redirect_is_followed_and_the_final_url_kept(
    site: LocalSite, fake_time: FakeTime
) -> None:
    site.route("/old", Reply(status=301, headers={"Location": "/new"}))
    site.route("/new", Reply(body=b"moved here", headers=HTML))
    fetched = make_fetcher(fake_time).fetch(site.url("/old"))
    assert fetched.url == site.url("/old")
    assert fetched.final_url == site.url("/new")
    assert fetched.body == b"moved here"


def test_a_redirect_loop_stops_at_the_hop_limit(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/a", Reply(status=302, headers={"Location": "/b"}))
    site.route("/b", Reply(status=302, headers={"Location": "/a"}))
    with pytest.raises(TooManyRedirects):
        make_fetcher(fake_time, max_redirects=3).fetch(site.url("/a"))
    assert [p for p in site.paths if p != "/robots.txt"] == ["/a", "/b", "/a", "/b"]


def test_a_404_is_an_error_that_names_the_status(site: LocalSite, fake_time: FakeTime) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        make_fetcher(fake_time).fetch(site.url("/gone.html"))
    assert caught.value.status == 404
    assert "404" in caught.value.reason


# --- SSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "fc00::1",
        "224.0.0.251",
        "ff02::1",
        "0.0.0.0",  # noqa: S104 - an address under test, nothing binds to it
        "::",
        "240.0.0.1",
        "255.255.255.255",
        "100.64.0.1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "192.0.2.10",
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:808:808::1",  # 6to4 of a public address: still a relay to an IPv4 host
        "fec0::1",  # site-local
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert address_problem(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_problem(address) is None


def test_loopback_is_refused_before_any_request_when_private_is_not_allowed(
    site: LocalSite, fake_time: FakeTime, connect_attempts: list[object]
) -> None:
    site.route("/ad.html", Reply(body=b"secret", headers=HTML))
    fetcher = make_fetcher(fake_time, allow_private=False)
    with pytest.raises(BlockedAddress) as caught:
        fetcher.fetch(site.url("/ad.html"))
    assert "loopback" in caught.value.reason
    assert site.requests == []
    assert connect_attempts == []


def test_loopback_written_as_a_decimal_number_is_refused_too(
    site: LocalSite, fake_time: FakeTime, connect_attempts: list[object]
) -> None:
    fetcher = make_fetcher(fake_time, allow_private=False)
    with pytest.raises(BlockedAddress):
        fetcher.fetch(f"http://2130706433:{site.port}/")
    assert connect_attempts == []


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://10.0.0.1/admin",
        "http://127.0.0.2:{port}/internal",
        "http://[::1]:{port}/internal",
        "http://0.0.0.0:{port}/internal",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
    ],
)
def test_a_redirect_to_an_internal_address_is_refused_before_connecting(
    site: LocalSite, fake_time: FakeTime, connect_attempts: list[object], target: str
) -> None:
    # Only the test server's own address is exempt, so the first hop is allowed and every
    # internal redirect target must be refused by the address check, not by the network.
    site.route("/go", Reply(status=302, headers={"Location": target.format(port=site.port)}))
    fetcher = make_fetcher(fake_time, allow_private=False, allowed_networks=["127.0.0.1/32"])
    with pytest.raises(BlockedAddress):
        fetcher.fetch(site.url("/go"))
    assert [p for p in site.paths if p != "/robots.txt"] == ["/go"]
    assert all(address[0] == "127.0.0.1" for address in connect_attempts)  # type: ignore[index]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://files.example.org/ads.csv",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
        "data:text/html,<p>x</p>",
        "//no-scheme.example/ad",
    ],
)
def test_non_http_schemes_are_refused(fake_time: FakeTime, url: str) -> None:
    with pytest.raises(UnsupportedScheme):
        make_fetcher(fake_time).fetch(url)


def test_a_redirect_to_a_file_url_is_refused(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/go", Reply(status=302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(UnsupportedScheme):
        make_fetcher(fake_time).fetch(site.url("/go"))


def test_a_host_with_any_private_address_among_its_answers_is_refused(
    fake_time: FakeTime, connect_attempts: list[object]
) -> None:
    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "10.0.0.1"]

    fetcher = make_fetcher(fake_time, allow_private=False, resolver=resolver)
    with pytest.raises(BlockedAddress) as caught:
        fetcher.fetch("http://mixed.example/ad.html")
    assert "10.0.0.1" in caught.value.reason
    assert connect_attempts == []


def test_dns_rebinding_between_check_and_connect_is_refused(
    site: LocalSite, fake_time: FakeTime, connect_attempts: list[object]
) -> None:
    """The first answer passes the check; the connection resolves again and gets 10.0.0.1."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]] + [["10.0.0.1"]] * 10)

    def rebinding_resolver(host: str, port: int) -> list[str]:
        return next(answers)

    fetcher = make_fetcher(
        fake_time,
        allow_private=False,
        allowed_networks=["127.0.0.1/32"],
        resolver=rebinding_resolver,
    )
    with pytest.raises(BlockedAddress):
        fetcher.fetch(f"http://rebind.test:{site.port}/ad.html")
    assert connect_attempts == []
    assert site.requests == []


# --- robots.txt -----------------------------------------------------------------------------


def test_robots_disallow_is_honoured_without_requesting_the_page(
    site: LocalSite, fake_time: FakeTime
) -> None:
    site.route(
        "/robots.txt",
        Reply(body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}),
    )
    site.route("/private/ad.html", Reply(body=b"x", headers=HTML))
    with pytest.raises(DisallowedByRobots):
        make_fetcher(fake_time).fetch(site.url("/private/ad.html"))
    assert site.paths == ["/robots.txt"]


def test_robots_rules_for_our_agent_win_over_the_wildcard(
    site: LocalSite, fake_time: FakeTime
) -> None:
    robots = b"User-agent: *\nAllow: /\n\nUser-agent: NorthgateTestBot\nDisallow: /\n"
    site.route("/robots.txt", Reply(body=robots, headers={"Content-Type": "text/plain"}))
    with pytest.raises(DisallowedByRobots):
        make_fetcher(fake_time).fetch(site.url("/ad.html"))


def test_a_missing_robots_txt_allows_everything(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/ad.html", Reply(body=b"ok", headers=HTML))
    assert make_fetcher(fake_time).fetch(site.url("/ad.html")).body == b"ok"


def test_a_failing_robots_txt_disallows_everything(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/robots.txt", Reply(status=500))
    site.route("/ad.html", Reply(body=b"ok", headers=HTML))
    with pytest.raises(DisallowedByRobots) as caught:
        make_fetcher(fake_time, retries=0).fetch(site.url("/ad.html"))
    assert "robots.txt unreachable" in caught.value.reason
    assert "HTTP 500" in caught.value.reason
    assert "/ad.html" not in site.paths


def test_robots_txt_is_cached_until_its_ttl_runs_out(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow:\n"))
    site.route("/a.html", Reply(body=b"a", headers=HTML))
    fetcher = make_fetcher(fake_time, robots_ttl=600)
    fetcher.fetch(site.url("/a.html"))
    fetcher.fetch(site.url("/a.html"))
    assert site.paths.count("/robots.txt") == 1
    fake_time.now += 601
    fetcher.fetch(site.url("/a.html"))
    assert site.paths.count("/robots.txt") == 2


@pytest.mark.parametrize(("max_crawl_delay", "expected"), [(60.0, 7.0), (3.0, 3.0)])
def test_crawl_delay_widens_the_spacing_up_to_its_bound(
    site: LocalSite, fake_time: FakeTime, max_crawl_delay: float, expected: float
) -> None:
    site.route("/robots.txt", Reply(body=b"User-agent: *\nCrawl-delay: 7\n"))
    site.route("/a.html", Reply(body=b"a", headers=HTML))
    fetcher = make_fetcher(fake_time, min_interval=1.0, max_crawl_delay=max_crawl_delay)
    fetcher.fetch(site.url("/a.html"))
    fetcher.fetch(site.url("/a.html"))
    # robots.txt went out at once; each page then waited for the delay the site asked for.
    assert fake_time.sleeps == [expected, expected]


# --- rate limiting --------------------------------------------------------------------------


def test_requests_to_one_host_are_spaced_by_the_minimum_interval(
    site: LocalSite, fake_time: FakeTime
) -> None:
    site.route("/a.html", Reply(body=b"a", headers=HTML))
    site.route("/b.html", Reply(body=b"b", headers=HTML))
    fetcher = make_fetcher(fake_time, min_interval=5.0)
    fetcher.fetch(site.url("/a.html"))
    fetcher.fetch(site.url("/b.html"))
    assert site.paths == ["/robots.txt", "/a.html", "/b.html"]
    assert fake_time.sleeps == [5.0, 5.0]


def test_the_in_process_limiter_spaces_one_host_and_leaves_others_alone() -> None:
    fake_time = FakeTime()
    limiter = InProcessRateLimiter(clock=fake_time.clock)
    assert limiter.try_acquire("ads.example", 10.0) == 0.0
    assert limiter.try_acquire("ads.example", 10.0) == pytest.approx(10.0)
    assert limiter.try_acquire("other.example", 10.0) == 0.0
    fake_time.now += 4
    assert limiter.try_acquire("ads.example", 10.0) == pytest.approx(6.0)
    fake_time.now += 6
    assert limiter.try_acquire("ads.example", 10.0) == 0.0


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at 127.0.0.1:6379 is required in CI: {exc}")
        pytest.skip(f"Redis at 127.0.0.1:6379 is unreachable ({exc}); set CI=true to fail instead")
    yield client
    client.close()


def test_the_redis_limiter_makes_a_second_worker_wait_for_the_same_host(
    redis_client: redis.Redis,
) -> None:
    prefix = f"test:connectors:rate:{uuid.uuid4().hex}:"
    worker_a = RedisRateLimiter(redis_client, prefix=prefix)
    worker_b = RedisRateLimiter(redis_client, prefix=prefix)
    try:
        assert worker_a.try_acquire("ads.example", 30.0) == 0.0
        wait = worker_b.try_acquire("ads.example", 30.0)
        assert 0.0 < wait <= 30.0
        assert worker_b.try_acquire("other.example", 30.0) == 0.0
        # The slot is a key that Redis expires by itself, so a dead worker frees the host.
        assert 0 < redis_client.pttl(worker_a.key("ads.example")) <= 30_000
        redis_client.delete(worker_a.key("ads.example"))
        assert worker_b.try_acquire("ads.example", 30.0) == 0.0
    finally:
        redis_client.delete(worker_a.key("ads.example"), worker_a.key("other.example"))


def test_the_fetcher_waits_for_a_host_slot_held_in_redis(
    site: LocalSite, fake_time: FakeTime, redis_client: redis.Redis
) -> None:
    prefix = f"test:connectors:rate:{uuid.uuid4().hex}:"
    limiter = RedisRateLimiter(redis_client, prefix=prefix)
    site.route("/a.html", Reply(body=b"a", headers=HTML))
    # Another worker holds the host's slot; the fetcher must ask Redis and sleep, not send.
    redis_client.set(limiter.key("127.0.0.1"), "1", px=60_000)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        redis_client.delete(limiter.key("127.0.0.1"))

    fetcher = make_fetcher(fake_time, rate_limiter=limiter, min_interval=0.05, sleep=sleep)
    try:
        fetcher.fetch(site.url("/a.html"))
    finally:
        redis_client.delete(limiter.key("127.0.0.1"))
    assert len(waits) >= 1
    assert 0 < waits[0] <= 60.0
    assert "/a.html" in site.paths


# --- limits and timeouts --------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_even_without_content_length(
    site: LocalSite, fake_time: FakeTime
) -> None:
    site.route("/big", Reply(body=b"x" * (10 * 1024 * 1024), declare_length=False))
    with pytest.raises(TooLarge) as caught:
        make_fetcher(fake_time, max_bytes=1024 * 1024).fetch(site.url("/big"))
    assert "1048576" in caught.value.reason


def test_a_declared_length_over_the_cap_is_refused_before_reading(
    site: LocalSite, fake_time: FakeTime
) -> None:
    site.route("/big", Reply(body=b"x" * (10 * 1024 * 1024)))
    with pytest.raises(TooLarge) as caught:
        make_fetcher(fake_time, max_bytes=1024 * 1024).fetch(site.url("/big"))
    assert "declared" in caught.value.reason


def test_a_server_that_stalls_times_out(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/slow", Reply(body=b"late", delay=5.0))
    with pytest.raises(FetchTimeout):
        make_fetcher(fake_time, read_timeout=0.2, retries=1).fetch(site.url("/slow"))
    assert site.paths.count("/slow") == 2
    assert fake_time.sleeps == [0.001]


# --- retries --------------------------------------------------------------------------------


def test_two_server_errors_are_retried_with_backoff_then_succeed(
    site: LocalSite, fake_time: FakeTime
) -> None:
    site.route("/flaky", Reply(status=503), Reply(status=502), Reply(body=b"ok", headers=HTML))
    fetched = make_fetcher(fake_time, retries=3).fetch(site.url("/flaky"))
    assert fetched.body == b"ok"
    assert site.paths.count("/flaky") == 3
    assert fake_time.sleeps == [0.001, 0.002]


def test_retries_give_up_with_the_last_error(site: LocalSite, fake_time: FakeTime) -> None:
    site.route("/down", Reply(status=500))
    with pytest.raises(HTTPStatusError) as caught:
        make_fetcher(fake_time, retries=2).fetch(site.url("/down"))
    assert caught.value.status == 500
    assert "after 3 attempts" in caught.value.reason
    assert site.paths.count("/down") == 3


def test_a_refused_connection_is_retried_then_reported(fake_time: FakeTime) -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        closed_port = placeholder.getsockname()[1]
    fetcher = make_fetcher(fake_time, retries=2)
    # robots.txt is unreachable too, which means "disallow"; skip it to see the page's error.
    fetcher._robots.clear()
    with pytest.raises(FetchError) as caught:
        fetcher._fetch(
            f"http://127.0.0.1:{closed_port}/", accept="*/*", max_bytes=1024, obey_robots=False
        )
    assert "connection failed" in caught.value.reason
    assert fake_time.sleeps == [0.001, 0.002]


def test_429_waits_for_retry_after(site: LocalSite, fake_time: FakeTime) -> None:
    site.route(
        "/busy", Reply(status=429, headers={"Retry-After": "3"}), Reply(body=b"ok", headers=HTML)
    )
    fetched = make_fetcher(fake_time).fetch(site.url("/busy"))
    assert fetched.body == b"ok"
    assert fake_time.sleeps == [3.0]


def test_a_retry_after_beyond_the_bound_gives_up_at_once(
    site: LocalSite, fake_time: FakeTime
) -> None:
    site.route("/busy", Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(HTTPStatusError) as caught:
        make_fetcher(fake_time, max_retry_after=120).fetch(site.url("/busy"))
    assert "3600" in caught.value.reason
    assert site.paths.count("/busy") == 1
    assert fake_time.sleeps == []


def test_retry_after_may_be_an_http_date() -> None:
    now = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert _parse_retry_after(later, now) == pytest.approx(90.0)
    assert _parse_retry_after("soon", now) is None
    assert _parse_retry_after(None, now) is None


def test_a_blank_user_agent_is_refused() -> None:
    with pytest.raises(ValueError, match="user_agent"):
        SafeFetcher(user_agent="  ")


# --- TLS ------------------------------------------------------------------------------------


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[int, str]]:
    """An HTTPS server on 127.0.0.1 with a throwaway certificate for 127.0.0.1 only."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
            body = b"over tls"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield int(server.server_address[1]), str(cert)
    server.shutdown()
    server.server_close()
    thread.join()


def test_https_goes_through_the_address_guard_and_verifies_the_certificate(
    tls_site: tuple[int, str], fake_time: FakeTime
) -> None:
    port, cert = tls_site
    fetcher = make_fetcher(
        fake_time, allow_private=False, allowed_networks=["127.0.0.1/32"], ca_bundle=cert
    )
    assert fetcher.fetch(f"https://127.0.0.1:{port}/ad.html").body == b"over tls"


def test_a_certificate_for_another_name_is_refused_without_retrying(
    tls_site: tuple[int, str], fake_time: FakeTime
) -> None:
    port, cert = tls_site
    fetcher = make_fetcher(
        fake_time, ca_bundle=cert, resolver=lambda host, port: ["127.0.0.1"], retries=3
    )
    with pytest.raises(FetchError, match="TLS failed") as caught:
        fetcher.fetch(f"https://ads.impostor.test:{port}/ad.html")
    assert "ads.impostor.test" in caught.value.reason
    assert fake_time.sleeps == []
