"""Fault injection against the real services: stop and start Redis, cut PostgreSQL connections.

Reuses the integration machinery (the `services` check, real `celery worker` processes). Every
fault is undone in a `finally`, so a failing test never leaves Redis down for the next one.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tests.integration.conftest import services, worker_factory  # noqa: F401 - fixtures reused

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class RedisControl:
    """Stops and restarts the broker's Redis (this machine's, running without persistence)."""

    port: int
    stops: int = 0

    def _cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )

    def alive(self) -> bool:
        try:
            return self._cli("ping").stdout.strip() == "PONG"
        except subprocess.TimeoutExpired:
            return False

    def stop(self) -> None:
        """`shutdown nosave`: every queued message is lost, like a crash of a cache-only Redis."""
        self._cli("shutdown", "nosave")
        deadline = time.monotonic() + 20
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not self.alive(), "Redis did not stop"
        self.stops += 1

    def start(self) -> None:
        if self.alive():
            return
        subprocess.run(  # noqa: S603 - fixed arguments, the command .ci/run uses
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "-::1",  # noqa: S607
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                "/var/lib/redis",
                "--logfile",
                "/var/log/redis/ci.log",
            ],
            check=False,
            timeout=20,
        )
        deadline = time.monotonic() + 30
        while not self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.alive(), "Redis did not come back"


@pytest.fixture
def redis_control(services: str) -> Iterator[RedisControl]:  # noqa: F811 - the imported fixture
    url = urlsplit(services)
    if url.hostname not in LOOPBACK:
        pytest.skip("the broker is not on this machine: cannot stop and start it")
    control = RedisControl(port=url.port or 6379)
    try:
        yield control
    finally:
        control.start()  # whatever happened, Redis runs again for everybody else


def cut_database_connections() -> int:
    """Terminate every other session on the test database (the workers'), as a failover would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])
