"""A small HTTP/1.1 load generator on one asyncio event loop, for the load benchmarks.

Why not `requests` in threads: on this 2-core machine the load generator shares the cores with
the server and PostgreSQL. Fifty `requests` sessions in Python threads cost about 1.1 ms of CPU
per call (and fight over the GIL), which is CPU the server under test then lacks; a real
partner's clients run on their own machines. Here each client is one keep-alive connection on a
single event loop, writing a pre-built request and reading the response by its Content-Length
(or chunks), about 0.2-0.5 ms of CPU per call (measured), like wrk or locust's FastHttpUser.

A request is built by `build(rnd) -> (method, path, body or None)`; the client adds the Host,
Authorization and Content-Length headers. Latency is measured from when the request was due:
closed loop (no think time) sends the next request as soon as the last is answered; open loop
(`rate` per client) sends on a fixed schedule from a random phase and charges a late send to the
request (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

Request = tuple[str, str, Any]  # method, path with query, JSON-able body or None
Builder = Callable[[random.Random], Request]


@dataclass
class Samples:
    """Latencies (seconds) and outcomes of one phase."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, seconds: float, status: str, ok: bool) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1
        self.errors += 0 if ok else 1


class HttpError(Exception):
    """The server closed the connection or sent something that is not HTTP/1.1."""


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep_alive) of one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"bad status line {lines[0]!r}")
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(c[:-2] for c in chunks)
    else:
        body = await reader.read()
        keep_alive = False
    return status, body, keep_alive


def _encode(host: str, token: str, request: Request) -> bytes:
    method, path, payload = request
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Authorization: Token {token}"]
    body = b""
    if payload is not None:
        body = json.dumps(payload).encode()
        lines.append("Content-Type: application/json")
    if payload is not None or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _phase(
    base: str,
    token: str,
    build: Builder,
    clients: int,
    duration: float,
    rate: float | None,
    timeout: float,
) -> tuple[Samples, float]:
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    samples = Samples()
    started = time.perf_counter()
    deadline = started + duration

    async def client(seed: int) -> None:
        rnd = random.Random(seed)  # noqa: S311 - picks test inputs
        reader = writer = None
        due = time.perf_counter() + (rnd.random() / rate if rate else 0.0)
        while True:
            if rate:
                pause = due - time.perf_counter()
                if pause > 0:
                    await asyncio.sleep(pause)
            now = time.perf_counter()
            if now >= deadline:
                break
            began = due if rate else now
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(_encode(f"{host}:{port}", token, build(rnd)))
                status, _, keep_alive = await asyncio.wait_for(_read_response(reader), timeout)
                ok, label = 200 <= status < 300, str(status)
                if not keep_alive:
                    writer.close()
                    reader = writer = None
            except (
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                TimeoutError,
                HttpError,
            ) as exc:
                ok, label = False, type(exc).__name__
                if writer is not None:
                    writer.close()
                reader = writer = None
            samples.add(time.perf_counter() - began, label, ok)
            if rate:
                due += 1.0 / rate
        if writer is not None:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    return samples, time.perf_counter() - started


def run_phase(
    base: str,
    token: str,
    build: Builder,
    *,
    clients: int,
    duration: float,
    rate: float | None = None,
    timeout: float = 60.0,
) -> tuple[Samples, float]:
    """`clients` keep-alive connections call `build`'s requests for `duration` seconds.

    Returns the samples and the elapsed wall time (which includes the last answers' wait)."""
    return asyncio.run(_phase(base, token, build, clients, duration, rate, timeout))
