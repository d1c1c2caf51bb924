"""Real services for integration tests: PostgreSQL, Redis and Celery worker processes.

These tests run only in services mode (DATABASE_URL on PostgreSQL, CELERY_BROKER_URL on Redis);
.ci/run sets both. Without them the tests skip with the reason, except under CI=true, where a
missing service fails the run instead of being skipped silently.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_queues() -> str:
    """The queues of config/celery.py plus one per registered pipeline stage (a stage a test adds
    is consumed too)."""
    from ads.pipeline import stages
    from config.celery import QUEUES

    return ",".join(dict.fromkeys([*QUEUES, *(stage.queue for stage in stages())]))


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"required service missing under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture
def services(transactional_db) -> str:
    """Checks that PostgreSQL and Redis are really there; returns the broker URL."""
    _require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    _require(
        bool(settings.CELERY_BROKER_URL) and not settings.EMBEDDED, "CELERY_BROKER_URL is not set"
    )
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        _require(False, f"Redis at {settings.CELERY_BROKER_URL} does not answer: {exc}")
    client.flushdb()  # the broker database is ours alone during the test
    return settings.CELERY_BROKER_URL


class Worker:
    """A real `celery worker` process group, pointed at the test database."""

    def __init__(self, broker: str, env: dict[str, str], log: Path) -> None:
        self.broker = broker
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, concurrency: int = 2) -> None:
        db = connection.settings_dict
        user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{user}@{host}:{port}/{db['NAME']}",
            "CELERY_BROKER_URL": self.broker,
            "DJANGO_ENV": "test",
            "PYTHONUNBUFFERED": "1",
            # The media stage reads captures: the worker must see the evidence this test wrote.
            "EVIDENCE_ROOT": str(settings.STORAGES["evidence"]["OPTIONS"]["location"]),
            **self.env,
        }
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                worker_queues(),
                "-c",
                str(concurrency),
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"it-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool children."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def kill_a_child(self) -> bool:
        """SIGKILL one pool child (the main process stays and replaces it)."""
        if self.process is None:
            return False
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        if not children:
            return False
        os.kill(int(children[0]), signal.SIGKILL)
        return True

    def child_pids(self) -> list[int]:
        if self.process is None or self.process.poll() is not None:
            return []
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(pid) for pid in out.split()]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        """The end of the worker's log, for assertion messages."""
        if not self.log.exists():
            return "(no worker log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def worker_factory(services, tmp_path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def make(**env: str) -> Worker:
        worker = Worker(services, env, tmp_path / "worker.log")
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def wait_for(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
