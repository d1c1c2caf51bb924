"""A local web site for testing connectors, and a guard that keeps tests on the loopback.

Shipped in the package (like `django.test`) so the connector tests and the ingestion
integration tests can serve the same synthetic pages. Standard library only; nothing here runs
in production.

    with LocalSite() as site:
        site.route("/feed.xml", Reply(body=feed, headers={"Content-Type": "application/rss+xml"}))
        fetcher = SafeFetcher(user_agent="test", allow_private=True)
        fetcher.fetch(site.url("/feed.xml"))
        site.paths  # ["/robots.txt", "/feed.xml"]
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

logger = logging.getLogger(__name__)

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


@dataclass(frozen=True)
class Reply:
    """One canned HTTP answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to stall before answering, to provoke read timeouts.
    delay: float = 0.0
    # False sends no Content-Length: the body simply runs until the connection closes.
    declare_length: bool = True


@dataclass(frozen=True)
class SeenRequest:
    """A request the site received."""

    path: str
    headers: dict[str, str]


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 (an ephemeral port) answering from a route table.

    A route holds one or more replies served in order; the last one repeats. Unknown paths get
    404 (so robots.txt is "unavailable", i.e. everything allowed, unless routed).
    """

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.requests: list[SeenRequest] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
                site._answer(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                logger.debug("local site: " + format, *args)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A client that hangs up mid-body (size cap, timeout) is expected, not a failure.
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        with self._lock:
            return [seen.path for seen in self.requests]

    def route(self, path: str, *replies: Reply) -> None:
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes[path] = list(replies)
            self._served[path] = 0

    def start(self) -> LocalSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(SeenRequest(handler.path, dict(handler.headers.items())))
            replies = self._routes.get(handler.path)
            if replies is None:
                reply = Reply(status=404, body=b"not found", headers={"Content-Type": "text/plain"})
            else:
                index = min(self._served[handler.path], len(replies) - 1)
                self._served[handler.path] += 1
                reply = replies[index]
        if reply.delay and self._release.wait(reply.delay):
            return
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.declare_length:
            handler.send_header("Content-Length", str(len(reply.body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        view = memoryview(reply.body)
        for start in range(0, len(view), 64 * 1024):
            handler.wfile.write(view[start : start + 64 * 1024])


@contextmanager
def loopback_only() -> Iterator[list[object]]:
    """Refuse, and record, every socket connection to an address outside 127.0.0.0/8.

    Yields the list of every address a connection was attempted to, so a test can show that a
    refused URL was refused before any packet left. Unix sockets pass untouched.
    """
    attempts: list[object] = []
    original: Callable[..., None] = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> None:
        attempts.append(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            try:
                ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
            except ValueError:
                ip = None
            if ip is None or ip.version != 4 or ip not in LOOPBACK:
                raise ConnectionRefusedError(f"test guard: no traffic to {address[0]!r}")
        original(sock, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    try:
        yield attempts
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]
